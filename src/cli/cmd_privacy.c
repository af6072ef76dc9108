/* cmd_privacy.c - `disputed privacy`: print the table of who sees what (docs/privacy.md) from the code. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "disclose/disclose.h"

int cmd_privacy(int argc, char **argv)
{
	struct buf out;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: disputed privacy\n\nPrint, as Markdown, which fields of which "
		       "records each role sees, masked or withheld, and why\n(the text of "
		       "docs/privacy.md).\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: disputed privacy\n");
		return 2;
	}
	buf_init(&out, 1 << 20);
	rc = disclose_table_markdown(&out);
	if (!rc && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = RC_IO;
	buf_release(&out);
	return rc ? cli_fail("cannot print the table") : 0;
}
