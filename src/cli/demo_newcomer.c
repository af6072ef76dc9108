/* demo_newcomer.c - the orders a newcomer to `make demo` opens a dispute on: paid yesterday, signed for this morning, not yet disputed. */
#include "cli/demo_newcomer.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/jsonx.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

#define HOUR_MS (3600 * 1000LL)
#define BEIJING_MS (8 * HOUR_MS)
/* whole seconds, as the demo's records */
#define WHOLE_S(ms) ((ms) - (ms) % 1000)

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* What an order of the link's consumer from the link's merchant needs: their names as imported, and a listing. */
struct parties {
	json_t *consumer, *merchant, *listing;
};

static int parties_read(struct store *st, const char *consumer_id, const char *merchant_id,
			struct parties *p, struct err *e)
{
	struct store_filter f = {.merchant_id = merchant_id};
	json_t *listings = NULL;
	int64_t next;
	int rc;

	rc = store_get(st, STORE_CONSUMER, consumer_id, &p->consumer, e);
	if (!rc)
		rc = store_get(st, STORE_MERCHANT, merchant_id, &p->merchant, e);
	if (!rc)
		rc = store_list(st, STORE_LISTING, &f, 0, 1, &listings, &next, e);
	if (!rc && json_array_size(listings) != 1)
		rc = err_set(e, RC_INTERNAL, "internal", NULL, "the demo's merchant has no listing");
	if (!rc)
		p->listing = json_incref(json_array_get(listings, 0));
	json_decref(listings);
	if (!rc && (!str(p->consumer, "external_id") || !str(p->consumer, "name") ||
		    !str(p->consumer, "phone") || !str(p->merchant, "external_id") ||
		    !str(p->listing, "external_id") ||
		    !json_is_integer(json_object_get(json_object_get(p->listing, "price"), "amount"))))
		rc = err_set(e, RC_INTERNAL, "internal", NULL, "the demo's parties lack a field");
	return rc;
}

/* Order `i` of the newcomer, paid at `paid`, as one import line. */
static json_t *order_line(const struct parties *p, int i, int64_t paid)
{
	json_int_t price = json_integer_value(json_object_get(json_object_get(p->listing, "price"), "amount"));
	time_t secs = (time_t)((paid + BEIJING_MS) / 1000);
	char ext[64], txn[64];
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(ext, sizeof(ext), "N%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, i);
	snprintf(txn, sizeof(txn), "%04d%02d%02d22001%015d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, 424242000 + i);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:[{s:s, s:i, s:{s:I, s:s}}],"
			 " s:{s:I, s:s}, s:o, s:{s:s, s:s}}",
			 "type", "order", "external_id", ext,
			 "consumer", "external_id", str(p->consumer, "external_id"),
			 "name", str(p->consumer, "name"), "phone", str(p->consumer, "phone"),
			 "merchant", str(p->merchant, "external_id"),
			 "items", "listing", str(p->listing, "external_id"), "quantity", 1,
			 "unit_price", "amount", price, "currency", "CNY",
			 "total", "amount", price, "currency", "CNY",
			 "paid_at", jx_time_json(paid),
			 "payment", "channel", "alipay", "transaction_id", txn);
}

/* One step (`status`, at `at`) of the parcel of the newcomer's order `ext`, number `i`. */
static json_t *parcel_line(const char *ext, int i, const char *status, int64_t at)
{
	char tracking[24];

	snprintf(tracking, sizeof(tracking), "SF14%09d", 620000 + i);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "type", "logistics",
			 "order", ext, "carrier", "顺丰速运", "tracking_number", tracking,
			 "status", status, "occurred_at", jx_time_json(at), "location", "浙江省杭州市",
			 "detail", !strcmp(status, "signed") ? "您的快件已签收，签收人：本人" :
				   !strcmp(status, "delivered") ? "快件已送达，派送员：王师傅" :
								 "顺丰速运已揽收");
}

static int ingest_line(struct store *st, const char *data, int64_t now, json_t *line,
		       struct err *e)
{
	struct ingest_ctx c = {.st = st, .data_dir = data, .now = now};
	json_t *out = NULL;
	int rc;

	if (!line)
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot build a newcomer's order");
	rc = ingest_record(&c, line, &out, e);
	json_decref(out);
	json_decref(line);
	return rc;
}

/*
 * The newcomer's order `i`: paid within the `span` ms before `now` (30
 * hours, or less when the consumer already has an order paid later than
 * that, so that these stay the newest on the consumer's home), then
 * shipped, delivered and signed for, each step at the same share of the
 * span as in 30 hours: paid 30 and 29 hours ago, shipped 3 hours after,
 * delivered 3 hours ago, signed for 2.
 */
static int newcomer_order(struct store *st, const char *data, const struct parties *p, int i,
			  int64_t now, int64_t span, struct err *e)
{
	static const char *const steps[] = {"shipped", "delivered", "signed"};
	int64_t paid = WHOLE_S(now - span + i * span / 30);
	int64_t at[3] = {WHOLE_S(paid + span / 10), WHOLE_S(now - span / 10),
			 WHOLE_S(now - span / 15 - i * span / 1800)};
	json_t *order = order_line(p, i, paid);
	char ext[40];
	int rc, k;

	if (!order)
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot build a newcomer's order");
	snprintf(ext, sizeof(ext), "%s", str(order, "external_id"));
	rc = ingest_line(st, data, paid, order, e);
	for (k = 0; k < 3 && !rc; k++)
		rc = ingest_line(st, data, at[k], parcel_line(ext, i, steps[k], at[k]), e);
	return rc;
}

/* When the consumer's latest order was paid (0 for none), over at most 100 pages of its orders. */
static int latest_paid(struct store *st, const char *consumer_id, int64_t *latest, struct err *e)
{
	struct store_filter f = {.consumer_id = consumer_id};
	int64_t after = 0, paid;
	json_t *page = NULL, *o;
	size_t i;
	int rc = RC_OK, pages;

	*latest = 0;
	for (pages = 0; pages < 100 && !rc; pages++) {
		rc = store_list(st, STORE_ORDER, &f, after, 100, &page, &after, e);
		json_array_foreach(page, i, o) {
			if (!rc && time_parse(str(o, "paid_at"), &paid) == RC_OK && paid > *latest)
				*latest = paid;
		}
		json_decref(page);
		page = NULL;
		if (after == 0)
			break;
	}
	return rc;
}

int demo_newcomer_orders(struct store *st, const char *data, const char *consumer_id,
			 const char *merchant_id, int n, int64_t now, struct err *e)
{
	struct parties p = {0};
	int64_t latest = 0, span = 30 * HOUR_MS;
	int rc, i;

	now -= now % 1000; /* whole seconds, as the demo's records */
	rc = store_begin(st, e);
	if (rc)
		return rc;
	rc = parties_read(st, consumer_id, merchant_id, &p, e);
	if (!rc)
		rc = latest_paid(st, consumer_id, &latest, e);
	/* after the consumer's latest order, a minute at least; never more than 30 hours ago */
	if (!rc && latest > now - 30 * HOUR_MS)
		span = latest < now - 2 * 60000 ? now - latest - 60000 : 60000;
	for (i = 0; i < n && !rc; i++)
		rc = newcomer_order(st, data, &p, i, now, span, e);
	json_decref(p.consumer);
	json_decref(p.merchant);
	json_decref(p.listing);
	if (store_end(st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}
