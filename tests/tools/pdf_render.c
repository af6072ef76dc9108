/* pdf_render.c - a test tool: render an evidence bundle file as the package PDF with pdf_render_package_to. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "disclose/pdf.h"

/*
 * usage: pdf_render [--data DIR] [--COVER-FIELD TEXT]… BUNDLE OUT.pdf
 * Cover fields: --package-id, --consumer, --merchant, --requester,
 * --purpose, --basis, --reference, --scope, --released-at,
 * --identity-note, --id-number. OUT "-" is standard output. Exit 0 on
 * success, 1 if rendering failed (the error on standard error), 2 on
 * bad usage or an unreadable bundle.
 */

static int file_sink(void *arg, const unsigned char *data, size_t len)
{
	return fwrite(data, 1, len, arg) == len ? RC_OK : RC_IO;
}

static const char **cover_slot(struct pdf_cover *c, const char *opt)
{
	static const struct {
		const char *opt;
		size_t off;
	} map[] = {
		{"--package-id", offsetof(struct pdf_cover, package_id)},
		{"--consumer", offsetof(struct pdf_cover, consumer)},
		{"--merchant", offsetof(struct pdf_cover, merchant)},
		{"--requester", offsetof(struct pdf_cover, requester)},
		{"--purpose", offsetof(struct pdf_cover, purpose)},
		{"--basis", offsetof(struct pdf_cover, legal_basis)},
		{"--reference", offsetof(struct pdf_cover, reference)},
		{"--scope", offsetof(struct pdf_cover, scope)},
		{"--released-at", offsetof(struct pdf_cover, released_at)},
		{"--identity-note", offsetof(struct pdf_cover, merchant_identity_note)},
		{"--id-number", offsetof(struct pdf_cover, merchant_id_number)},
	};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].opt, opt) == 0)
			return (const char **)(void *)((char *)c + map[i].off);
	return NULL;
}

int main(int argc, char **argv)
{
	struct pdf_cover cover;
	const char *data_dir = NULL, *in = NULL, *outp = NULL, **slot;
	json_t *bundle;
	json_error_t jerr;
	struct err e;
	FILE *out;
	int i, rc;

	memset(&cover, 0, sizeof cover);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			data_dir = argv[++i];
		} else if (strncmp(argv[i], "--", 2) == 0 && i + 1 < argc &&
			   (slot = cover_slot(&cover, argv[i])) != NULL) {
			*slot = argv[++i];
		} else if (!in) {
			in = argv[i];
		} else if (!outp) {
			outp = argv[i];
		} else {
			in = NULL;
			break;
		}
	}
	if (!in || !outp) {
		fprintf(stderr, "usage: pdf_render [--data DIR] [--package-id ID] [--requester T] "
				"[--purpose T] [--basis T] … BUNDLE OUT.pdf\n");
		return 2;
	}
	bundle = json_load_file(in, 0, &jerr);
	if (!bundle) {
		fprintf(stderr, "pdf_render: %s: %s\n", in, jerr.text);
		return 2;
	}
	out = strcmp(outp, "-") == 0 ? stdout : fopen(outp, "wb");
	if (!out) {
		fprintf(stderr, "pdf_render: cannot write %s\n", outp);
		json_decref(bundle);
		return 2;
	}
	err_clear(&e);
	rc = pdf_render_package_to(bundle, &cover, data_dir, file_sink, out, &e);
	json_decref(bundle);
	if (out != stdout && fclose(out) != 0 && rc == RC_OK)
		rc = RC_IO;
	if (rc != RC_OK) {
		fprintf(stderr, "pdf_render: %s (%s)\n", e.message[0] ? e.message : rc_strerror(rc),
			e.code);
		return 1;
	}
	return 0;
}
