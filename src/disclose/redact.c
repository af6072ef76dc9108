/* redact.c - free text for a reader outside the conversation: the names and numbers of people who are not parties masked. */
#include "disclose/disclose_int.h"

#include <glib.h>
#include <string.h>

/*
 * Chat lines and courier notes name people who are no party to the
 * dispute: the courier who called, the neighbour who signed. What is
 * recognised here is masked; the rest of the text is kept as written, so
 * that a court still reads what was said.
 */

/* Common surnames (单姓), by frequency: a name is only taken where one begins it. */
static const char surnames[] =
	"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
	"程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
	"贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申"
	"欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴"
	"蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
	"卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
	"邝";

/* Words after which a name follows (a colon or 是 may come between). */
static const char *const markers[] = {
	"签收人", "收件人", "收货人", "寄件人", "快递员", "派件员", "配送员", "送货员", "派送员",
	"联系人", "代收人", "取件人", "姓名", "快递小哥", "骑手", "司机", NULL,
};

/* Titles before which a surname stands. */
static const char *const titles[] = {"师傅", "先生", "女士", "小姐", "阿姨", "大哥", "大姐", NULL};

/* Characters that end a name: words that commonly follow one. */
static const char stops[] = "说已在的了给把打电送来到又不没就是让帮和跟先女师签代取派收放拿";

#define NAME_MAX_CHARS 3

static int has_char(const char *set, gunichar c)
{
	const char *p;

	for (p = set; *p; p = g_utf8_next_char(p))
		if (g_utf8_get_char(p) == c)
			return 1;
	return 0;
}

static int is_han(gunichar c)
{
	return g_unichar_get_script(c) == G_UNICODE_SCRIPT_HAN;
}

/* Whether `s` (n bytes) is, or begins, one of the parties' names. */
static int party_name(const struct disclose_parties *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(p->names) / sizeof(p->names[0]); i++)
		if (p->names[i] && *p->names[i] && strlen(p->names[i]) >= n &&
		    strncmp(p->names[i], s, n) == 0)
			return 1;
	return 0;
}

/* Digits of `s` only, into `out`. */
static void digits_of(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++)
		if (g_ascii_isdigit(*s))
			out[n++] = *s;
	out[n] = '\0';
}

static int party_number(const struct disclose_parties *p, const char *digits)
{
	char d[48];
	size_t i;

	for (i = 0; i < sizeof(p->phones) / sizeof(p->phones[0]); i++) {
		digits_of(p->phones[i], d, sizeof(d));
		if (*d && (strcmp(d, digits) == 0 ||
			   (strlen(d) > strlen(digits) &&
			    strcmp(d + strlen(d) - strlen(digits), digits) == 0)))
			return 1;
	}
	return 0;
}

/* The length of a run of digits (and, inside a number, single '-' or ' ') at `s`. */
static size_t number_len(const char *s, size_t *ndigits)
{
	size_t n = 0;

	*ndigits = 0;
	while (g_ascii_isdigit(s[n]) || ((s[n] == '-' || s[n] == ' ') && n > 0 &&
					 g_ascii_isdigit(s[n - 1]) && g_ascii_isdigit(s[n + 1]))) {
		*ndigits += g_ascii_isdigit(s[n]) != 0;
		n++;
	}
	/* an ID number's last character may be X */
	if (*ndigits == 17 && (s[n] == 'X' || s[n] == 'x')) {
		n++;
		(*ndigits)++;
	}
	return n;
}

/* Whether number `s` (all of it) is a phone or ID number: a mobile, a landline with its area code, an ID. */
static int personal_number(const char *s, size_t ndigits)
{
	char d[24];

	if (ndigits < 7 || ndigits > 18)
		return 0;
	digits_of(s, d, sizeof(d));
	if (ndigits == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9')
		return 1; /* a mobile number */
	if (d[0] == '0' && ndigits >= 10 && ndigits <= 12 && strchr(s, '-'))
		return 1; /* 0xx-xxxxxxxx */
	return ndigits == 18; /* a resident ID number */
}

/* Mask the digits of a number, keeping the first 3 and last 4. */
static int put_number(struct buf *out, const char *s, size_t n, size_t ndigits)
{
	size_t i, seen = 0;
	int rc = RC_OK;

	for (i = 0; i < n && !rc; i++) {
		int digit = g_ascii_isalnum(s[i]);
		int keep = !digit || seen < 3 || seen >= ndigits - 4;

		seen += digit;
		rc = buf_append(out, keep ? &s[i] : "*", 1);
	}
	return rc;
}

/* An email address at `s` (its local part starts here): its length, or 0. */
static size_t email_len(const char *s)
{
	size_t n = 0, at = 0;

	while (g_ascii_isalnum(s[n]) || (s[n] && strchr("._%+-@", s[n]) != NULL)) {
		if (s[n] == '@') {
			if (at || n == 0)
				return 0;
			at = n;
		}
		n++;
	}
	while (n > 0 && s[n - 1] == '.')
		n--;
	return at && memchr(s + at, '.', n - at) && n - at > 3 ? n : 0;
}

static int party_email(const struct disclose_parties *p, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(p->emails) / sizeof(p->emails[0]); i++)
		if (p->emails[i] && strlen(p->emails[i]) == n &&
		    g_ascii_strncasecmp(p->emails[i], s, n) == 0)
			return 1;
	return 0;
}

/* The length in bytes of a name beginning at `s` (a surname then up to two Han characters). */
static size_t name_len(const char *s)
{
	const char *p = s;
	int chars = 0;

	if (!has_char(surnames, g_utf8_get_char(p)))
		return 0;
	while (*p && chars < NAME_MAX_CHARS) {
		gunichar c = g_utf8_get_char(p);

		if (!is_han(c) || (chars > 0 && has_char(stops, c)))
			break;
		p = g_utf8_next_char(p);
		chars++;
	}
	return chars >= 2 ? (size_t)(p - s) : 0;
}

/* A name of `n` bytes: its surname kept, every other character '*'. */
static int put_name(struct buf *out, const char *s, size_t n)
{
	const char *p = g_utf8_next_char(s);
	int rc = buf_append(out, s, (size_t)(p - s));

	for (; !rc && p < s + n; p = g_utf8_next_char(p))
		rc = buf_append(out, "*", 1);
	return rc;
}

/* The marker word at `s` and what may stand between it and a name: bytes to skip, or 0. */
static size_t marker_at(const char *s)
{
	size_t i, n = 0;

	for (i = 0; markers[i]; i++)
		if (strncmp(s, markers[i], strlen(markers[i])) == 0) {
			n = strlen(markers[i]);
			break;
		}
	if (!n)
		return 0;
	while (s[n] == ':' || s[n] == ' ' || strncmp(s + n, "：", 3) == 0 ||
	       strncmp(s + n, "是", 3) == 0 || strncmp(s + n, "为", 3) == 0)
		n += s[n] == ':' || s[n] == ' ' ? 1 : 3;
	return n;
}

/* A surname standing before a title at `s`: the surname's length in bytes, or 0. */
static size_t titled_at(const char *s)
{
	const char *next = g_utf8_next_char(s);
	size_t i;

	if (!has_char(surnames, g_utf8_get_char(s)))
		return 0;
	for (i = 0; titles[i]; i++)
		if (strncmp(next, titles[i], strlen(titles[i])) == 0)
			return (size_t)(next - s);
	return 0;
}

/* One step of the scan at `*s`: something recognised and written, or one character copied. */
static int redact_step(const char **s, const struct disclose_parties *p, struct buf *out,
		       int *changed)
{
	const char *t = *s;
	size_t n, nd;

	if (g_ascii_isdigit(*t) && (n = number_len(t, &nd)) > 0) {
		char num[64], d[24];

		snprintf(num, sizeof(num), "%.*s", (int)n, t);
		digits_of(num, d, sizeof(d));
		*s = t + n;
		if (n < sizeof(num) && personal_number(num, nd) && !party_number(p, d)) {
			*changed = 1;
			return put_number(out, t, n, nd);
		}
		return buf_append(out, t, n);
	}
	if (g_ascii_isalnum(*t) && (n = email_len(t)) > 0) {
		const char *at = memchr(t, '@', n);

		*s = t + n;
		if (party_email(p, t, n))
			return buf_append(out, t, n);
		*changed = 1;
		if (buf_append(out, t, 1) || buf_appends(out, "***"))
			return -1;
		return buf_append(out, at, (size_t)(t + n - at));
	}
	if ((n = marker_at(t)) > 0) {
		size_t len = name_len(t + n);
		int rc = buf_append(out, t, n);

		*s = t + n + len;
		if (rc || !len)
			return rc;
		if (party_name(p, t + n, len))
			return buf_append(out, t + n, len);
		*changed = 1;
		return put_name(out, t + n, len);
	}
	if ((n = titled_at(t)) > 0 && !party_name(p, t, n)) {
		*s = t + n;
		*changed = 1;
		return buf_appends(out, "*");
	}
	n = (size_t)(g_utf8_next_char(t) - t);
	*s = t + n;
	/* skip past the rest of a word so that a number inside it is not cut out */
	if (g_ascii_isalpha(*t)) {
		while (g_ascii_isalnum(**s))
			(*s)++;
		n = (size_t)(*s - t);
	}
	return buf_append(out, t, n);
}

int disclose_redact(const char *text, const struct disclose_parties *p, struct buf *out,
		    int *changed, struct err *e)
{
	const char *s = text;
	int rc = RC_OK;

	*changed = 0;
	if (!g_utf8_validate(text, -1, NULL))
		return err_set(e, RC_INVAL, "bad_text", NULL, "the text is not UTF-8");
	while (*s && !rc)
		rc = redact_step(&s, p, out, changed);
	return rc ? err_set(e, RC_TOOBIG, NULL, NULL, "the redacted text is too long") : RC_OK;
}

void disclose_parties_of(json_t *order, json_t *merchant, struct disclose_parties *p)
{
	json_t *consumer = json_object_get(order, "consumer");
	json_t *contact = json_object_get(merchant, "contact");

	memset(p, 0, sizeof(*p));
	p->names[0] = json_string_value(json_object_get(consumer, "name"));
	/* an individual merchant is a person; a company's name is not taken as one anyway */
	p->names[1] = json_string_value(json_object_get(merchant, "legal_name"));
	p->phones[0] = json_string_value(json_object_get(consumer, "phone"));
	p->phones[1] = json_string_value(json_object_get(contact, "phone"));
	p->emails[0] = json_string_value(json_object_get(contact, "email"));
}
