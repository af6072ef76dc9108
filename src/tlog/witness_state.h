/* witness_state.h - the latest checkpoint a witness cosigned for each log, one small file per origin replaced atomically. */
#ifndef DISPUTED_TLOG_WITNESS_STATE_H
#define DISPUTED_TLOG_WITNESS_STATE_H

#include <stdint.h>

#include "core/err.h"
#include "tlog/merkle.h"

/*
 * A witness's memory is, per log origin, the size and root hash of the
 * latest checkpoint it cosigned (c2sp.org/tlog-witness@v1.0.0 asks for no
 * more). Each origin's record is the file
 *
 *     DIR/<64 hex digits of SHA-256(origin)>
 *
 * holding a c2sp.org/tlog-checkpoint body without extension lines:
 * "<origin>\n<size>\n<base64 root>\n". It is replaced atomically: the new
 * text goes to a temporary file, which is fsynced and renamed over the old
 * one, and then DIR is fsynced, so after a crash the record is either the
 * old one or the new one, never a mix, and a save that returned RC_OK
 * survives power loss.
 *
 * The caller serialises saves for one origin (one writer per DIR: see
 * tlog_witness_open, which holds a lock on it). DIR must exist.
 */

/*
 * Read the record of `origin` into `*size` and `root`. RC_NOTFOUND (code
 * "no_state") if the witness never saved one: a fresh log, size 0.
 * RC_IO if the file cannot be read, RC_INVAL (code "corrupt_state") if it
 * is not a checkpoint body for `origin`. The outputs are written on RC_OK
 * only.
 */
int tlog_witness_state_load(const char *dir, const char *origin, uint64_t *size,
			    uint8_t root[TLOG_HASH_SIZE], struct err *e) WARN_UNUSED;

/*
 * Durably replace the record of `origin` with (size, root), as described
 * above. RC_INVAL for an origin that is not a valid checkpoint origin or
 * a path that does not fit, RC_IO (with the failing step in the message)
 * if a write, fsync or rename fails; the old record is then untouched and
 * no temporary file is left behind.
 */
int tlog_witness_state_save(const char *dir, const char *origin, uint64_t size,
			    const uint8_t root[TLOG_HASH_SIZE], struct err *e) WARN_UNUSED;

#endif
