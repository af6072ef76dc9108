/* blobstore.c - content-addressed blob files and media type sniffing. */
#include "evidence/blobstore.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/ids.h"

static int blob_path(const char *data_dir, const char *digest, char *dir, size_t dlen,
		     char *path, size_t plen)
{
	if ((size_t)snprintf(dir, dlen, "%s/blobs/%.2s", data_dir, digest) >= dlen ||
	    (size_t)snprintf(path, plen, "%s/%s", dir, digest) >= plen)
		return RC_INVAL;
	return RC_OK;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int blobstore_put(const char *data_dir, const void *data, size_t len, char digest[65],
		  struct err *e)
{
	char dir[4200], path[4300], tmp[4400];
	struct stat sb;
	int fd, dfd;

	sha256_hex(data, len, digest);
	if (blob_path(data_dir, digest, dir, sizeof(dir), path, sizeof(path)))
		return err_set(e, RC_IO, NULL, NULL, "data directory path too long");
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
		return RC_OK;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, RC_IO, NULL, NULL, "mkdir %s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lx", path, (long)getpid(),
		 (unsigned long)g_random_int());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, RC_IO, NULL, NULL, "open %s: %s", tmp, strerror(errno));
	if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		int saved = errno;

		close(fd);
		unlink(tmp);
		return err_set(e, RC_IO, NULL, NULL, "write %s: %s", tmp, strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		return err_set(e, RC_IO, NULL, NULL, "rename %s: %s", path, strerror(saved));
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return RC_OK;
}

int blobstore_get(const char *data_dir, const char *digest, char **out, size_t *len,
		  struct err *e)
{
	char dir[4200], path[4300];
	gchar *contents = NULL;
	gsize n = 0;
	GError *gerr = NULL;

	*out = NULL;
	*len = 0;
	if (blob_path(data_dir, digest, dir, sizeof(dir), path, sizeof(path)))
		return err_set(e, RC_IO, NULL, NULL, "data directory path too long");
	if (!g_file_get_contents(path, &contents, &n, &gerr)) {
		int rc = g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT)
				 ? err_set(e, RC_NOTFOUND, "not_found", NULL, "no blob file %s", path)
				 : err_set(e, RC_IO, NULL, NULL, "read %s: %s", path, gerr->message);
		g_error_free(gerr);
		return rc;
	}
	*out = malloc(n ? n : 1);
	if (!*out) {
		g_free(contents);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	memcpy(*out, contents, n);
	*len = n;
	g_free(contents);
	return RC_OK;
}

int blobstore_open(const char *data_dir, const char *digest, int *fd, uint64_t *size,
		   struct err *e)
{
	char dir[4200], path[4300];
	struct stat sb;

	*fd = -1;
	if (blob_path(data_dir, digest, dir, sizeof(dir), path, sizeof(path)))
		return err_set(e, RC_IO, NULL, NULL, "data directory path too long");
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return errno == ENOENT
			       ? err_set(e, RC_NOTFOUND, "not_found", NULL, "no blob file %s", path)
			       : err_set(e, RC_IO, NULL, NULL, "open %s: %s", path, strerror(errno));
	if (fstat(*fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(*fd);
		*fd = -1;
		return err_set(e, RC_IO, NULL, NULL, "%s is not a readable file", path);
	}
	*size = (uint64_t)sb.st_size;
	return RC_OK;
}

static int starts(const void *data, size_t len, const char *magic, size_t mlen, size_t at)
{
	return len >= at + mlen && memcmp((const char *)data + at, magic, mlen) == 0;
}

static const char *const accepted_types[] = {
	"image/jpeg", "image/png", "image/gif", "image/webp",
	"application/pdf", "video/mp4", "text/plain", NULL,
};

const char *blob_static_type(const char *type)
{
	size_t i;

	for (i = 0; type && accepted_types[i]; i++)
		if (strcmp(type, accepted_types[i]) == 0)
			return accepted_types[i];
	return "application/octet-stream";
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * A PNG: the signature, then an IHDR chunk (PNG spec 11.2.2) of 13 bytes
 * with a sane header (width and height 1..2^31-1, an allowed colour type
 * and bit depth, methods 0, interlace 0 or 1) and a matching CRC-32.
 */
static int png_ok(const unsigned char *d, size_t len)
{
	static const unsigned char depths[7] = {
		[0] = 1 | 2 | 4 | 8 | 16, [2] = 8 | 16, [3] = 1 | 2 | 4 | 8, [4] = 8 | 16,
		[6] = 8 | 16,
	};
	const unsigned char *h = d + 16;
	uint32_t w, hgt;

	if (!starts(d, len, "\x89PNG\r\n\x1A\n", 8, 0) || len < 8 + 8 + 13 + 4 ||
	    be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
		return 0;
	w = be32(h);
	hgt = be32(h + 4);
	if (w == 0 || hgt == 0 || w > 0x7fffffffu || hgt > 0x7fffffffu)
		return 0;
	if (h[9] > 6 || !(depths[h[9]] & h[8]) || (h[8] & (h[8] - 1)) || h[10] != 0 ||
	    h[11] != 0 || h[12] > 1)
		return 0;
	return crc32(crc32(0L, Z_NULL, 0), d + 12, 4 + 13) == be32(d + 12 + 4 + 13);
}

/*
 * A JPEG: SOI, then marker segments (ITU T.81 B.1) whose lengths stay
 * inside the bytes, up to a start of scan preceded by a start of frame.
 */
static int jpeg_ok(const unsigned char *d, size_t len)
{
	size_t at = 2;
	int frame = 0;

	if (!starts(d, len, "\xFF\xD8", 2, 0))
		return 0;
	while (at + 4 <= len) {
		unsigned m;
		size_t seg;

		if (d[at] != 0xFF)
			return 0;
		while (at < len && d[at] == 0xFF)  /* fill bytes */
			at++;
		if (at + 3 > len)
			return 0;
		m = d[at++];
		/* markers without a segment: TEM, RSTn; SOI and EOI do not belong here */
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			continue;
		if (m == 0x00 || m == 0xD8 || m == 0xD9)
			return 0;
		seg = (size_t)d[at] << 8 | d[at + 1];
		if (seg < 2 || at + seg > len)
			return 0;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (seg < 8 + 3)  /* precision, height, width, one component */
				return 0;
			frame = 1;
		}
		if (m == 0xDA)
			return frame;
		at += seg;
	}
	return 0;
}

/* The media types disputed keeps, and how their bytes are recognised. */
static int sniff(const char *type, const void *d, size_t len)
{
	if (strcmp(type, "image/jpeg") == 0)
		return jpeg_ok(d, len);
	if (strcmp(type, "image/png") == 0)
		return png_ok(d, len);
	if (strcmp(type, "image/gif") == 0)
		return starts(d, len, "GIF87a", 6, 0) || starts(d, len, "GIF89a", 6, 0);
	if (strcmp(type, "image/webp") == 0)
		return starts(d, len, "RIFF", 4, 0) && starts(d, len, "WEBP", 4, 8);
	if (strcmp(type, "application/pdf") == 0)
		return starts(d, len, "%PDF-", 5, 0);
	if (strcmp(type, "video/mp4") == 0)
		return starts(d, len, "ftyp", 4, 4);
	if (strcmp(type, "text/plain") == 0)
		return g_utf8_validate((const gchar *)d, (gssize)len, NULL) &&
		       memchr(d, '\0', len) == NULL;
	return -1;
}

int blob_check_type(const char *declared, const void *data, size_t len, char bare[64],
		    struct err *e)
{
	size_t n = 0;
	int ok;

	if (!declared || !*declared)
		return err_set(e, RC_UNSUPPORTED, "unsupported_media_type", "Content-Type",
			       "Content-Type is required");
	while (declared[n] && declared[n] != ';' && !isspace((unsigned char)declared[n]) &&
	       n < 63) {
		bare[n] = (char)tolower((unsigned char)declared[n]);
		n++;
	}
	bare[n] = '\0';
	ok = sniff(bare, data, len);
	if (ok < 0)
		return err_set(e, RC_UNSUPPORTED, "unsupported_media_type", "Content-Type",
			       "Content-Type %s is not accepted; use image/jpeg, image/png, "
			       "image/gif, image/webp, application/pdf, text/plain or video/mp4",
			       bare);
	if (!ok)
		return err_set(e, RC_INVAL, "content_type_mismatch", "Content-Type",
			       "the bytes are not %s", bare);
	return RC_OK;
}

int blob_parse_id(const char *s, char hex[65])
{
	size_t i;

	if (strncmp(s, "sha256:", 7) != 0)
		return 0;
	s += 7;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	if (s[64] != '\0')
		return 0;
	memcpy(hex, s, 65);
	return 1;
}

int blobstore_remove(const char *data_dir, const char *digest, struct err *e)
{
	char dir[4200], path[4300], zeros[4096];
	struct stat sb;
	off_t left;
	int fd, rc = RC_OK;

	if (blob_path(data_dir, digest, dir, sizeof(dir), path, sizeof(path)))
		return err_set(e, RC_INVAL, NULL, NULL, "blob path too long");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_set(e, RC_NOTFOUND, NULL, NULL, "no blob %s", digest);
		return err_set(e, RC_IO, NULL, NULL, "cannot open blob %s: %s", digest,
			       strerror(errno));
	}
	/* overwrite in place first: the bytes leave the disk, not only the directory */
	memset(zeros, 0, sizeof(zeros));
	if (fstat(fd, &sb) != 0)
		rc = err_set(e, RC_IO, NULL, NULL, "cannot stat blob %s: %s", digest, strerror(errno));
	for (left = rc ? 0 : sb.st_size; left > 0 && !rc;) {
		size_t n = left < (off_t)sizeof(zeros) ? (size_t)left : sizeof(zeros);

		if (write_all(fd, zeros, n))
			rc = err_set(e, RC_IO, NULL, NULL, "cannot overwrite blob %s: %s", digest,
				     strerror(errno));
		left -= (off_t)n;
	}
	if (!rc && fsync(fd) != 0)
		rc = err_set(e, RC_IO, NULL, NULL, "cannot sync blob %s: %s", digest, strerror(errno));
	close(fd);
	if (!rc && unlink(path) != 0)
		rc = err_set(e, RC_IO, NULL, NULL, "cannot remove blob %s: %s", digest,
			     strerror(errno));
	if (!rc) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (fsync(fd) != 0) {
				/* the unlink stands; a crash may only bring back a zeroed file */
			}
			close(fd);
		}
	}
	return rc;
}
