/* keyfile.c - create and read note key files, wiping secrets after use. */
#include "tlog/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path, const char *text, size_t len, int mode, int excl,
		      struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
	ssize_t n;

	if (fd < 0)
		return err_set(e, errno == EEXIST ? RC_CONFLICT : RC_IO, "key_exists", NULL,
			       "cannot create %s: %s", path, strerror(errno));
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len || fsync(fd) != 0) {
		close(fd);
		return err_set(e, RC_IO, NULL, NULL, "cannot write %s", path);
	}
	close(fd);
	return RC_OK;
}

int tlog_keyfile_create(const char *dir, const char *base, const char *name, uint8_t type,
			struct err *e)
{
	struct tlog_signer s;
	struct tlog_verifier v;
	struct buf b;
	char path[4200];
	int rc;

	buf_init(&b, 4096);
	rc = tlog_key_generate(&s, name, type, e);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/%s.skey", dir, base);
	rc = tlog_signer_format(&s, &b);
	if (!rc)
		rc = buf_appends(&b, "\n");
	if (!rc)
		rc = write_file(path, b.data, b.len, 0600, 1, e);
	sodium_memzero(b.data, b.len);
	buf_clear(&b);
	if (!rc) {
		tlog_signer_verifier(&s, &v);
		snprintf(path, sizeof(path), "%s/%s.vkey", dir, base);
		rc = tlog_verifier_format(&v, &b);
		if (!rc)
			rc = buf_appends(&b, "\n");
		if (!rc)
			rc = write_file(path, b.data, b.len, 0644, 0, e);
	}
	tlog_signer_clear(&s);
	buf_release(&b);
	if (rc && !e->rc)
		err_set(e, rc, NULL, NULL, "cannot write key %s", base);
	return rc;
}

int tlog_keyfile_read_signer(const char *dir, const char *base, struct tlog_signer *s,
			     struct err *e)
{
	char path[4200], text[1024];
	size_t n;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.skey", dir, base);
	f = fopen(path, "re");
	if (!f)
		return err_set(e, errno == ENOENT ? RC_NOTFOUND : RC_IO, "no_key", NULL,
			       "cannot read %s: %s", path, strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	rc = tlog_signer_parse(s, text, e);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int tlog_keyfile_vkey(const char *dir, const char *base, struct buf *out, struct err *e)
{
	struct tlog_signer s;
	struct tlog_verifier v;
	int rc = tlog_keyfile_read_signer(dir, base, &s, e);

	if (rc)
		return rc;
	tlog_signer_verifier(&s, &v);
	tlog_signer_clear(&s);
	rc = tlog_verifier_format(&v, out);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot format the verifier key");
	return RC_OK;
}
