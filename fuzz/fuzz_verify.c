/* fuzz_verify.c - libFuzzer target: offline verification of bundles, checkpoints and tlog-proof files never crashes and never calls garbage valid. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/bundle.h"
#include "tlog/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tlog_verifier key;
	static FILE *sink;
	static int ready;
	struct err e;

	if (!ready) {
		struct tlog_signer s;

		/* signatures will not verify: the target is the parsing in front of them */
		err_clear(&e);
		if (tlog_key_generate(&s, "fuzz.disputed.test/log", TLOG_KEY_ED25519, &e))
			abort();
		tlog_signer_verifier(&s, &key);
		tlog_signer_clear(&s);
		sink = fopen("/dev/null", "w");
		ready = 1;
	}
	/* with and without an entry, to reach the tlog-proof path both ways */
	(void)verify_file((const char *)data, size, &key, NULL, 0, (const char *)data,
			  size / 2, (int)(size & 1), sink);
	return 0;
}
