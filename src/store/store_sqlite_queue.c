/* store_sqlite_queue.c - the SQLite side of the agent queue: live disputes by tier, then by their next deadline, then by id, paged by that key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

/*
 * The key is computed in SQL: the tier's place in ?2 (a JSON array), the
 * next step's due time in ms from its RFC 3339 text (julianday reads the
 * "Z" and any fraction), and the id. Row values compare the key with the
 * previous page's last one, so a page never repeats or skips a dispute
 * whose key did not change meanwhile.
 */
static const char queue_sql[] =
	"SELECT rank, due, id, body FROM ("
	" SELECT id, body,"
	"  COALESCE((SELECT CAST(t.key AS INTEGER) FROM json_each(?2) t WHERE t.value = tier),"
	"           json_array_length(?2)) AS rank,"
	"  COALESCE(CAST(ROUND((julianday(json_extract(body, '$.next.due_at')) - 2440587.5)"
	"                      * 86400000.0) AS INTEGER), 9223372036854775807) AS due"
	" FROM disputes"
	" WHERE state IN (SELECT value FROM json_each(?1))"
	"  AND (?3 IS NULL OR state = ?3) AND (?4 IS NULL OR tier = ?4)"
	"  AND (?5 IS NULL OR merchant_id = ?5) AND (?6 IS NULL OR consumer_id = ?6)"
	"  AND (?7 IS NULL OR order_id = ?7) AND (?8 < 0 OR overdue = ?8))"
	" WHERE ?9 IS NULL OR (rank, due, id) > (?10, ?11, ?9)"
	" ORDER BY rank, due, id LIMIT ?12";

static int bind_json(sqlite3_stmt *s, int i, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT);

	if (!text)
		return RC_NOMEM;
	sqlite3_bind_text(s, i, text, -1, free);
	return RC_OK;
}

int sq_dispute_queue(struct store *st, const struct store_dispute_filter *f, json_t *states,
		     json_t *tiers, const struct store_queue_pos *after, int limit, json_t **items,
		     struct store_queue_pos *last, int *more, struct err *e)
{
	sqlite3_stmt *s;
	int n = 0, step, rc = sq_prep(st, queue_sql, &s, e);

	*items = NULL;
	*more = 0;
	memset(last, 0, sizeof(*last));
	if (rc)
		return rc;
	if (bind_json(s, 1, states) || bind_json(s, 2, tiers)) {
		sqlite3_finalize(s);
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
	sq_bind_text(s, 3, f->state);
	sq_bind_text(s, 4, f->tier);
	sq_bind_text(s, 5, f->merchant_id);
	sq_bind_text(s, 6, f->consumer_id);
	sq_bind_text(s, 7, f->order_id);
	sqlite3_bind_int(s, 8, f->overdue);
	sq_bind_text(s, 9, after && after->id[0] ? after->id : NULL);
	sqlite3_bind_int(s, 10, after ? after->rank : 0);
	sqlite3_bind_int64(s, 11, after ? after->due : 0);
	sqlite3_bind_int(s, 12, limit + 1);
	*items = json_array();
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == limit) {
			*more = 1;
			break;
		}
		last->rank = sqlite3_column_int(s, 0);
		last->due = sqlite3_column_int64(s, 1);
		snprintf(last->id, sizeof(last->id), "%s", (const char *)sqlite3_column_text(s, 2));
		json_array_append_new(*items, sq_col_json(s, 3));
		n++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = sq_fail(st, e, "list the agent queue");
		json_decref(*items);
		*items = NULL;
		*more = 0;
	}
	sqlite3_finalize(s);
	return rc;
}
