/* image.c - the photo comparison's entry points: files or buffers in, a verdict out. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "assist/image_int.h"

const char *image_verdict_name(enum image_verdict_kind v)
{
	switch (v) {
	case IMAGE_SAME: return "same";
	case IMAGE_COLOUR_MISMATCH: return "colour_mismatch";
	case IMAGE_DIFFERENT: return "different";
	case IMAGE_INCONCLUSIVE: return "inconclusive";
	}
	return "inconclusive";
}

/* Decode one photo into *sig; *small is set if it is too small to compare. */
static int load_sig(const void *data, size_t len, const char *name, int ext_check,
		    struct image_sig *sig, int *small, struct err *e)
{
	unsigned char *rgb = NULL;
	int w = 0, h = 0, rc;

	*small = 0;
	if ((rc = image_load_thumbnail(data, len, name, ext_check, &rgb, &w, &h, e)))
		return rc;
	if (w < IMAGE_MIN_SIDE || h < IMAGE_MIN_SIDE) {
		*small = 1;
		sig->w = w;
		sig->h = h;
	} else {
		rc = image_sig_build(rgb, w, h, name, sig, e);
	}
	g_free(rgb);
	return rc;
}

static int compare(const void *a, size_t a_len, const void *b, size_t b_len, const char *name_a,
		   const char *name_b, int ext_check, struct image_verdict *out, struct err *e)
{
	struct image_sig *sa, *sb;
	int small_a = 0, small_b = 0, rc;

	memset(out, 0, sizeof(*out));
	sa = malloc(sizeof(*sa));
	sb = malloc(sizeof(*sb));
	if (!sa || !sb) {
		rc = err_set(e, RC_NOMEM, "nomem", NULL, "out of memory");
		goto out;
	}
	if ((rc = load_sig(a, a_len, name_a ? name_a : "image A", ext_check, sa, &small_a, e)) ||
	    (rc = load_sig(b, b_len, name_b ? name_b : "image B", ext_check, sb, &small_b, e)))
		goto out;
	if (small_a || small_b) {
		const struct image_sig *s = small_a ? sa : sb;

		out->verdict = IMAGE_INCONCLUSIVE;
		snprintf(out->explanation, sizeof(out->explanation),
			 "The %s is too small to compare (%dx%d pixels, at least %d a side needed).",
			 small_a ? "listing photo" : "received item's photo", s->w, s->h,
			 IMAGE_MIN_SIDE);
		goto out;
	}
	image_sig_compare(sa, sb, out);
out:
	free(sa);
	free(sb);
	return rc;
}

int image_compare_buffers(const void *a, size_t a_len, const void *b, size_t b_len,
			  const char *name_a, const char *name_b, struct image_verdict *out,
			  struct err *e)
{
	return compare(a, a_len, b, b_len, name_a, name_b, 0, out, e);
}

/*
 * Read a whole regular file of at most IMAGE_MAX_BYTES into *data (freed
 * with free()). A directory, a device or a larger file is refused before
 * anything is read.
 */
static int read_file(const char *path, char **data, size_t *len, struct err *e)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, rc = RC_OK;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_set(e, RC_IO, "unreadable", path, "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = err_set(e, RC_IO, "unreadable", path, "cannot read %s: %s", path,
			     strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(e, RC_IO, "not_a_file", path, "%s is not a regular file", path);
		goto out;
	}
	if (st.st_size > (off_t)IMAGE_MAX_BYTES) {
		rc = err_set(e, RC_TOOBIG, "file_too_large", path, "%s is larger than %u MiB", path,
			     IMAGE_MAX_BYTES >> 20);
		goto out;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (!*data) {
		rc = err_set(e, RC_NOMEM, "nomem", NULL, "out of memory");
		goto out;
	}
	/* read one byte past the size seen, to notice a file that grew */
	while (got <= (size_t)st.st_size) {
		r = read(fd, *data + got, (size_t)st.st_size + 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_set(e, RC_IO, "unreadable", path, "cannot read %s: %s", path,
				     strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > (size_t)st.st_size)
		rc = err_set(e, RC_IO, "unreadable", path, "%s changed while it was read", path);
	*len = got;
out:
	if (rc) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	close(fd);
	return rc;
}

int image_compare_files(const char *a, const char *b, struct image_verdict *out, struct err *e)
{
	char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(rc = read_file(a, &da, &la, e)) && !(rc = read_file(b, &db, &lb, e)))
		rc = compare(da, la, db, lb, a, b, 1, out, e);
	free(da);
	free(db);
	return rc;
}
