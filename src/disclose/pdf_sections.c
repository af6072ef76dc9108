/* pdf_sections.c - the package PDF's sections of text and tables: cover, evidence list (证据目录), order, listing and payment, chat, logistics, dispute timeline, how to verify. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "disclose/pdf_int.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"

/* ---- rows of two-column tables: a label and what it names ---- */

/* Start a row with its label; the caller fills c[1] and draws it with pdf_table_row. */
static void item_begin(GString **c, const char *label)
{
	pdf_cells_new(c, 2);
	g_string_append(c[0], label);
}

/* A row of a label and a text, in `span` (one of the SPAN_ macros) or, when NULL, plain. */
static void item_row(struct pdf_doc *d, const char *label, const char *span, const char *text)
{
	GString *c[2];

	item_begin(c, label);
	if (span)
		pdf_mk_span(c[1], span, text);
	else
		pdf_mk_text(c[1], text);
	pdf_table_row(d, c);
}

/* A cover row: the caller's text if `given`, else field `field` of `rec`, else no row. */
static void cover_row(struct pdf_doc *d, const char *label, const char *given, const json_t *rec,
		      const char *field)
{
	GString *c[2];

	if (given) {
		item_row(d, label, NULL, given);
	} else if (pdf_rec_field(rec, field)) {
		item_begin(c, label);
		pdf_mk_field(d, c[1], rec, field);
		pdf_table_row(d, c);
	}
}

/* The log's origin, as the cover gives it or the bundle holds it; NULL if neither. */
static const char *log_origin(const struct pdf_doc *d)
{
	return d->cover->log_origin ? d->cover->log_origin
				    : pdf_str(json_object_get(d->bundle, "log"), "origin");
}

/* The signed checkpoint's text, as the cover gives it or the bundle holds it; NULL if neither. */
static const char *checkpoint_text(const struct pdf_doc *d)
{
	return d->cover->checkpoint ? d->cover->checkpoint : pdf_str(d->bundle, "checkpoint");
}

/* The checkpoint parsed into *ck: 1, or 0 when there is none or it cannot be read. */
static int checkpoint_read(const struct pdf_doc *d, struct tlog_checkpoint *ck)
{
	const char *cp = checkpoint_text(d);
	struct tlog_note note;
	struct err e;
	int ok;

	tlog_note_init(&note);
	ok = cp && tlog_note_parse(&note, cp, strlen(cp), &e) == RC_OK &&
	     tlog_checkpoint_parse(ck, note.text, note.text_len, &e) == RC_OK;
	tlog_note_release(&note);
	return ok;
}

/* ---- sections ---- */

void pdf_section_cover(struct pdf_doc *d)
{
	static const double w[] = {176, BODY_W - 176};
	static const char *const head[] = {"<b>项目 Item</b>", "<b>内容 Content</b>"};
	static const struct pdf_table t = {2, w, head};
	const struct pdf_cover *cv = d->cover;
	const json_t *mer = pdf_record_of(d, "merchant"), *ord = pdf_record_of(d, "order");
	struct tlog_checkpoint ck;
	GString *m = g_string_new(NULL), *c[2];
	char size[32] = "—";

	pdf_page_new(d);
	d->y += 6;
	pdf_text(d, ST_TITLE, "电子商务争议证据材料", 2);
	pdf_text(d, ST_H1, "Evidence package of an e-commerce dispute", 4);
	pdf_text(d, ST_SMALL,
		 "依据《中华人民共和国电子商务法》第六十一条、第六十二条提供 · "
		 "Provided under Articles 61 and 62 of the PRC E-Commerce Law", 18);

	pdf_table_begin(d, &t);
	cover_row(d, "材料编号 Package", d->package_id, NULL, NULL);
	cover_row(d, "订单 Order", d->order_id, NULL, NULL);
	if (cv->released_at) {
		item_begin(c, "提供时间 Released at");
		pdf_mk_time(c[1], cv->released_at);
		pdf_table_row(d, c);
	}
	if (cv->consumer) {
		cover_row(d, "消费者 Consumer", cv->consumer, NULL, NULL);
	} else if (ord) {
		item_begin(c, "消费者 Consumer");
		pdf_mk_field(d, c[1], ord, "consumer.name");
		g_string_append(c[1], "\n");
		pdf_mk_field(d, c[1], ord, "consumer.id");
		pdf_table_row(d, c);
	}
	if (cv->merchant) {
		cover_row(d, "经营者 Merchant", cv->merchant, NULL, NULL);
	} else if (mer) {
		item_begin(c, "经营者 Merchant");
		pdf_mk_field(d, c[1], mer, "legal_name");
		g_string_append(c[1], "\n");
		pdf_mk_text(c[1], pdf_str(mer, "id"));
		pdf_table_row(d, c);
	}
	pdf_table_end(d, 6);

	pdf_heading(d, "经营者身份信息 Merchant identity", 0);
	if (cv->merchant_identity_note) {
		g_string_truncate(m, 0);
		g_string_append(m, "<b>" SPAN_HELD "注意 Note: ");
		pdf_mk_text(m, cv->merchant_identity_note);
		g_string_append(m, SPAN_END "</b>");
		pdf_block(d, ST_BODY, m->str, 4);
	}
	pdf_table_begin(d, &t);
	cover_row(d, "主体类型 Kind", cv->merchant_kind, mer, "kind");
	cover_row(d, "名称 Legal name", cv->merchant_legal_name, mer, "legal_name");
	cover_row(d, "统一社会信用代码 USCC", cv->merchant_uscc, mer, "uscc");
	cover_row(d, "身份证件号码 ID number", cv->merchant_id_number, mer, "id_number");
	cover_row(d, "注册地址 Registered address", cv->merchant_address, mer, "registered_address");
	if (cv->merchant_contact) {
		cover_row(d, "联系方式 Contact", cv->merchant_contact, NULL, NULL);
	} else {
		cover_row(d, "联系电话 Phone", NULL, mer, "contact.phone");
		cover_row(d, "电子邮箱 Email", NULL, mer, "contact.email");
	}
	cover_row(d, "身份信息完整 Identity complete", NULL, mer, "identity_complete");
	pdf_table_end(d, 6);

	pdf_heading(d, "提供情况 Release", 0);
	pdf_table_begin(d, &t);
	cover_row(d, "申请人 Requester", cv->requester ? cv->requester : "—", NULL, NULL);
	cover_row(d, "用途 Purpose", cv->purpose ? cv->purpose : "—", NULL, NULL);
	cover_row(d, "法律依据 Legal basis", cv->legal_basis ? cv->legal_basis : "—", NULL, NULL);
	cover_row(d, "文号 Reference", cv->reference, NULL, NULL);
	cover_row(d, "提供范围 Scope", cv->scope, NULL, NULL);
	item_begin(c, "日志 Log");
	pdf_mk_span(c[1], SPAN_MONO, log_origin(d));
	if (checkpoint_read(d, &ck))
		snprintf(size, sizeof size, "%" PRIu64, ck.size);
	g_string_append_printf(c[1], "\n检查点 checkpoint: %s 条 entries; %zu 项记录 records", size,
			       json_array_size(d->records));
	pdf_table_row(d, c);
	pdf_table_end(d, 14);

	pdf_block(d, ST_SMALL,
		  "本 PDF 是证据包的阅读副本。具有证明力的是同时提供的 JSON 证据包（package.json）：其中每一项记录都由"
		  "透明日志的签名检查点约束，任何人可离线核验，方法见“如何核验”一页。标为“已隐去”的字段未予提供，"
		  "但其加盐承诺值已在日志中固定，内容不可更改。\n"
		  "This PDF is a reading copy. The evidence is the JSON package (package.json) it comes with: "
		  "every record in it is bound to a signed checkpoint of a transparency log and can be verified "
		  "offline, as the page “How to verify” explains. Fields marked “withheld” were not released, "
		  "yet their salted commitments are fixed in the log and cannot change.",
		  0);
	g_string_free(m, TRUE);
}

void pdf_section_catalogue(struct pdf_doc *d)
{
	static const double w[] = {26, 64, 66, 96, 28, BODY_W - 280};
	static const char *const head[] = {
		"<b>序号</b>\nNo.", "<b>类型</b>\nType", "<b>来源</b>\nSource",
		"<b>时间</b>\nTime", "<b>叶</b>\nLeaf",
		"<b>记录编号 / 叶哈希 / 文件摘要</b>\nRecord id / leaf hash / file digest"};
	static const struct pdf_table t = {6, w, head};
	const json_t *r, *b;
	size_t i, j;
	char hash[45];

	pdf_heading(d, "证据目录 Evidence list", 1);
	pdf_block(d, ST_SMALL,
		  "每一项记录在透明日志中为一个叶子（leaf）。叶哈希由记录本身重新计算，可在日志中查到。"
		  "时间为平台收到记录的时间。\nEach record is one leaf of the transparency log; its leaf hash "
		  "is recomputed from the record and can be looked up in the log. Times are when the platform "
		  "received the record.",
		  6);
	pdf_table_begin(d, &t);
	json_array_foreach(d->records, i, r) {
		GString *c[6];
		const char *type = pdf_str(r, "type");

		pdf_cells_new(c, 6);
		g_string_append_printf(c[0], "%zu", i + 1);
		pdf_mk_text(c[1], pdf_word(VOCAB_TYPE, type) ? pdf_word(VOCAB_TYPE, type) : type);
		pdf_mk_source(d, c[2], r);
		pdf_mk_time(c[3], pdf_str(r, "time"));
		if (json_is_integer(json_object_get(r, "leaf_index")))
			g_string_append_printf(c[4], "%" JSON_INTEGER_FORMAT,
					       json_integer_value(json_object_get(r, "leaf_index")));
		g_string_append(c[5], SPAN_MONO);
		pdf_mk_text(c[5], pdf_str(r, "id"));
		g_string_append(c[5], SPAN_END "\n" SPAN_GREY "leaf " SPAN_END SPAN_MONO);
		pdf_mk_text(c[5], pdf_record_leaf_hash(r, hash) == RC_OK ? hash : "— (cannot be computed)");
		g_string_append(c[5], SPAN_END);
		json_array_foreach(json_object_get(r, "blobs"), j, b) {
			if (strcmp(type, "blob") == 0)
				break; /* a file's digest is its id */
			g_string_append(c[5], "\n" SPAN_GREY "file " SPAN_END SPAN_MONO);
			pdf_mk_text(c[5], json_string_value(b));
			g_string_append(c[5], SPAN_END);
		}
		pdf_table_row(d, c);
	}
	pdf_table_end(d, 8);
}

/* Every field of a record as a two-column table. */
static void record_fields(struct pdf_doc *d, const json_t *r)
{
	static const double w[] = {170, BODY_W - 170};
	static const char *const head[] = {"<b>字段 Field</b>", "<b>内容 Value</b>"};
	static const struct pdf_table t = {2, w, head};
	const char *name;
	const json_t *f;
	GString *m = g_string_new(NULL);
	const char *type = pdf_str(r, "type");

	g_string_append_printf(m, "%s · ", pdf_word(VOCAB_TYPE, type) ? pdf_word(VOCAB_TYPE, type)
								  : type);
	g_string_append_printf(m, "证据 #%zu · %s", pdf_record_number(d, type, pdf_str(r, "id")),
			       pdf_str(r, "id"));
	pdf_heading(d, m->str, 0);
	g_string_free(m, TRUE);
	pdf_table_begin(d, &t);
	json_object_foreach((json_t *)json_object_get(r, "fields"), name, f) {
		GString *c[2];
		const char *label = pdf_word(VOCAB_FIELD, name), *v = pdf_str(f, "value");

		pdf_cells_new(c, 2);
		if (label) {
			pdf_mk_text(c[0], label);
			g_string_append(c[0], "\n");
		}
		pdf_mk_span(c[0], SPAN_MONO, name);
		if (v && pdf_is_amount_field(name))
			pdf_mk_amount(c[1], v);
		else if (v && pdf_is_time_field(name))
			pdf_mk_time(c[1], v);
		else
			pdf_mk_field(d, c[1], r, name);
		pdf_table_row(d, c);
	}
	pdf_table_end(d, 10);
}

void pdf_section_transaction(struct pdf_doc *d)
{
	static const char *const types[] = {"merchant", "listing", "order", "payment", NULL};
	const json_t *r;
	size_t i;
	int k;

	pdf_heading(d, "交易信息 Order, listing and payment", 1);
	for (k = 0; types[k]; k++)
		json_array_foreach(d->records, i, r)
			if (strcmp(pdf_str(r, "type"), types[k]) == 0)
				record_fields(d, r);
}

/* The files a record names, with their numbers in the evidence list. */
static void mk_attachments(struct pdf_doc *d, GString *m, const json_t *r)
{
	const json_t *b;
	size_t j;

	json_array_foreach(json_object_get(r, "blobs"), j, b) {
		size_t no = pdf_record_number(d, "blob", json_string_value(b));

		g_string_append(m, "\n" SPAN_GREY "附件 attachment");
		if (no)
			g_string_append_printf(m, " (证据 #%zu)", no);
		g_string_append(m, ": " SPAN_END SPAN_MONO);
		pdf_mk_text(m, json_string_value(b));
		g_string_append(m, SPAN_END);
	}
}

/*
 * A section that lists the records of one type as a table, a row each, in
 * the order of the evidence list; the first column is the record's number
 * in that list.
 */
struct record_table {
	const char *type;       /* the records listed */
	const char *title;      /* the section's heading */
	int new_page;           /* the heading starts a page; else it follows what is above */
	const char *none;       /* said instead of the table when the package has none */
	struct pdf_table table; /* the columns, the first the number */
	void (*row)(struct pdf_doc *d, const json_t *r, GString **c); /* fills c[1] on */
};

static void records_table(struct pdf_doc *d, const struct record_table *rt)
{
	GString *c[PDF_MAX_COLS];
	const json_t *r;
	size_t i;

	if (rt->new_page) {
		pdf_heading(d, rt->title, 1);
	} else {
		if (d->y + 80 > BODY_BOTTOM)
			pdf_page_new(d);
		else
			d->y += 10;
		pdf_text(d, ST_H1, rt->title, 8);
	}
	if (!pdf_count_type(d, rt->type)) {
		pdf_text(d, ST_BODY, rt->none, 8);
		return;
	}
	pdf_table_begin(d, &rt->table);
	json_array_foreach(d->records, i, r) {
		if (strcmp(pdf_str(r, "type"), rt->type) != 0)
			continue;
		pdf_cells_new(c, rt->table.ncols);
		g_string_append_printf(c[0], "%zu", i + 1);
		rt->row(d, r, c);
		pdf_table_row(d, c);
	}
	pdf_table_end(d, 10);
}

/* A chat message: time / sender / text and the files it names. */
static void chat_row(struct pdf_doc *d, const json_t *r, GString **c)
{
	if (pdf_rec_value(r, "sent_at"))
		pdf_mk_time(c[1], pdf_rec_value(r, "sent_at"));
	else
		pdf_mk_time(c[1], pdf_str(r, "time"));
	pdf_mk_word_field(d, c[2], r, "sender", VOCAB_ROLE);
	pdf_mk_field(d, c[3], r, "text");
	mk_attachments(d, c[3], r);
}

void pdf_section_chat(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 80, BODY_W - 206};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>发送方</b>\nSender", "<b>内容</b>\nText"};
	static const struct record_table rt = {
		"message", "聊天记录 Chat messages", 1,
		"本证据包中没有聊天记录。No chat messages in this package.", {4, w, head}, chat_row};

	records_table(d, &rt);
}

/* A logistics event: time / status / location / carrier, tracking number and details. */
static void logistics_row(struct pdf_doc *d, const json_t *r, GString **c)
{
	if (pdf_rec_value(r, "occurred_at"))
		pdf_mk_time(c[1], pdf_rec_value(r, "occurred_at"));
	else
		pdf_mk_field(d, c[1], r, "occurred_at");
	pdf_mk_word_field(d, c[2], r, "status", VOCAB_STATUS);
	pdf_mk_field(d, c[3], r, "location");
	pdf_mk_field(d, c[4], r, "carrier");
	g_string_append(c[4], "\n");
	pdf_mk_field(d, c[4], r, "tracking_number");
	if (pdf_rec_field(r, "detail")) {
		g_string_append(c[4], "\n");
		pdf_mk_field(d, c[4], r, "detail");
	}
}

void pdf_section_logistics(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 80, 110, BODY_W - 316};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>状态</b>\nStatus", "<b>地点</b>\nLocation",
					   "<b>承运人 / 运单号</b>\nCarrier / tracking no."};
	static const struct record_table rt = {
		"logistics", "物流记录 Logistics", 0,
		"本证据包中没有物流记录。No logistics events in this package.", {5, w, head},
		logistics_row};

	records_table(d, &rt);
}

/* A dispute event: time / event and state change / actor / reason and data. */
static void timeline_row(struct pdf_doc *d, const json_t *r, GString **c)
{
	const json_t *f;
	const char *name;

	pdf_mk_time(c[1], pdf_str(r, "time"));
	pdf_mk_field(d, c[2], r, "type");
	if (pdf_rec_field(r, "from") || pdf_rec_field(r, "to")) {
		g_string_append(c[2], "\n");
		if (pdf_rec_field(r, "from")) {
			pdf_mk_field(d, c[2], r, "from");
			g_string_append(c[2], " → ");
		} else {
			g_string_append(c[2], "→ ");
		}
		pdf_mk_field(d, c[2], r, "to");
	}
	pdf_mk_word_field(d, c[3], r, "actor.role", VOCAB_ROLE);
	if (pdf_rec_field(r, "actor.name")) {
		g_string_append(c[3], "\n");
		pdf_mk_field(d, c[3], r, "actor.name");
	}
	if (pdf_rec_field(r, "actor.id")) {
		g_string_append(c[3], "\n" SPAN_MONO);
		pdf_mk_field(d, c[3], r, "actor.id");
		g_string_append(c[3], SPAN_END);
	}
	if (pdf_rec_field(r, "reason"))
		pdf_mk_field(d, c[4], r, "reason");
	json_object_foreach((json_t *)json_object_get(r, "fields"), name, f) {
		const char *v = pdf_str(f, "value");

		if (strncmp(name, "data.", 5) != 0)
			continue;
		if (c[4]->len)
			g_string_append(c[4], "\n");
		pdf_mk_span(c[4], SPAN_GREY, name + 5);
		g_string_append(c[4], ": ");
		if (v && pdf_is_amount_field(name))
			pdf_mk_amount(c[4], v);
		else
			pdf_mk_field(d, c[4], r, name);
	}
}

void pdf_section_timeline(struct pdf_doc *d)
{
	static const double w[] = {30, 96, 110, 90, BODY_W - 326};
	static const char *const head[] = {"<b>序号</b>\nNo.", "<b>时间</b>\nTime",
					   "<b>事件</b>\nEvent", "<b>操作方</b>\nActor",
					   "<b>说明</b>\nDetails"};
	static const struct record_table rt = {
		"dispute_event", "争议处理经过 Dispute timeline", 0,
		"本订单没有争议记录。No dispute events for this order.", {5, w, head}, timeline_row};

	records_table(d, &rt);
}

void pdf_section_verify(struct pdf_doc *d)
{
	static const double w[] = {150, BODY_W - 150};
	static const char *const head[] = {"<b>项目 Item</b>", "<b>内容 Content</b>"};
	static const struct pdf_table t = {2, w, head};
	static const double cw[] = {BODY_W};
	static const char *const ch[] = {"<b>命令 Command</b>"};
	static const struct pdf_table command = {1, cw, ch};
	const struct pdf_cover *cv = d->cover;
	const json_t *wk;
	const char *origin = log_origin(d), *cp = checkpoint_text(d);
	const char *vkey = cv->log_vkey ? cv->log_vkey
					: pdf_str(json_object_get(d->bundle, "log"), "vkey");
	struct tlog_checkpoint ck;
	GString *m = g_string_new(NULL);
	char root[64] = "—", size[32] = "—";
	size_t i;

	if (checkpoint_read(d, &ck)) {
		snprintf(size, sizeof size, "%" PRIu64, ck.size);
		sodium_bin2base64(root, sizeof root, ck.root, sizeof ck.root,
				  sodium_base64_VARIANT_ORIGINAL);
	}

	pdf_heading(d, "如何核验 How to verify", 1);
	pdf_block(d, ST_BODY,
		  "1. 取得与本 PDF 一同提供的 JSON 证据包（下称 package.json），并从独立渠道（如平台公布的页面）"
		  "核对下列日志公钥。\n"
		  "1. Take the JSON package that came with this PDF (package.json below) and check the log key "
		  "below against one you obtained independently (e.g. the platform's published page).",
		  4);
	pdf_block(d, ST_BODY,
		  "2. 运行以下命令（disputed 为开源程序；网页核验器亦可）。退出码 0 表示每条记录、每个已提供的字段"
		  "和每个文件都与日志的签名检查点一致。\n"
		  "2. Run this command (or use the web verifier). Exit status 0 means every record, every "
		  "released field and every file is bound to the log's signed checkpoint:",
		  4);
	/* one option a line, as a shell command that can be pasted */
	pdf_mk_text(m, "disputed verify \\\n  --vkey ");
	pdf_mk_text(m, vkey ? vkey : "—");
	json_array_foreach(json_object_get(d->bundle, "witnesses"), i, wk) {
		pdf_mk_text(m, " \\\n  --witness ");
		pdf_mk_text(m, json_string_value(wk));
	}
	pdf_mk_text(m, " \\\n  package.json");
	pdf_table_begin(d, &command);
	pdf_box(d, ST_CODE, m->str);
	pdf_table_end(d, 8);
	pdf_block(d, ST_BODY,
		  "3. 如需确认证据包未遗漏该订单的任何记录，可用日志副本运行 "
		  SPAN_MONO "disputed verify --vkey … --log DIR package.json" SPAN_END
		  "（日志的检查点与瓦片公开于 /checkpoint 与 /tile/）。\n"
		  "3. To check that no record of the order is missing, run it against a copy of the log: "
		  SPAN_MONO "disputed verify --vkey … --log DIR package.json" SPAN_END
		  " (the log's checkpoint and tiles are public at /checkpoint and /tile/).",
		  4);
	pdf_block(d, ST_BODY,
		  "4. “已隐去”的字段只以承诺值（SHA-256 加盐哈希）出现：其值未提供，但已被日志固定；"
		  "日后若提供其值与盐，任何人可重新计算并比对。\n"
		  "4. A “withheld” field appears only as its commitment (a salted SHA-256 hash): its value was "
		  "not released but is fixed by the log; if value and salt are released later, anyone can "
		  "recompute and compare it.",
		  d->nmasked ? 4 : 10);
	if (d->nmasked) {
		/* only when this PDF shows one: the page reads the same for packages without */
		g_string_truncate(m, 0);
		g_string_append_printf(
			m,
			"5. 标为“已遮蔽”的字段同样未予提供：所示为向申请人展示的遮蔽文本，记录在本次查看的"
			"披露事件（证据 #%zu）中，该事件同样由日志固定。\n"
			"5. A field marked “masked” was not released either: what is shown is the masked "
			"text the requester was shown, recorded in the disclosure event of this view "
			"(evidence #%zu), which the log fixes too.",
			d->masked_event, d->masked_event);
		pdf_block(d, ST_BODY, m->str, 10);
		g_string_truncate(m, 0);
	}

	pdf_heading(d, "日志与检查点 Log and checkpoint", 0);
	pdf_table_begin(d, &t);
	item_row(d, "日志来源 Log origin", SPAN_MONO, origin ? origin : "—");
	item_row(d, "日志公钥 Log key (vkey)", SPAN_MONO, vkey ? vkey : "—");
	item_row(d, "检查点大小 Checkpoint size", NULL, size);
	item_row(d, "根哈希 Root hash", SPAN_MONO, root);
	json_array_foreach(json_object_get(d->bundle, "witnesses"), i, wk)
		item_row(d, "见证者 Witness", SPAN_MONO, json_string_value(wk));
	pdf_table_end(d, 8);
	pdf_text(d, ST_SMALL, "签名检查点全文 The signed checkpoint, verbatim:", 2);
	g_string_truncate(m, 0);
	pdf_mk_text(m, cp ? cp : "—");
	while (m->len && m->str[m->len - 1] == '\n')
		g_string_truncate(m, m->len - 1);
	pdf_box(d, ST_CODE, m->str);
	g_string_free(m, TRUE);
}

