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
	if (tlog_witness_request_parse(&r, (const char *)data, size, &e) == RC_OK &&
	    r.old_size > r.ckpt.size)
		abort(); /* the parser promised to refuse this */
	tlog_witness_request_release(&r);
	return 0;
}
