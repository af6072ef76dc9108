/* keyfile.h - signer and verifier keys kept as files in note key format. */
#ifndef DISPUTED_TLOG_KEYFILE_H
#define DISPUTED_TLOG_KEYFILE_H

#include "core/err.h"
#include "tlog/note.h"

/*
 * Generate a key pair for `name` and write DIR/<base>.skey (mode 0600, the
 * signer key text and a newline) and DIR/<base>.vkey (0644, the verifier
 * key). Fails with RC_CONFLICT if the signer file exists: a key is never
 * replaced.
 */
int tlog_keyfile_create(const char *dir, const char *base, const char *name, uint8_t type,
			struct err *e) WARN_UNUSED;

/* Read DIR/<base>.skey into `s` (wipe it with tlog_signer_clear). */
int tlog_keyfile_read_signer(const char *dir, const char *base, struct tlog_signer *s,
			     struct err *e) WARN_UNUSED;

/* Append the verifier key text of DIR/<base>.skey's key to `out` (no newline). */
int tlog_keyfile_vkey(const char *dir, const char *base, struct buf *out,
		      struct err *e) WARN_UNUSED;

#endif
