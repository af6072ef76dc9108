/* fuzz_witness_request.c - libFuzzer target: parsing C2SP tlog-witness add-checkpoint bodies. */
#include <stdint.h>
#include <stdlib.h>

#include "tlog/witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlog_witness_request r;
	struct err e;

	err_clear(&e);
	tlog_witness_request_init(&r);
	/* what the parser promises: no proof from old size 0, at most 63 hashes
	 * (the size check against the checkpoint comes later, after its signature) */
	if (tlog_witness_request_parse(&r, (const char *)data, size, &e) == RC_OK &&
	    ((r.old_size == 0 && r.proof.n != 0) || r.proof.n > TLOG_WITNESS_MAX_PROOF))
		abort();
	tlog_witness_request_release(&r);
	return 0;
}
