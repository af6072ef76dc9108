/* fuzz_leaf.c - libFuzzer target: decoding an evidence leaf (as read from a log copy) never crashes, and what it accepts re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/leaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *leaf = NULL, *blobs, *fields;
	struct leaf_head h;
	struct buf again;

	if (leaf_decode((const char *)data, size, &leaf, NULL) != RC_OK)
		return 0;
	/* accepted: the parts it gives encode back to the very same bytes */
	leaf_head_of(leaf, &h);
	blobs = json_object_get(leaf, "blobs");
	fields = json_object_get(leaf, "fields");
	buf_init(&again, LEAF_MAX + 1024);
	if (leaf_encode(&h, blobs, fields, &again, NULL) != RC_OK || again.len != size ||
	    memcmp(again.data, data, size) != 0)
		abort();
	buf_release(&again);
	json_decref(leaf);
	return 0;
}
