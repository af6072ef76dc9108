/* blobstore.h - content-addressed blob files under DATA/blobs, and content-type sniffing. */
#ifndef DISPUTED_BLOBSTORE_H
#define DISPUTED_BLOBSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/*
 * A blob is kept at DIR/blobs/<first two hex digits>/<64 hex digits>, written
 * to a temporary file, synced and renamed into place, so a blob that exists
 * is complete. Blobs are never changed, and deleted only by retention's
 * shredding (blobstore_remove).
 */

/*
 * Destroy a blob file: overwrite its bytes with zeros, sync, unlink. Only
 * retention's shredding calls it, for blobs that no record still kept
 * cites. RC_NOTFOUND if it is not there.
 */
int blobstore_remove(const char *data_dir, const char *digest, struct err *e) WARN_UNUSED;

/*
 * Open the blob with hex digest `digest` for reading: *fd (the caller
 * closes it) and *size, the file's size now. RC_NOTFOUND if absent. The
 * bytes are not checked against the digest: a reader that hands them on
 * hashes them as it goes.
 */
int blobstore_open(const char *data_dir, const char *digest, int *fd, uint64_t *size,
		   struct err *e) WARN_UNUSED;

/*
 * Store `len` bytes and write their lowercase hex SHA-256 into `digest`.
 * Storing bytes that are already there is not an error.
 */
int blobstore_put(const char *data_dir, const void *data, size_t len,
		  char digest[65], struct err *e) WARN_UNUSED;

/*
 * Read the blob with hex digest `digest` into a new malloc'd buffer
 * (*out, *len). RC_NOTFOUND if absent.
 */
int blobstore_get(const char *data_dir, const char *digest, char **out, size_t *len,
		  struct err *e) WARN_UNUSED;

/*
 * Check a declared media type against the bytes. `declared` may carry
 * parameters ("text/plain; charset=utf-8"); the bare type goes into
 * `bare` (64 bytes). RC_UNSUPPORTED for a type disputed does not keep,
 * RC_INVAL (code "content_type_mismatch") when the bytes are not of it.
 */
int blob_check_type(const char *declared, const void *data, size_t len,
		    char bare[64], struct err *e) WARN_UNUSED;

/* The static name of an accepted media type ("application/octet-stream" if none). */
const char *blob_static_type(const char *type);

/* True if `s` is "sha256:" and 64 lowercase hex digits; `hex` gets the digits. */
int blob_parse_id(const char *s, char hex[65]);

#endif
