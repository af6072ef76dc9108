/* pdf_fields.c - how a record reads in the package PDF: field values, withheld fields, money, times, the bundle's words in Chinese and English, and each record's source and leaf hash. */
#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/timeutil.h"
#include "disclose/pdf_int.h"
#include "evidence/leaf.h"
#include "tlog/merkle.h"

const char *pdf_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The field object of a record, or NULL. */
const json_t *pdf_rec_field(const json_t *rec, const char *name)
{
	return json_object_get(json_object_get(rec, "fields"), name);
}

/* A disclosed field's value, or NULL (withheld or absent). */
const char *pdf_rec_value(const json_t *rec, const char *name)
{
	return pdf_str(pdf_rec_field(rec, name), "value");
}

void pdf_mk_text(GString *m, const char *text)
{
	char *esc = g_markup_escape_text(text ? text : "", -1);

	g_string_append(m, esc);
	g_free(esc);
}

void pdf_mk_span(GString *m, const char *span, const char *text)
{
	g_string_append(m, span);
	pdf_mk_text(m, text);
	g_string_append(m, SPAN_END);
}

/* ---- masked renderings ---- */

/* The chain seq of a record, or -1 when it has none. */
static json_int_t chain_seq(const json_t *r)
{
	const json_t *seq = json_object_get(json_object_get(r, "chain"), "seq");

	return json_is_integer(seq) ? json_integer_value(seq) : -1;
}

/*
 * The package_viewed event whose masked renderings the PDF shows: the last
 * by chain seq of this package's own views (its `disclosure` is the cover's
 * package id) if there are any, else of all; NULL if none. *no is its
 * number in the evidence list.
 */
static const json_t *masked_event(const struct pdf_doc *d, size_t *no)
{
	const char *own = d->cover->package_id, *dsc;
	const json_t *r, *ev = NULL;
	int ev_own = 0;
	size_t i;

	json_array_foreach(d->records, i, r) {
		const char *type = pdf_rec_value(r, "type");
		int is_own;

		if (strcmp(pdf_str(r, "type"), "disclosure_event") != 0 || !type ||
		    strcmp(type, "package_viewed") != 0)
			continue;
		dsc = pdf_rec_value(r, "disclosure");
		is_own = own && dsc && strcmp(own, dsc) == 0;
		if (!ev || is_own > ev_own || (is_own == ev_own && chain_seq(r) >= chain_seq(ev))) {
			ev = r;
			ev_own = is_own;
			*no = i + 1;
		}
	}
	return ev;
}

int pdf_masked_load(struct pdf_doc *d)
{
	const json_t *ev = masked_event(d, &d->masked_event);
	const char *rec, *field, *text;
	char name[64];
	unsigned n;

	if (!ev)
		return RC_OK;
	d->masked = json_object();
	if (!d->masked)
		return RC_NOMEM;
	/* data.masked[0].record, .field, .value; data.masked[1]…: as an array is flattened */
	for (n = 0;; n++) {
		json_t *of;

		snprintf(name, sizeof name, "data.masked[%u].record", n);
		if (!pdf_rec_field(ev, name))
			break;
		rec = pdf_rec_value(ev, name);
		snprintf(name, sizeof name, "data.masked[%u].field", n);
		field = pdf_rec_value(ev, name);
		snprintf(name, sizeof name, "data.masked[%u].value", n);
		text = pdf_rec_value(ev, name);
		if (!rec || !field || !text)
			continue; /* withheld here too: nothing to show */
		of = json_object_get(d->masked, rec);
		if (!of) {
			of = json_object();
			if (json_object_set_new(d->masked, rec, of))
				return RC_NOMEM;
		}
		if (json_object_set_new(of, field, json_string(text)))
			return RC_NOMEM;
	}
	return RC_OK;
}

/* The masked rendering of field `name` of `rec`, or NULL. */
static const char *masked_text(const struct pdf_doc *d, const json_t *rec, const char *name)
{
	const char *id = pdf_str(rec, "id");

	if (!d->masked || !id)
		return NULL;
	return json_string_value(json_object_get(json_object_get(d->masked, id), name));
}

/* ---- fields ---- */

void pdf_mk_field(struct pdf_doc *d, GString *m, const json_t *rec, const char *name)
{
	const json_t *f = pdf_rec_field(rec, name);
	const char *v = pdf_str(f, "value"), *c = pdf_str(f, "commitment");
	const char *masked = !v && c ? masked_text(d, rec, name) : NULL;

	if (v) {
		pdf_mk_text(m, v);
	} else if (masked) {
		pdf_mk_text(m, masked);
		g_string_append(m, SPAN_MASKED "（已遮蔽 / masked）" SPAN_END);
		d->nmasked++;
	} else if (c) {
		g_string_append(m, SPAN_HELD "已隐去 (withheld): commitment " SPAN_END);
		pdf_mk_span(m, SPAN_MONO, c);
	} else {
		g_string_append(m, "—");
	}
}

/* Money in fen as "19.99 (1999 分 fen)", else the text itself. */
void pdf_mk_amount(GString *m, const char *fen)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = fen ? strtoll(fen, &end, 10) : 0;
	if (!fen || errno || end == fen || *end || v == LLONG_MIN) {
		pdf_mk_text(m, fen);
		return;
	}
	g_string_append_printf(m, "%s%lld.%02lld (%lld 分 fen)", v < 0 ? "-" : "",
			       llabs(v) / 100, llabs(v) % 100, v);
}

/* An RFC 3339 time as "2025-10-03 18:00:00 (UTC+8)" and, below, the UTC text. */
void pdf_mk_time(GString *m, const char *rfc)
{
	int64_t ms;
	time_t t;
	struct tm tm;
	char local[40];

	if (!rfc) {
		g_string_append(m, "—");
		return;
	}
	if (time_parse(rfc, &ms) != RC_OK) {
		pdf_mk_text(m, rfc);
		return;
	}
	t = (time_t)(ms / 1000) + 8 * 3600;
	if (!gmtime_r(&t, &tm) || !strftime(local, sizeof local, "%Y-%m-%d %H:%M:%S", &tm)) {
		pdf_mk_text(m, rfc);
		return;
	}
	g_string_append_printf(m, "%s (UTC+8)\n", local);
	pdf_mk_span(m, SPAN_UTC, rfc);
}

struct vocab {
	const char *key;  /* the bundle's word */
	const char *text; /* what the reader sees */
};

static const char *vocab_find(const struct vocab *v, const char *key)
{
	for (; key && v->key; v++)
		if (strcmp(v->key, key) == 0)
			return v->text;
	return NULL;
}

static const struct vocab type_names[] = {
	{"merchant", "经营者身份 Merchant identity"},
	{"listing", "商品页面 Listing"},
	{"order", "订单 Order"},
	{"payment", "支付凭证 Payment"},
	{"logistics", "物流记录 Logistics event"},
	{"message", "聊天记录 Chat message"},
	{"dispute_event", "争议记录 Dispute event"},
	{"blob", "文件 File"},
	{"ledger_entry", "资金记录 Ledger entry"},
	{NULL, NULL},
};

static const struct vocab role_names[] = {
	{"consumer", "消费者 consumer"},
	{"merchant", "经营者 merchant"},
	{"platform", "平台 platform"},
	{"agent", "平台客服 agent"},
	{"system", "系统 system"},
	{"court", "法院 court"},
	{"association", "消费者协会 association"},
	{"regulator", "监管部门 regulator"},
	{NULL, NULL},
};

static const struct vocab status_names[] = {
	{"shipped", "已发货 shipped"},
	{"in_transit", "运输中 in transit"},
	{"delivered", "已送达 delivered"},
	{"signed", "已签收 signed"},
	{"returned", "已退回 returned"},
	{"lost", "丢失 lost"},
	{NULL, NULL},
};

/* Chinese labels of the fields readers meet most; others show their name only. */
static const struct vocab field_names[] = {
	{"kind", "主体类型"},
	{"legal_name", "名称"},
	{"uscc", "统一社会信用代码"},
	{"id_number", "身份证件号码"},
	{"registered_address", "注册地址"},
	{"contact.phone", "联系电话"},
	{"contact.email", "电子邮箱"},
	{"licence_image", "营业执照"},
	{"identity_complete", "身份信息完整"},
	{"external_id", "平台编号"},
	{"version", "版本"},
	{"merchant", "经营者"},
	{"title", "标题"},
	{"description", "描述"},
	{"price.amount", "价格"},
	{"price.currency", "币种"},
	{"return_exclusion", "不适用七日无理由退货"},
	{"compensation_multiplier", "赔偿倍数承诺"},
	{"consumer.id", "消费者编号"},
	{"consumer.external_id", "消费者平台编号"},
	{"consumer.name", "消费者姓名"},
	{"consumer.phone", "消费者电话"},
	{"total.amount", "订单总额"},
	{"total.currency", "币种"},
	{"order", "订单"},
	{"channel", "支付渠道"},
	{"transaction_id", "交易号"},
	{"paid_at", "支付时间"},
	{"amount", "金额"},
	{"currency", "币种"},
	{NULL, NULL},
};

const char *pdf_word(enum pdf_vocab v, const char *key)
{
	static const struct vocab *const vocabs[] = {
		[VOCAB_TYPE] = type_names,
		[VOCAB_ROLE] = role_names,
		[VOCAB_STATUS] = status_names,
		[VOCAB_FIELD] = field_names,
	};

	return vocab_find(vocabs[v], key);
}

void pdf_mk_word_field(struct pdf_doc *d, GString *m, const json_t *rec, const char *name,
		       enum pdf_vocab v)
{
	const char *word = pdf_word(v, pdf_rec_value(rec, name));

	if (word)
		pdf_mk_text(m, word);
	else
		pdf_mk_field(d, m, rec, name);
}

int pdf_is_amount_field(const char *name)
{
	size_t n = strlen(name);

	return n >= 6 && strcmp(name + n - 6, "amount") == 0;
}

int pdf_is_time_field(const char *name)
{
	size_t n = strlen(name);

	return n >= 3 && (strcmp(name + n - 3, "_at") == 0);
}

/* ---- records ---- */

int pdf_record_leaf_hash(const json_t *rec, char out[45])
{
	struct leaf_head h;
	struct buf leaf;
	struct err e;
	json_t *commits = json_object(), *chain = json_object_get(rec, "chain");
	const json_t *fields = json_object_get(rec, "fields"), *blobs = json_object_get(rec, "blobs");
	const char *name;
	json_t *f;
	uint8_t salt[LEAF_SALT_SIZE], c[32], hash[TLOG_HASH_SIZE];
	char text[64];
	size_t n;
	int rc = RC_INVAL;

	buf_init(&leaf, LEAF_MAX + 1);
	memset(&h, 0, sizeof h);
	h.type = pdf_str(rec, "type");
	h.id = pdf_str(rec, "id");
	if (!commits || !h.type || !h.id || !json_is_object(fields) || !json_is_array(blobs) ||
	    !pdf_str(rec, "time") || time_parse(pdf_str(rec, "time"), &h.time_ms) != RC_OK)
		goto out;
	if (chain) {
		h.order = pdf_str(chain, "order");
		h.seq = json_integer_value(json_object_get(chain, "seq"));
		h.prev = pdf_str(chain, "prev");
		h.links = json_object_get(chain, "links");
	}
	json_object_foreach((json_t *)fields, name, f) {
		const char *v = pdf_str(f, "value"), *s = pdf_str(f, "salt"), *cm = pdf_str(f, "commitment");

		if (cm) {
			if (json_object_set_new(commits, name, json_string(cm)))
				goto out;
			continue;
		}
		if (!v || !s ||
		    sodium_base642bin(salt, sizeof salt, s, strlen(s), NULL, &n, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof salt)
			goto out;
		leaf_commit(name, salt, v, strlen(v), c);
		sodium_bin2base64(text, sizeof text, c, sizeof c, sodium_base64_VARIANT_ORIGINAL);
		if (json_object_set_new(commits, name, json_string(text)))
			goto out;
	}
	if (leaf_encode(&h, (json_t *)blobs, commits, &leaf, &e) != RC_OK)
		goto out;
	tlog_leaf_hash(leaf.data, leaf.len, hash);
	sodium_bin2base64(out, 45, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
	rc = RC_OK;
out:
	json_decref(commits);
	buf_release(&leaf);
	return rc;
}

/* The first record of `type`, or NULL. */
const json_t *pdf_record_of(const struct pdf_doc *d, const char *type)
{
	size_t i;
	const json_t *r;

	json_array_foreach(d->records, i, r)
		if (pdf_str(r, "type") && strcmp(pdf_str(r, "type"), type) == 0)
			return r;
	return NULL;
}

/* The evidence-list number (from 1) of the record with `id` and `type`, or 0. */
size_t pdf_record_number(const struct pdf_doc *d, const char *type, const char *id)
{
	size_t i;
	const json_t *r;

	json_array_foreach(d->records, i, r)
		if (pdf_str(r, "type") && pdf_str(r, "id") && strcmp(pdf_str(r, "type"), type) == 0 &&
		    strcmp(pdf_str(r, "id"), id) == 0)
			return i + 1;
	return 0;
}

void pdf_mk_source(struct pdf_doc *d, GString *m, const json_t *r)
{
	const char *t = pdf_str(r, "type");

	if (strcmp(t, "merchant") == 0) {
		g_string_append(m, "经营者登记\nMerchant registration");
	} else if (strcmp(t, "listing") == 0) {
		g_string_append(m, "经营者发布\nPublished by the merchant");
	} else if (strcmp(t, "order") == 0) {
		g_string_append(m, "平台订单系统\nPlatform order system");
	} else if (strcmp(t, "payment") == 0) {
		g_string_append(m, "支付渠道 Payment channel: ");
		pdf_mk_field(d, m, r, "channel");
	} else if (strcmp(t, "logistics") == 0) {
		g_string_append(m, "承运人 Carrier: ");
		pdf_mk_field(d, m, r, "carrier");
	} else if (strcmp(t, "message") == 0) {
		g_string_append(m, "发送方 Sender: ");
		pdf_mk_word_field(d, m, r, "sender", VOCAB_ROLE);
	} else if (strcmp(t, "dispute_event") == 0) {
		g_string_append(m, "争议处理 Dispute: ");
		pdf_mk_word_field(d, m, r, "actor.role", VOCAB_ROLE);
	} else if (strcmp(t, "blob") == 0) {
		g_string_append(m, "上传文件 Upload\n");
		pdf_mk_field(d, m, r, "content_type");
		g_string_append(m, ", ");
		pdf_mk_field(d, m, r, "size");
		g_string_append(m, " 字节 bytes");
	} else {
		g_string_append(m, "平台 Platform");
	}
}

size_t pdf_count_type(const struct pdf_doc *d, const char *type)
{
	const json_t *r;
	size_t i, n = 0;

	json_array_foreach(d->records, i, r)
		n += strcmp(pdf_str(r, "type"), type) == 0;
	return n;
}

