/* test_focus.c - unit tests of the dispute-focus classifier: normalisation, n-grams, the counting rule, model files, determinism, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assist/focus.h"
#include "assist/focus_int.h"
#include "assist/focus_train.h"
#include "core/err.h"

#define DEV_DATA "../shared/data/focus/focus_dev.tsv"

/* ---- helpers ---- */

/* Write `len` bytes to a new temporary file; its path goes in `path` (64 bytes). */
static void write_temp(char *path, const char *text, size_t len)
{
	int fd;

	snprintf(path, 64, "/tmp/disputed-focus-XXXXXX");
	fd = g_mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* `normalize` of a C string, as a string to compare (g_free). */
static char *norm(const char *s)
{
	size_t len;
	char *out = focus_normalize(s, strlen(s), &len);

	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

static void assert_norm(const char *in, const char *want)
{
	char *got = norm(in);

	assert_string_equal(got, want);
	g_free(got);
}

/* The n-grams of a normalised text, joined with '/'. */
static void join_gram(const char *gram, size_t glen, void *arg)
{
	GString *s = arg;

	if (s->len)
		g_string_append_c(s, '/');
	g_string_append_len(s, gram, (gssize)glen);
}

static void assert_ngrams(const char *text, int nmin, int nmax, int split, const char *want)
{
	GString *s = g_string_new(NULL);

	assert_int_equal(focus_ngrams(text, strlen(text), nmin, nmax, split, join_gram, s), 0);
	assert_string_equal(s->str, want);
	g_string_free(s, TRUE);
}

/* Train on the development set with the default options. */
static struct focus_model *train_dev(void)
{
	struct focus_options o;
	struct focus_model *m = NULL;
	struct focus_data d;
	struct err e;

	err_clear(&e);
	focus_data_init(&d);
	focus_options_default(&o);
	assert_int_equal(focus_data_read(&d, DEV_DATA, &e), RC_OK);
	assert_int_equal(d.n, 400);
	assert_int_equal(focus_train(&d, &o, &m, &e), RC_OK);
	focus_data_release(&d);
	return m;
}

static void assert_result_sane(const struct focus_result *r)
{
	double sum = 0;
	int k;

	for (k = 0; k < FOCUS__COUNT; k++) {
		assert_true(r->scores[k] >= 0 && r->scores[k] <= 1);
		assert_true(r->scores[k] <= r->scores[r->primary]);
		sum += r->scores[k];
	}
	assert_true(fabs(sum - 1) < 1e-9);
}

static void assert_same_result(const struct focus_result *a, const struct focus_result *b)
{
	int k;

	assert_int_equal(a->primary, b->primary);
	assert_memory_equal(a->scores, b->scores, sizeof(a->scores));
	assert_int_equal(a->nphrases, b->nphrases);
	for (k = 0; k < a->nphrases; k++)
		assert_string_equal(a->phrases[k], b->phrases[k]);
}

/* ---- normalisation and n-grams ---- */

static void normalisation_folds_width_case_digits_and_space(void **state)
{
	(void)state;
	assert_norm("ＡＢＣ　ｉＰｈｏｎｅ１２３！", "abc iphone0!");
	assert_norm("  质量\t\t很差 \n\r 退货  ", "质量 很差 退货");
	assert_norm("买了3天，花了1999元", "买了0天,花了0元");
	assert_norm("12 34", "0 0");
	assert_norm("ÀÉ Straße", "àé straße");
	assert_norm("a\x01" "b", "a b");
	assert_norm("", "");
	assert_norm(" \t ", "");
}

static void normalisation_refuses_text_that_is_not_utf8(void **state)
{
	size_t len;

	(void)state;
	assert_null(focus_normalize("ab\xff", 3, &len));
	assert_null(focus_normalize("\xe8\xb4", 2, &len));    /* a truncated 质 */
	assert_null(focus_normalize("a\0b", 3, &len));        /* NUL inside */
}

static void ngrams_are_code_points_not_bytes(void **state)
{
	(void)state;
	assert_ngrams("质量差", 1, 2, FOCUS_SPLIT_SPACE, "质/质量/量/量差/差");
	assert_ngrams("质量差", 2, 3, FOCUS_SPLIT_SPACE, "质量/质量差/量差");
	assert_ngrams("ab cd", 1, 2, FOCUS_SPLIT_SPACE, "a/ab/b/c/cd/d");
	assert_ngrams("", 1, 3, FOCUS_SPLIT_SPACE, "");
}

static void ngrams_stop_at_punctuation_when_asked(void **state)
{
	(void)state;
	assert_ngrams("好,坏!", 1, 2, FOCUS_SPLIT_SPACE, "好/好,/,/,坏/坏/坏!/!");
	assert_ngrams("好,坏!", 1, 2, FOCUS_SPLIT_PUNCT, "好/坏");
	assert_ngrams("客服。退货", 1, 2, FOCUS_SPLIT_PUNCT, "客/客服/服/退/退货/货");
}

/* ---- the counting rule ---- */

static void counting_rule_credits_secondary_hits_to_the_primary(void **state)
{
	struct focus_scores s;
	struct focus_eval ev;

	(void)state;
	focus_eval_init(&ev);
	/* quality: two right (one through its secondary), one called no_claim */
	focus_eval_add(&ev, FOCUS_QUALITY, -1, FOCUS_QUALITY);
	focus_eval_add(&ev, FOCUS_QUALITY, FOCUS_AFTER_SALES, FOCUS_AFTER_SALES);
	focus_eval_add(&ev, FOCUS_QUALITY, FOCUS_AFTER_SALES, FOCUS_NO_CLAIM);
	/* no_claim: one right, one called quality */
	focus_eval_add(&ev, FOCUS_NO_CLAIM, -1, FOCUS_NO_CLAIM);
	focus_eval_add(&ev, FOCUS_NO_CLAIM, -1, FOCUS_QUALITY);
	/* price: called safety, a class present in no text's primary */
	focus_eval_add(&ev, FOCUS_PRICE, -1, FOCUS_SAFETY);

	assert_int_equal(ev.n, 6);
	assert_int_equal(ev.right, 3);
	assert_int_equal(ev.confusion[FOCUS_QUALITY][FOCUS_QUALITY], 2);
	assert_int_equal(ev.confusion[FOCUS_QUALITY][FOCUS_AFTER_SALES], 0);
	assert_int_equal(ev.confusion[FOCUS_QUALITY][FOCUS_NO_CLAIM], 1);
	assert_int_equal(ev.confusion[FOCUS_PRICE][FOCUS_SAFETY], 1);

	focus_eval_scores(&ev, &s);
	assert_true(fabs(s.accuracy - 0.5) < 1e-12);
	/* quality: p = 2/3, r = 2/3; no_claim: p = 1/2, r = 1/2; price: 0 */
	assert_true(fabs(s.precision[FOCUS_QUALITY] - 2.0 / 3) < 1e-12);
	assert_true(fabs(s.recall[FOCUS_QUALITY] - 2.0 / 3) < 1e-12);
	assert_true(fabs(s.f1[FOCUS_QUALITY] - 2.0 / 3) < 1e-12);
	assert_true(fabs(s.f1[FOCUS_NO_CLAIM] - 0.5) < 1e-12);
	assert_true(s.f1[FOCUS_PRICE] == 0);
	/* after_sales was someone's secondary and safety was predicted: neither is present */
	assert_int_equal(s.npresent, 3);
	assert_false(s.present[FOCUS_AFTER_SALES]);
	assert_false(s.present[FOCUS_SAFETY]);
	assert_int_equal(s.support[FOCUS_QUALITY], 3);
	assert_true(fabs(s.macro_f1 - (2.0 / 3 + 0.5 + 0) / 3) < 1e-12);
}

static void no_texts_give_zero_figures(void **state)
{
	struct focus_scores s;
	struct focus_eval ev;

	(void)state;
	focus_eval_init(&ev);
	focus_eval_scores(&ev, &s);
	assert_true(s.accuracy == 0 && s.macro_f1 == 0);
	assert_int_equal(s.npresent, 0);
}

/* ---- data files ---- */

static void data_file_fails(const char *text, int rc, const char *where)
{
	struct focus_data d;
	char path[64];
	struct err e;

	err_clear(&e);
	focus_data_init(&d);
	write_temp(path, text, strlen(text));
	assert_int_equal(focus_data_read(&d, path, &e), rc);
	assert_int_equal(d.n, 0);
	assert_non_null(strstr(e.message, path));
	assert_non_null(strstr(e.message, where));
	focus_data_release(&d);
	unlink(path);
}

static void data_files_are_checked_line_by_line(void **state)
{
	struct focus_data d;
	char path[64];
	struct err e;
	const char *good = "id\tcat\tprimary\tsecondary\ttext\r\n"
			   "1\t书籍\tquality\t\t印刷 质量差\n\n"
			   "2\t水果\tnot_received\tquality\t快递太慢，烂了\n";

	(void)state;
	err_clear(&e);
	focus_data_init(&d);
	write_temp(path, good, strlen(good));
	assert_int_equal(focus_data_read(&d, path, &e), RC_OK);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.rows[0].secondary, -1);
	assert_int_equal(d.rows[1].primary, FOCUS_NOT_RECEIVED);
	assert_int_equal(d.rows[1].secondary, FOCUS_QUALITY);
	assert_string_equal(d.rows[1].text, "快递太慢，烂了");
	focus_data_release(&d);
	unlink(path);

	data_file_fails("", RC_INVAL, ":1: the header");
	data_file_fails("id\tcat\tlabel\ttext\n", RC_INVAL, ":1: the header");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\tsome text\n",
			RC_INVAL, ":2: expected five");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\t\ta\tb\n", RC_INVAL,
			":2: more than five");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\t\tok\n"
			"2\tx\tbroken\t\ttext\n", RC_INVAL, ":3: unknown primary label 'broken'");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\tfake\ttext\n",
			RC_INVAL, "unknown secondary label");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\t\t\n", RC_INVAL,
			"needs an id and a text");
	data_file_fails("id\tcat\tprimary\tsecondary\ttext\n1\tx\tquality\t\t\xff\xfe\n",
			RC_INVAL, "not valid UTF-8");
}

static void a_missing_data_file_is_an_io_error(void **state)
{
	struct focus_data d;
	struct err e;

	(void)state;
	err_clear(&e);
	focus_data_init(&d);
	assert_int_equal(focus_data_read(&d, "/nonexistent/focus.tsv", &e), RC_IO);
	assert_non_null(strstr(e.message, "/nonexistent/focus.tsv"));
}

/* ---- model files ---- */

/* Load `text` as a model file: the result code, with the message checked to hold `want`. */
static void model_text_fails(const char *text, size_t len, const char *want)
{
	struct focus_model *m = (struct focus_model *)1;
	char path[64];
	struct err e;

	err_clear(&e);
	write_temp(path, text, len);
	assert_int_equal(focus_load(path, &m, &e), RC_INVAL);
	assert_null(m);
	if (!strstr(e.message, want))
		fail_msg("'%s' does not say '%s'", e.message, want);
	assert_non_null(strstr(e.message, path));
	unlink(path);
}

/* `body` with a right "end" line, so that the checks behind the checksum are reached. */
static void model_body_fails(const char *body, const char *want)
{
	gchar *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, body, -1);
	gchar *text = g_strdup_printf("%send %s\n", body, sum);

	model_text_fails(text, strlen(text), want);
	g_free(text);
	g_free(sum);
}

#define HEAD "disputed-focus-model 1\nclasses quality no_claim\nngrams 1 2\nsplit punct\n" \
	     "weighting tfidf\nsolver lr\nc 5\nbalanced 1\nsecondary 1\nmin_df 2\n"       \
	     "max_features 100\nrows 10\n"

static void a_good_small_model_loads_and_classifies(void **state)
{
	const char *body = HEAD "features 2\nkeywords 1\nbias -1 1\n"
			   "quality\t坏了|质量\t3 -3\n"
			   "差\t1.5\t2 -2\n质量\t1\t0.5 -0.5\n";
	gchar *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, body, -1);
	gchar *text = g_strdup_printf("%send %s\n", body, sum);
	struct focus_model *m = NULL;
	struct focus_result r;
	int classes[FOCUS__COUNT];
	char path[64];
	struct err e;

	(void)state;
	err_clear(&e);
	write_temp(path, text, strlen(text));
	assert_int_equal(focus_load(path, &m, &e), RC_OK);
	assert_int_equal(focus_model_classes(m, classes), 2);
	assert_int_equal(classes[1], FOCUS_NO_CLAIM);
	assert_int_equal(focus_classify(m, "质量很差", strlen("质量很差"), &r, &e), RC_OK);
	assert_int_equal(r.primary, FOCUS_QUALITY);
	assert_result_sane(&r);
	assert_true(r.scores[FOCUS_PRICE] == 0);
	/* the keyword 质量 (3) outranks the n-gram 差; the n-gram 质量 sits inside it */
	assert_int_equal(r.nphrases, 2);
	assert_string_equal(r.phrases[0], "质量");
	assert_string_equal(r.phrases[1], "差");
	assert_int_equal(focus_classify(m, "", 0, &r, &e), RC_OK);
	assert_int_equal(r.primary, FOCUS_NO_CLAIM);
	assert_int_equal(r.nphrases, 0);
	focus_free(m);
	unlink(path);
	g_free(text);
	g_free(sum);
}

static void garbage_and_damaged_models_are_refused(void **state)
{
	char *good = NULL;
	size_t len;

	(void)state;
	assert_true(g_file_get_contents(FOCUS_DEFAULT_MODEL, &good, &len, NULL));
	model_text_fails("", 0, "truncated");
	model_text_fails("hello\n", 6, "no end line");
	model_text_fails("\x7f" "ELF\x02\x01\x01\0\0\0", 10, "truncated");
	model_text_fails(good, len / 2, "truncated");
	model_text_fails(good, len - 1, "truncated");
	good[len / 3] ^= 1;
	model_text_fails(good, len, "checksum");
	g_free(good);

	model_body_fails("disputed-focus-model 2\n", "not a focus model of version 1");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0 0\n", "ends before its 1 features");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0 0\na\t1\t1 1\nb\t1\t1 1\n",
			 "more lines than");
	model_body_fails(HEAD "features 2\nkeywords 0\nbias 0 0\nb\t1\t1 1\na\t1\t1 1\n",
			 "sorted and unique");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0 0\nabc\t1\t1 1\n",
			 "not 1 to 2 characters");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0 0\na\t1\t1 nan\n", "2 numbers");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0 0\na\t1\t1 2 3\n", "junk after");
	model_body_fails(HEAD "features 1\nkeywords 0\nbias 0\n", "expected 2 numbers");
	model_body_fails(HEAD "features 99999999\n", "features must be");
	model_body_fails(HEAD "features 0\nkeywords 1\nbias 0 0\nsafety\ta||b\t1 1\n",
			 "a keyword must be");
	model_body_fails(HEAD "features 0\nkeywords 2\nbias 0 0\nsafety\ta\t1 1\n"
			 "price\tb\t1 1\n", "once each, in order");
	model_body_fails("disputed-focus-model 1\nclasses quality quality\n", "once each");
	model_body_fails("disputed-focus-model 1\nclasses quality\n", "at least two");
	model_body_fails("disputed-focus-model 1\nclasses quality no_claim\nngrams 1 9\n",
			 "ngrams must be");
}

static void a_missing_model_is_an_io_error(void **state)
{
	struct focus_model *m = (struct focus_model *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(focus_load("/nonexistent/focus.model", &m, &e), RC_IO);
	assert_null(m);
	assert_non_null(strstr(e.message, "/nonexistent/focus.model"));
}

/* ---- training ---- */

static void training_twice_gives_the_same_bytes_and_load_gives_the_same_answers(void **state)
{
	struct focus_model *a = train_dev(), *b = train_dev(), *loaded = NULL;
	const char *text = "快递一周才到，盒子都压坏了，客服也不理人";
	struct focus_result ra, rl;
	char pa[64], pb[64];
	gchar *ta, *tb;
	gsize la, lb;
	struct err e;
	int k;

	(void)state;
	err_clear(&e);
	write_temp(pa, "", 0);
	write_temp(pb, "", 0);
	assert_int_equal(focus_save(a, pa, &e), RC_OK);
	assert_int_equal(focus_save(b, pb, &e), RC_OK);
	assert_true(g_file_get_contents(pa, &ta, &la, NULL));
	assert_true(g_file_get_contents(pb, &tb, &lb, NULL));
	assert_int_equal(la, lb);
	assert_memory_equal(ta, tb, la);

	assert_int_equal(focus_load(pa, &loaded, &e), RC_OK);
	assert_int_equal(focus_classify(a, text, strlen(text), &ra, &e), RC_OK);
	assert_int_equal(focus_classify(loaded, text, strlen(text), &rl, &e), RC_OK);
	assert_int_equal(ra.primary, FOCUS_NOT_RECEIVED);
	assert_int_equal(rl.primary, ra.primary);
	for (k = 0; k < FOCUS__COUNT; k++)
		assert_true(fabs(ra.scores[k] - rl.scores[k]) < 1e-4);
	assert_result_sane(&rl);
	focus_free(a);
	focus_free(b);
	focus_free(loaded);
	g_free(ta);
	g_free(tb);
	unlink(pa);
	unlink(pb);
}

static void training_needs_two_classes_and_sane_options(void **state)
{
	struct focus_row rows[2] = {{"1", FOCUS_QUALITY, -1, "坏了"}, {"2", FOCUS_QUALITY, -1, "烂"}};
	struct focus_data d = {rows, 2, 2};
	struct focus_model *m = NULL;
	struct focus_options o;
	struct err e;

	(void)state;
	err_clear(&e);
	focus_options_default(&o);
	assert_int_equal(focus_train(&d, &o, &m, &e), RC_INVAL);
	assert_string_equal(e.code, "too_few_classes");
	assert_null(m);
	rows[1].primary = FOCUS_NO_CLAIM;
	o.nmax = FOCUS_MAX_N + 1;
	assert_int_equal(focus_train(&d, &o, &m, &e), RC_INVAL);
	assert_string_equal(e.param, "ngrams");
	focus_options_default(&o);
	o.c = 0;
	assert_int_equal(focus_train(&d, &o, &m, &e), RC_INVAL);
	focus_options_default(&o);
	o.min_df = 1;
	assert_int_equal(focus_train(&d, &o, &m, &e), RC_OK);
	focus_free(m);
}

/* ---- classifying ---- */

static void phrases_are_in_the_text_and_none_inside_an_earlier_one(void **state)
{
	const char *texts[] = {
		"洗发水用了以后头皮过敏，又红又痒，太可怕了",
		"买的是正品吗？感觉是假货，包装都是翻新的",
		"说好的赠品没有送，少发了一个充电器",
	};
	struct focus_model *m = NULL;
	struct focus_result r;
	struct err e;
	size_t i, len;
	char *n;
	int p, q;

	(void)state;
	err_clear(&e);
	assert_int_equal(focus_load(NULL, &m, &e), RC_OK);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(focus_classify(m, texts[i], strlen(texts[i]), &r, &e), RC_OK);
		assert_result_sane(&r);
		assert_true(r.nphrases > 0);
		n = focus_normalize(texts[i], strlen(texts[i]), &len);
		for (p = 0; p < r.nphrases; p++) {
			assert_non_null(strstr(n, r.phrases[p]));
			for (q = 0; q < p; q++)
				assert_null(strstr(r.phrases[q], r.phrases[p]));
		}
		g_free(n);
	}
	focus_free(m);
}

static void bad_text_is_refused(void **state)
{
	struct focus_model *m = NULL;
	struct focus_result r;
	struct err e;
	char *big;

	(void)state;
	err_clear(&e);
	assert_int_equal(focus_load(NULL, &m, &e), RC_OK);
	assert_int_equal(focus_classify(m, "坏\xff", 4, &r, &e), RC_INVAL);
	assert_string_equal(e.code, "invalid_utf8");
	big = g_strnfill(FOCUS_MAX_TEXT + 1, 'a');
	assert_int_equal(focus_classify(m, big, FOCUS_MAX_TEXT + 1, &r, &e), RC_TOOBIG);
	assert_int_equal(focus_classify(m, big, FOCUS_MAX_TEXT, &r, &e), RC_OK);
	g_free(big);
	focus_free(m);
}

/* Threads classify the same texts with one model. */
struct job {
	const struct focus_model *m; /* shared */
	struct focus_result r[8];    /* results, by text */
	int rc;                      /* first failure */
};

static const char *const thread_texts[8] = {
	"没收到货", "假货", "尺码不对", "质量太差，用了两天就坏了", "价格降了不给保价",
	"客服态度恶劣", "喝了拉肚子", "这本书很无聊",
};

static void *classify_many(void *arg)
{
	struct job *j = arg;
	struct err e;
	int round, i;

	for (round = 0; round < 200 && !j->rc; round++)
		for (i = 0; i < 8 && !j->rc; i++)
			j->rc = focus_classify(j->m, thread_texts[i], strlen(thread_texts[i]),
					       &j->r[i], &e);
	return NULL;
}

static void threads_share_one_model(void **state)
{
	struct focus_model *m = NULL;
	struct job jobs[4];
	pthread_t t[4];
	struct err e;
	int i, k;

	(void)state;
	err_clear(&e);
	assert_int_equal(focus_load(NULL, &m, &e), RC_OK);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 4; i++) {
		jobs[i].m = m;
		assert_int_equal(pthread_create(&t[i], NULL, classify_many, &jobs[i]), 0);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(jobs[i].rc, RC_OK);
		for (k = 0; k < 8; k++)
			assert_same_result(&jobs[i].r[k], &jobs[0].r[k]);
	}
	focus_free(m);
}

static void the_baseline_counts_keywords(void **state)
{
	(void)state;
	assert_int_equal(focus_baseline("绝对是假货", strlen("绝对是假货")), FOCUS_COUNTERFEIT);
	assert_int_equal(focus_baseline("快递太慢", strlen("快递太慢")), FOCUS_NOT_RECEIVED);
	assert_int_equal(focus_baseline("这本书很无聊", strlen("这本书很无聊")), FOCUS_NO_CLAIM);
	/* one hit each: the more specific class wins */
	assert_int_equal(focus_baseline("质量不好还过敏", strlen("质量不好还过敏")), FOCUS_SAFETY);
	assert_int_equal(focus_class_parse("after_sales", 11), FOCUS_AFTER_SALES);
	assert_int_equal(focus_class_parse("after_sale", 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalisation_folds_width_case_digits_and_space),
		cmocka_unit_test(normalisation_refuses_text_that_is_not_utf8),
		cmocka_unit_test(ngrams_are_code_points_not_bytes),
		cmocka_unit_test(ngrams_stop_at_punctuation_when_asked),
		cmocka_unit_test(counting_rule_credits_secondary_hits_to_the_primary),
		cmocka_unit_test(no_texts_give_zero_figures),
		cmocka_unit_test(data_files_are_checked_line_by_line),
		cmocka_unit_test(a_missing_data_file_is_an_io_error),
		cmocka_unit_test(a_good_small_model_loads_and_classifies),
		cmocka_unit_test(garbage_and_damaged_models_are_refused),
		cmocka_unit_test(a_missing_model_is_an_io_error),
		cmocka_unit_test(training_twice_gives_the_same_bytes_and_load_gives_the_same_answers),
		cmocka_unit_test(training_needs_two_classes_and_sane_options),
		cmocka_unit_test(phrases_are_in_the_text_and_none_inside_an_earlier_one),
		cmocka_unit_test(bad_text_is_refused),
		cmocka_unit_test(threads_share_one_model),
		cmocka_unit_test(the_baseline_counts_keywords),
	};

	return cmocka_run_group_tests_name("focus", tests, NULL, NULL);
}
