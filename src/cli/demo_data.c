/* demo_data.c - deterministic, realistic demo records: merchants, listings, orders, logistics and chats. */
#include "cli/demo_data.h"
#include "cli/demo_tables.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idcheck.h"
#include "core/jsonx.h"
#include "core/timeutil.h"
#include "ingest/ingest.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define SEC_MS 1000LL
#define MIN_MS (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define BEIJING_MS (8 * HOUR_MS) /* China Standard Time is UTC+8 all year */
#define WINDOW_MS (60 * DAY_MS)

#define N_CONSUMERS 150
#define N_ORDERS 400
#define N_REVISED 15    /* listings that get a second version */
#define MAX_LISTINGS (N_MERCHANTS * 5)
#define MAX_ITEMS 3     /* items per order */
#define MAX_EVENTS 8    /* logistics events per order */

/* ---- a small PRNG: splitmix64, the same sequence everywhere ---- */

struct rng {
	uint64_t state; /* advanced by the golden-ratio increment per draw */
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z;

	r->state += 0x9E3779B97F4A7C15ULL;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]; lo <= hi. */
static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability `percent` / 100. */
static int rng_percent(struct rng *r, int percent)
{
	return rng_below(r, 100) < (uint32_t)percent;
}

/* A random element of table demo_X (its length in demo_X_n), or of an array in a struct. */
#define PICK(r, a) ((a)[rng_below((r), (uint32_t)a##_n)])
#define PICK_IN(r, a) ((a)[rng_below((r), (uint32_t)N_ELEM(a))])

static void shuffle(struct rng *r, int *v, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)rng_below(r, (uint32_t)i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* snprintf for texts built from our own tables: not fitting is a bug. */
static void sfmt(char *dst, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sfmt(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	assert(k >= 0 && (size_t)k < n);
	(void)k;
}

/* The listing's return policy sentence, by return_exclusion. */
static const char *policy_text(const char *excl)
{
	if (!excl)
		return "支持七天无理由退货（商品完好、不影响二次销售）。";
	if (!strcmp(excl, "perishable"))
		return "生鲜商品属于鲜活易腐类，不适用七天无理由退货；签收时请当场验货，"
		       "如有破损、变质请于24小时内拍照联系客服。";
	if (!strcmp(excl, "custom"))
		return "定制商品按您的要求制作，请在订单备注中写明定制内容，"
		       "制作完成后不支持七天无理由退货。";
	if (!strcmp(excl, "digital_unsealed"))
		return "虚拟商品，付款后自动发放卡密至订单详情页，卡密一经发出不支持七天无理由退货。";
	return "期刊按期邮寄，已交付的期刊不支持七天无理由退货；如遇缺期、错期请联系客服补寄。";
}

/* How a merchant names a return exclusion to a buyer (消费者权益保护法 art. 25). */
static const char *excl_name(const char *excl)
{
	if (!excl)
		return "普通商品";
	if (!strcmp(excl, "perishable"))
		return "鲜活易腐商品";
	if (!strcmp(excl, "custom"))
		return "消费者定作的商品";
	if (!strcmp(excl, "digital_unsealed"))
		return "在线下载的数字化商品";
	return "已交付的报纸、期刊";
}

/* ---- working state ---- */

struct merchant {
	char ext[16];      /* external_id, "shop-10023" */
	int cat;           /* enum category */
	int place;         /* index into demo_places */
	int carrier;       /* the carrier it usually ships with */
	int weight;        /* relative share of orders, 1..6 */
	int first_listing; /* its listings are listings[first_listing ...] */
	int n_listings;    /* ... and there are this many */
};

/* What version 2 of a listing changed. */
enum { REV_CUT, REV_RAISE, REV_NOTE };

struct listing {
	char ext[24];       /* external_id, "sku-10023-01" */
	int merchant;       /* index into merchants */
	int product;        /* index into demo_products */
	int versions;       /* 1, or 2 once revised */
	int64_t price[2];   /* fen, by version */
	int64_t revised_ms; /* when version 2 replaced version 1 */
	int revision;       /* REV_*: what version 2 changed */
	const char *note;   /* the note version 2 adds to a REV_NOTE description */
};

struct consumer {
	char ext[16];   /* external_id, "u-8812345" */
	char name[32];  /* Chinese name */
	char phone[16]; /* mobile number */
	int city;       /* index into demo_cities */
};

struct order {
	char ext[24];                /* "T" + Beijing paid time + sequence */
	int consumer;                /* index into consumers */
	int merchant;                /* index into merchants */
	int n_items;                 /* 1..MAX_ITEMS */
	int listing[MAX_ITEMS];      /* index into listings */
	int quantity[MAX_ITEMS];
	int version[MAX_ITEMS];      /* listing version ordered */
	int64_t total;               /* fen */
	int64_t paid_ms;
	int carrier;                 /* index into demo_carriers, once shipped */
	char tracking[24];           /* tracking number, once shipped */
	int station;                 /* index into demo_stations */
	int64_t shipped_ms;          /* when it happened, 0 if not (yet) */
	int64_t transit_ms;          /* the last in_transit event, 0 if none */
	int64_t delivered_ms;        /* ditto */
	int64_t signed_ms;           /* ditto */
	int64_t lost_ms;             /* ditto */
	int64_t returned_ms;         /* ditto */
};

/* A record waiting to be put in time order. */
struct timed {
	int64_t at;  /* its time */
	int seq;     /* creation order, to break ties */
	json_t *rec; /* owned here until emitted */
};

struct demo {
	struct rng rng;                                  /* the one source of randomness */
	int64_t start_ms;                                /* window start: now - 60 days */
	int64_t now_ms;                                  /* nothing happens later */
	struct merchant merchants[N_MERCHANTS];
	struct listing listings[MAX_LISTINGS];
	int n_listings;
	struct consumer consumers[N_CONSUMERS];
	struct order orders[N_ORDERS];                   /* sorted by paid_ms */
	struct timed events[N_ORDERS * MAX_EVENTS];      /* logistics, not yet sorted */
	int n_events;
	struct timed messages[N_ORDERS * MAX_CHAT];      /* chats, not yet sorted */
	int n_messages;
};

/* ---- helpers ---- */

/* A whole second in [lo, hi]; the interval must hold one. */
static int64_t draw_time(struct demo *d, int64_t lo, int64_t hi)
{
	int64_t lo_s = (lo + SEC_MS - 1) / SEC_MS, hi_s = hi / SEC_MS;

	assert(lo_s <= hi_s);
	return rng_range(&d->rng, lo_s, hi_s) * SEC_MS;
}

/* `t` plus lo_s to hi_s seconds. */
static int64_t later(struct demo *d, int64_t t, int64_t lo_s, int64_t hi_s)
{
	return t + rng_range(&d->rng, lo_s, hi_s) * SEC_MS;
}

static void beijing_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)((ms + BEIJING_MS) / SEC_MS);

	gmtime_r(&t, tm);
}

static json_t *money(int64_t fen)
{
	return jx_money_json(fen, "CNY");
}

/* Append `rec` (stolen) to `out`: -1 if `rec` is NULL or appending fails. */
static int push(json_t *out, json_t *rec)
{
	if (!rec)
		return -1;
	return json_array_append_new(out, rec) ? -1 : 0;
}

/* Keep `rec` (stolen) for time-ordered output: -1 if it is NULL. */
static int timed_add(struct timed *v, int *n, int64_t at, json_t *rec)
{
	if (!rec)
		return -1;
	v[*n].at = at;
	v[*n].seq = *n;
	v[*n].rec = rec;
	(*n)++;
	return 0;
}

static int timed_cmp(const void *a, const void *b)
{
	const struct timed *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort `v` by time and move its records to `out`. */
static int timed_flush(json_t *out, struct timed *v, int n)
{
	json_t *rec;
	int i;

	qsort(v, (size_t)n, sizeof(v[0]), timed_cmp);
	for (i = 0; i < n; i++) {
		rec = v[i].rec;
		v[i].rec = NULL;
		if (push(out, rec))
			return -1;
	}
	return 0;
}

struct person {
	const struct name_part *surname;
	const struct name_part *given;
	int female;
};

static void person_pick(struct rng *r, struct person *p)
{
	p->female = rng_percent(r, 50);
	p->surname = &PICK(r, demo_surnames);
	p->given = p->female ? &PICK(r, demo_female_names) : &PICK(r, demo_male_names);
}

static void mobile(struct rng *r, char *out, size_t n)
{
	const char *prefix = PICK(r, demo_mobile_prefixes);

	sfmt(out, n, "%s%08u", prefix, rng_below(r, 100000000));
}

static void landline(struct rng *r, const struct place *p, char *out, size_t n)
{
	unsigned first = 2 + rng_below(r, 7);
	unsigned rest = rng_below(r, p->local_digits == 8 ? 10000000 : 1000000);

	if (p->local_digits == 8)
		sfmt(out, n, "%s-%u%07u", p->area, first, rest);
	else
		sfmt(out, n, "%s-%u%06u", p->area, first, rest);
}

static int leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * An 18-character resident ID number (GB 11643): birthplace, date of birth
 * (1968-2001), order code whose last digit is odd for men and even for
 * women, check character.
 */
static void resident_id(struct rng *r, int female, char out[19])
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *area = PICK(r, demo_birthplaces);
	int y = 1968 + (int)rng_below(r, 34);
	int m = 1 + (int)rng_below(r, 12);
	int day = 1 + (int)rng_below(r, (uint32_t)(mdays[m - 1] + (m == 2 && leap_year(y))));
	unsigned seq = rng_below(r, 100);
	unsigned sex = 2 * rng_below(r, 5) + (female ? 0 : 1);

	sfmt(out, 19, "%s%04d%02d%02d%02u%u", area, y, m, day, seq, sex);
	out[17] = idcheck_resident_check_char(out);
	out[18] = '\0';
	assert(out[17]);
}

/*
 * A 9-character organisation code (GB 11714) with its own check character:
 * either an old 8-digit code or a newer "MA" one.
 */
static void org_code(struct rng *r, char out[10])
{
	static const char set[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int i, sum = 0, c;

	if (rng_percent(r, 60)) {
		out[0] = 'M';
		out[1] = 'A';
		for (i = 2; i < 8; i++)
			out[i] = set[rng_below(r, sizeof(set) - 1)];
	} else {
		out[0] = (char)('1' + rng_below(r, 7));
		for (i = 1; i < 8; i++)
			out[i] = (char)('0' + rng_below(r, 10));
	}
	for (i = 0; i < 8; i++)
		sum += w[i] * (out[i] <= '9' ? out[i] - '0' : out[i] - 'A' + 10);
	c = 11 - sum % 11;
	out[8] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
	out[9] = '\0';
}

/*
 * An 18-character unified social credit code (GB 32100): '9' (registered by
 * market regulation), `type` ('1' enterprise, '2' 个体工商户), the
 * registration division, the organisation code, the check character.
 */
static void uscc(struct rng *r, const char *division, char type, char out[19])
{
	char org[10];

	org_code(r, org);
	sfmt(out, 19, "9%c%s%s", type, division, org);
	out[17] = idcheck_uscc_check_char(out);
	out[18] = '\0';
	assert(out[17]);
}

static int carrier_pick(struct rng *r)
{
	uint32_t total = 0, k;
	int i;

	for (i = 0; i < CAR_COUNT; i++)
		total += (uint32_t)demo_carriers[i].share;
	k = rng_below(r, total);
	for (i = 0; i < CAR_COUNT - 1; i++) {
		if (k < (uint32_t)demo_carriers[i].share)
			break;
		k -= (uint32_t)demo_carriers[i].share;
	}
	return i;
}

/* A tracking number in the carrier's own format. */
static void tracking_number(struct rng *r, int carrier, char *out, size_t n)
{
	unsigned a = rng_below(r, 1000000), b = rng_below(r, 1000000);
	unsigned c = rng_below(r, 12);

	switch (carrier) {
	case CAR_SF:
		sfmt(out, n, "SF1%06u%06u", a, b);
		break;
	case CAR_ZTO:
		sfmt(out, n, "7%c%06u%06u", "358"[c % 3], a, b);
		break;
	case CAR_YTO:
		sfmt(out, n, "YT%u%06u%06u", 6 + c % 4, a, b);
		break;
	case CAR_YUNDA:
		sfmt(out, n, "4%u%05u%06u", 3 + c % 4, a % 100000, b);
		break;
	case CAR_JD:
		sfmt(out, n, "JDV%c%05u%06u", 'A' + (int)(c % 5), a % 100000, b);
		break;
	default:
		sfmt(out, n, "11%05u%06u", a % 100000, b);
		break;
	}
}

/* A shop price in fen: whole yuan ending in 9, small ones sometimes x9.90. */
static int64_t price_pick(struct rng *r, int64_t lo, int64_t hi)
{
	int64_t yuan;
	int cents;

	if (lo == hi)
		return lo;
	yuan = rng_range(r, lo, hi) / 100;
	cents = rng_percent(r, 50) ? 90 : 0;
	yuan = yuan - yuan % 10 + 9;
	return yuan * 100 + (yuan < 100 ? cents : 0);
}

/* The price of version 2: 8-20% less, or 5-15% more. */
static int64_t price_revise(struct rng *r, int64_t price, int up)
{
	int64_t pct = up ? rng_range(r, 105, 115) : rng_range(r, 80, 92);
	int64_t yuan = price * pct / 100 / 100, p;

	if (yuan < 1)
		yuan = 1;
	p = yuan * 100 + price % 100;
	if (p == price)
		p = up ? p + 100 : p - 100;
	return p > 0 ? p : price + 100;
}

/* ---- merchants ---- */

static json_t *merchant_record(struct demo *d, const struct merchant *m, int i,
			       const struct name_part *brand)
{
	struct rng *r = &d->rng;
	const struct place *p = &demo_places[m->place];
	const struct category *c = &demo_categories[m->cat];
	int individual = i % 3 == 2, sole = !individual && i % 12 == 0;
	int has_email = i % 10 != 7;
	const char *street = p->street[rng_below(r, 2)];
	unsigned number = 1 + rng_below(r, 600), floor = 2 + rng_below(r, 25);
	unsigned room = 1 + rng_below(r, 20), k = rng_below(r, 100);
	char name[256], id[19], addr[512], phone[48], email[128];
	struct person who;

	if (individual) {
		unsigned building = 1 + rng_below(r, 30), unit = 1 + rng_below(r, 4);
		const char *community = PICK(r, demo_communities);
		unsigned qq = 10000000 + rng_below(r, 1990000000);
		unsigned year = rng_below(r, 100);

		person_pick(r, &who);
		sfmt(name, sizeof(name), "%s%s", who.surname->han, who.given->han);
		resident_id(r, who.female, id);
		sfmt(addr, sizeof(addr), "%s%s%s%u号%s%u幢%u单元%u室", p->region,
		     p->district, street, number, community, building, unit,
		     floor * 100 + room % 4 + 1);
		mobile(r, phone, sizeof(phone));
		if (k < 40)
			sfmt(email, sizeof(email), "%s%s%02u@163.com", who.surname->py,
			     who.given->py, year);
		else if (k < 80)
			sfmt(email, sizeof(email), "%u@qq.com", qq);
		else
			sfmt(email, sizeof(email), "%s.%s@126.com", who.given->py,
			     who.surname->py);
	} else {
		const char *industry = PICK_IN(r, c->industry);
		int with_district = strncmp(p->district, p->city, strlen(p->city)) != 0 &&
				    rng_percent(r, 40);

		uscc(r, p->code, sole ? '2' : '1', id);
		if (sole)
			sfmt(name, sizeof(name), "%s%s%s", p->shop, brand->han, c->shop);
		else if (with_district)
			sfmt(name, sizeof(name), "%s%s%s%s有限公司", p->city, p->district,
			     brand->han, industry);
		else
			sfmt(name, sizeof(name), "%s%s%s有限公司", p->city, brand->han, industry);
		if (sole)
			sfmt(addr, sizeof(addr), "%s%s%s%u号一楼商铺", p->region, p->district,
			     street, number);
		else
			sfmt(addr, sizeof(addr), "%s%s%s%u号%s%u室", p->region, p->district,
			     street, number, PICK(r, demo_office_buildings), floor * 100 + room);
		if (sole || k < 25)
			mobile(r, phone, sizeof(phone));
		else if (k < 85)
			landline(r, p, phone, sizeof(phone));
		else
			sfmt(phone, sizeof(phone), "400-%03u-%04u", 600 + number % 300,
			     rng_below(r, 10000));
		if (k % 2)
			sfmt(email, sizeof(email), "service@%s%s.com", brand->py, c->domain);
		else
			sfmt(email, sizeof(email), "kefu@%s.cn", brand->py);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s*}}",
			 "type", "merchant", "external_id", m->ext,
			 "kind", individual ? "individual" : "company", "legal_name", name,
			 individual ? "id_number" : "uscc", id, "registered_address", addr,
			 "contact", "phone", phone, "email", has_email ? email : NULL);
}

static int gen_merchants(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int cats[N_MERCHANTS], brand_of[demo_brands_n], n = 0, c, k, i;
	unsigned shop_no = 10000;

	for (c = 0; c < CAT_COUNT; c++)
		for (k = 0; k < demo_categories[c].merchants; k++)
			cats[n++] = c;
	assert(n == N_MERCHANTS);
	shuffle(r, cats, n);
	for (i = 0; i < (int)demo_brands_n; i++)
		brand_of[i] = i;
	shuffle(r, brand_of, (int)demo_brands_n);
	for (i = 0; i < N_MERCHANTS; i++) {
		struct merchant *m = &d->merchants[i];

		shop_no += 1 + rng_below(r, 400);
		sfmt(m->ext, sizeof(m->ext), "shop-%u", shop_no);
		m->cat = cats[i];
		m->place = (int)rng_below(r, demo_places_n);
		m->weight = 1 + (int)rng_below(r, 6);
		if (m->cat == CAT_BOOKS && rng_percent(r, 60))
			m->carrier = CAR_EMS;
		else
			m->carrier = carrier_pick(r);
		if (push(out, merchant_record(d, m, i, &demo_brands[brand_of[i]])))
			return -1;
	}
	return 0;
}

/* ---- listings ---- */

static json_t *listing_record(const struct demo *d, const struct listing *l, int version)
{
	const struct product *p = &demo_products[l->product];
	const char *extra = "";
	char title[512], desc[2048];

	if (version == 2 && l->revision == REV_CUT)
		extra = "【限时特惠】活动期间限时降价，售完即止。";
	else if (version == 2 && l->revision == REV_RAISE)
		extra = "【调价说明】因原材料及物流成本上涨，自即日起价格调整。";
	else if (version == 2)
		extra = l->note;
	sfmt(title, sizeof(title), "%s%s",
	     version == 2 && l->revision == REV_CUT ? "【限时特惠】" : "", p->title);
	sfmt(desc, sizeof(desc), "%s%s%s", p->desc, policy_text(p->excl), extra);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s*, s:s}",
			 "type", "listing", "external_id", l->ext,
			 "merchant", d->merchants[l->merchant].ext, "title", title,
			 "description", desc, "price", money(l->price[version - 1]),
			 "return_exclusion", p->excl, "category", demo_categories[p->cat].domain);
}

static int gen_listings(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int idx[demo_products_n], revised[MAX_LISTINGS], n, i, k, t;

	for (i = 0; i < N_MERCHANTS; i++) {
		struct merchant *m = &d->merchants[i];

		n = 0;
		for (k = 0; k < (int)demo_products_n; k++)
			if (demo_products[k].cat == m->cat)
				idx[n++] = k;
		shuffle(r, idx, n);
		m->first_listing = d->n_listings;
		m->n_listings = 3 + (int)rng_below(r, 3);
		assert(m->n_listings <= n);
		for (k = 0; k < m->n_listings; k++) {
			struct listing *l = &d->listings[d->n_listings++];
			const struct product *p = &demo_products[idx[k]];

			l->merchant = i;
			l->product = idx[k];
			l->versions = 1;
			l->price[0] = price_pick(r, p->lo, p->hi);
			sfmt(l->ext, sizeof(l->ext), "sku-%s-%02d", m->ext + 5, k + 1);
			if (push(out, listing_record(d, l, 1)))
				return -1;
		}
	}

	for (i = 0; i < d->n_listings; i++)
		revised[i] = i;
	shuffle(r, revised, d->n_listings);
	for (i = 0; i < N_REVISED; i++) {
		struct listing *l = &d->listings[revised[i]];
		const struct product *p = &demo_products[l->product];
		int kind = (int)rng_below(r, 3);

		l->versions = 2;
		l->revised_ms = draw_time(d, d->start_ms + 10 * DAY_MS, d->now_ms - 5 * DAY_MS);
		l->revision = p->lo == p->hi ? REV_NOTE : kind; /* face-value cards keep their price */
		l->note = p->cat == CAT_DIGITAL ? PICK(r, demo_digital_notes) : PICK(r, demo_physical_notes);
		if (l->revision == REV_NOTE)
			l->price[1] = l->price[0];
		else
			l->price[1] = price_revise(r, l->price[0], l->revision == REV_RAISE);
	}
	/* version 2 lines go out in the order they took effect */
	for (i = 1; i < N_REVISED; i++) {
		t = revised[i];
		for (k = i; k > 0 && d->listings[revised[k - 1]].revised_ms >
				      d->listings[t].revised_ms; k--)
			revised[k] = revised[k - 1];
		revised[k] = t;
	}
	for (i = 0; i < N_REVISED; i++)
		if (push(out, listing_record(d, &d->listings[revised[i]], 2)))
			return -1;
	return 0;
}

/* ---- consumers and orders ---- */

static void gen_consumers(struct demo *d)
{
	struct rng *r = &d->rng;
	unsigned used[N_CONSUMERS];
	struct person who;
	int i, k;

	for (i = 0; i < N_CONSUMERS; i++) {
		struct consumer *c = &d->consumers[i];

		for (;;) {
			used[i] = 1000000 + rng_below(r, 9000000);
			for (k = 0; k < i && used[k] != used[i]; k++)
				;
			if (k == i)
				break;
		}
		sfmt(c->ext, sizeof(c->ext), "u-%u", used[i]);
		person_pick(r, &who);
		sfmt(c->name, sizeof(c->name), "%s%s", who.surname->han, who.given->han);
		mobile(r, c->phone, sizeof(c->phone));
		c->city = (int)rng_below(r, demo_cities_n);
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* A payment time in the window, mostly not in the small hours of Beijing. */
static int64_t paid_time(struct demo *d)
{
	int64_t t = 0;
	int hour, tries;

	for (tries = 0; tries < 4; tries++) {
		t = draw_time(d, d->start_ms, d->now_ms);
		hour = (int)(((t + BEIJING_MS) / HOUR_MS) % 24);
		if (hour >= 8 || hour < 1 || !rng_percent(&d->rng, 80))
			break;
	}
	return t;
}

static int merchant_pick(struct demo *d)
{
	uint32_t total = 0, k;
	int i;

	for (i = 0; i < N_MERCHANTS; i++)
		total += (uint32_t)d->merchants[i].weight;
	k = rng_below(&d->rng, total);
	for (i = 0; i < N_MERCHANTS - 1; i++) {
		if (k < (uint32_t)d->merchants[i].weight)
			break;
		k -= (uint32_t)d->merchants[i].weight;
	}
	return i;
}

/* Channel and a transaction id in that channel's format (dates in Beijing time). */
static const char *payment_pick(struct rng *r, int64_t paid_ms, char *txn, size_t n)
{
	unsigned k = rng_below(r, 100), a = rng_below(r, 100000);
	unsigned b = rng_below(r, 100000), c = rng_below(r, 100000);
	struct tm tm;

	beijing_tm(paid_ms, &tm);
	if (k < 50) {
		sfmt(txn, n, "%04d%02d%02d22001%05u%05u%05u", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, a, b, c);
		return "alipay";
	}
	if (k < 88) {
		sfmt(txn, n, "4200%06u%04d%02d%02d%05u%05u", 1000 + a % 2000,
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, b, c);
		return "wechat_pay";
	}
	sfmt(txn, n, "%04d%02d%02d%02d%02d%02d%07u", tm.tm_year + 1900, tm.tm_mon + 1,
	     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (a * 100 + b % 100) % 10000000);
	return "unionpay";
}

static json_t *order_record(const struct demo *d, const struct order *o,
			    const char *channel, const char *txn)
{
	const struct consumer *c = &d->consumers[o->consumer];
	json_t *items, *item;
	int k;

	items = json_array();
	if (!items)
		return NULL;
	for (k = 0; k < o->n_items; k++) {
		const struct listing *l = &d->listings[o->listing[k]];
		json_t *price = money(l->price[o->version[k] - 1]);

		if (o->version[k] < l->versions) /* an older version than the newest */
			item = json_pack("{s:s, s:i, s:i, s:o}", "listing", l->ext,
					 "listing_version", o->version[k],
					 "quantity", o->quantity[k], "unit_price", price);
		else
			item = json_pack("{s:s, s:i, s:o}", "listing", l->ext,
					 "quantity", o->quantity[k], "unit_price", price);
		if (push(items, item)) {
			json_decref(items);
			return NULL;
		}
	}
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:o, s:{s:s, s:s}}",
			 "type", "order", "external_id", o->ext,
			 "consumer", "external_id", c->ext, "name", c->name, "phone", c->phone,
			 "merchant", d->merchants[o->merchant].ext, "items", items,
			 "total", money(o->total), "paid_at", jx_time_json(o->paid_ms),
			 "payment", "channel", channel, "transaction_id", txn);
}

static int gen_orders(struct demo *d, json_t *out)
{
	struct rng *r = &d->rng;
	int64_t paid[N_ORDERS];
	int who[N_ORDERS], pool[5], i, k, n;
	const char *channel;
	char txn[40];
	struct tm tm;

	for (i = 0; i < N_ORDERS; i++)
		paid[i] = paid_time(d);
	qsort(paid, N_ORDERS, sizeof(paid[0]), cmp_i64);
	/* everyone orders at least once; low-numbered consumers are the regulars */
	for (i = 0; i < N_ORDERS; i++) {
		unsigned a = rng_below(r, N_CONSUMERS), b = rng_below(r, N_CONSUMERS);

		who[i] = i < N_CONSUMERS ? i : (int)(a < b ? a : b);
	}
	shuffle(r, who, N_ORDERS);

	for (i = 0; i < N_ORDERS; i++) {
		struct order *o = &d->orders[i];
		const struct merchant *m;
		unsigned size = rng_below(r, 100);

		o->paid_ms = paid[i];
		o->consumer = who[i];
		o->merchant = merchant_pick(d);
		m = &d->merchants[o->merchant];
		n = size < 68 ? 1 : size < 90 ? 2 : 3;
		assert(n <= m->n_listings);
		for (k = 0; k < m->n_listings; k++)
			pool[k] = m->first_listing + k;
		shuffle(r, pool, m->n_listings);
		o->n_items = n;
		o->total = 0;
		for (k = 0; k < n; k++) {
			const struct listing *l = &d->listings[pool[k]];
			const struct product *p = &demo_products[l->product];
			unsigned q = rng_below(r, 100), bulk = rng_below(r, 21);

			o->listing[k] = pool[k];
			o->version[k] = l->versions == 2 && o->paid_ms < l->revised_ms ? 1 : l->versions;
			if (p->min_qty > 1)
				o->quantity[k] = p->min_qty + (int)bulk;
			else if (l->price[0] >= 50000)
				o->quantity[k] = 1;
			else
				o->quantity[k] = q < 80 ? 1 : q < 95 ? 2 : 3;
			o->total += o->quantity[k] * l->price[o->version[k] - 1];
		}
		beijing_tm(o->paid_ms, &tm);
		sfmt(o->ext, sizeof(o->ext), "T%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, i);
		channel = payment_pick(r, o->paid_ms, txn, sizeof(txn));
		if (push(out, order_record(d, o, channel, txn)))
			return -1;
	}
	return 0;
}

/* ---- logistics ---- */

enum { EV_SHIPPED, EV_TRANSIT, EV_DELIVERED, EV_SIGNED, EV_RETURNED, EV_LOST };

static const char *const event_status[] = {
	"shipped", "in_transit", "delivered", "signed", "returned", "lost",
};

/*
 * Record logistics event `ev` of `o` at `at`, unless that is after now.
 * Returns 0 when recorded, 1 when it lies in the future (the chain stops
 * there), -1 on allocation failure.
 */
static int add_event(struct demo *d, struct order *o, int ev, int64_t at,
		     const char *location, const char *detail)
{
	json_t *rec;

	if (at > d->now_ms)
		return 1;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s}",
			"type", "logistics", "order", o->ext,
			"carrier", demo_carriers[o->carrier].name, "tracking_number", o->tracking,
			"status", event_status[ev], "occurred_at", jx_time_json(at),
			"location", location, "detail", detail);
	if (timed_add(d->events, &d->n_events, at, rec))
		return -1;
	switch (ev) {
	case EV_SHIPPED:
		o->shipped_ms = at;
		break;
	case EV_TRANSIT:
		o->transit_ms = at;
		break;
	case EV_DELIVERED:
		o->delivered_ms = at;
		break;
	case EV_SIGNED:
		o->signed_ms = at;
		break;
	case EV_RETURNED:
		o->returned_ms = at;
		break;
	default:
		o->lost_ms = at;
		break;
	}
	return 0;
}

static int is_excl(const char *excl, const char *what)
{
	return excl && !strcmp(excl, what);
}

/* How the order's parcel ends up. */
enum { FATE_DONE, FATE_UNSHIPPED, FATE_STALLED, FATE_LOST, FATE_RETURNED };

/* The tracking history of a physical order, up to now. 0 or -1 (no memory). */
static int gen_logistics(struct demo *d, struct order *o)
{
	struct rng *r = &d->rng;
	const struct merchant *m = &d->merchants[o->merchant];
	const struct place *from = &demo_places[m->place];
	const char *excl = demo_products[d->listings[o->listing[0]].product].excl;
	const char *to = demo_cities[d->consumers[o->consumer].city];
	const char *route[3], *hub, *courier, *mid;
	unsigned f = rng_below(r, 100), hops = 2 + rng_below(r, 2), other = rng_below(r, 100);
	char loc[128], detail[512];
	int fate, k, j, rc;
	int64_t t;

	if (m->cat == CAT_DIGITAL)
		return 0; /* cards are delivered in the order page, not by carrier */
	fate = f < 4 ? FATE_UNSHIPPED : f < 13 ? FATE_STALLED : f < 16 ? FATE_LOST :
	       f < 19 ? FATE_RETURNED : FATE_DONE;
	if (fate == FATE_UNSHIPPED)
		return 0;
	if (is_excl(excl, "perishable"))
		o->carrier = other < 70 ? CAR_SF : CAR_JD; /* cold chain */
	else if (is_excl(excl, "periodical"))
		o->carrier = CAR_EMS;
	else
		o->carrier = other < 85 ? m->carrier : carrier_pick(r);
	tracking_number(r, o->carrier, o->tracking, sizeof(o->tracking));
	o->station = (int)rng_below(r, demo_stations_n);
	hub = demo_carriers[o->carrier].hub;
	courier = PICK(r, demo_surnames).han;
	mid = PICK(r, demo_hub_cities);

	if (is_excl(excl, "custom"))
		t = later(d, o->paid_ms, 2 * 86400, 6 * 86400); /* made to order first */
	else if (is_excl(excl, "perishable"))
		t = later(d, o->paid_ms, 3600, 10 * 3600);
	else
		t = later(d, o->paid_ms, 2 * 3600, 40 * 3600);
	sfmt(loc, sizeof(loc), "%s%s", from->region, from->district);
	sfmt(detail, sizeof(detail), "%s已揽收，揽收员：%s师傅", demo_carriers[o->carrier].name,
	     courier);
	rc = add_event(d, o, EV_SHIPPED, t, loc, detail);
	if (rc)
		return rc < 0 ? -1 : 0;

	/* origin hub, perhaps a hub on the way, destination hub */
	k = 0;
	route[k++] = from->city;
	if (strcmp(from->city, to)) {
		if (hops == 3 && strcmp(mid, from->city) && strcmp(mid, to))
			route[k++] = mid;
		route[k++] = to;
	}
	for (j = 0; j < k; j++) {
		t = later(d, t, 3 * 3600, 20 * 3600);
		sfmt(loc, sizeof(loc), "%s市", route[j]);
		if (j + 1 < k)
			sfmt(detail, sizeof(detail), "快件已从【%s%s】发出，下一站【%s%s】",
			     route[j], hub, route[j + 1], hub);
		else
			sfmt(detail, sizeof(detail), "快件已到达【%s%s】", route[j], hub);
		rc = add_event(d, o, EV_TRANSIT, t, loc, detail);
		if (rc)
			return rc < 0 ? -1 : 0;
	}

	if (fate == FATE_STALLED)
		return 0;
	if (fate == FATE_LOST) {
		t = later(d, t, 86400, 4 * 86400);
		sfmt(detail, sizeof(detail), "快件在【%s%s】中转时遗失，已登记理赔，给您带来不便深表歉意",
		     route[k - 1], hub);
		return add_event(d, o, EV_LOST, t, loc, detail) < 0 ? -1 : 0;
	}
	sfmt(loc, sizeof(loc), "%s市", to);
	if (fate == FATE_RETURNED) {
		t = later(d, t, 86400, 3 * 86400);
		return add_event(d, o, EV_RETURNED, t, loc, PICK(r, demo_returned_details)) < 0 ? -1 : 0;
	}
	t = later(d, t, 4 * 3600, 20 * 3600);
	sfmt(detail, sizeof(detail), "快件已送达【%s】，请凭取件码及时领取",
	     demo_stations[o->station]);
	rc = add_event(d, o, EV_DELIVERED, t, loc, detail);
	if (rc)
		return rc < 0 ? -1 : 0;
	t = later(d, t, 600, 40 * 3600);
	return add_event(d, o, EV_SIGNED, t, loc, PICK(r, demo_signed_details)) < 0 ? -1 : 0;
}

/* ---- chats ---- */

/* Whether the order has got to the point where a chat of `anchor` starts. */
static int anchor_reached(const struct demo *d, const struct order *o, int anchor)
{
	switch (anchor) {
	case AT_PAID:
		return 1;
	case AT_SHIPPED:
		return o->shipped_ms != 0;
	case AT_SIGNED:
		return o->signed_ms != 0;
	case AT_STALLED:
		return o->transit_ms && !o->delivered_ms && !o->lost_ms && !o->returned_ms &&
		       d->now_ms - o->transit_ms > 3 * DAY_MS + HOUR_MS;
	case AT_LOST:
		return o->lost_ms != 0;
	case AT_RETURNED:
		return o->returned_ms != 0;
	default:
		return !o->shipped_ms && d->merchants[o->merchant].cat != CAT_DIGITAL &&
		       d->now_ms - o->paid_ms > 3 * DAY_MS + HOUR_MS;
	}
}

static int chat_fits(const struct demo *d, const struct order *o, const struct chat *c)
{
	const char *excl = demo_products[d->listings[o->listing[0]].product].excl;

	if (!(c->cats & CAT_BIT(d->merchants[o->merchant].cat)))
		return 0;
	if ((c->excl == EX_NONE && excl) || (c->excl == EX_SOME && !excl) ||
	    (c->excl == EX_PERISHABLE && !is_excl(excl, "perishable")))
		return 0;
	return anchor_reached(d, o, c->anchor);
}

/* When a chat of `anchor` starts; anchor_reached must hold. */
static int64_t anchor_time(struct demo *d, const struct order *o, int anchor)
{
	int64_t base;

	switch (anchor) {
	case AT_PAID:
		return o->paid_ms;
	case AT_SHIPPED:
		return o->shipped_ms;
	case AT_SIGNED:
		return o->signed_ms;
	case AT_LOST:
		return o->lost_ms;
	case AT_RETURNED:
		return o->returned_ms;
	default:
		/* three to five days of silence, but not past now */
		base = anchor == AT_STALLED ? o->transit_ms : o->paid_ms;
		return draw_time(d, base + 3 * DAY_MS,
				 base + 5 * DAY_MS < d->now_ms - HOUR_MS ? base + 5 * DAY_MS
									 : d->now_ms - HOUR_MS);
	}
}

/* Write `tpl` into `out` with each {key} replaced by vals[key]. */
static void chat_expand(char *out, size_t n, const char *tpl, const char *const vals[CV_COUNT])
{
	size_t len = 0, klen, vlen;
	const char *p = tpl, *end;
	int k;

	while (*p) {
		if (*p != '{') {
			assert(len + 1 < n);
			out[len++] = *p++;
			continue;
		}
		end = strchr(p, '}');
		assert(end);
		klen = (size_t)(end - p - 1);
		for (k = 0; k < CV_COUNT; k++)
			if (strlen(demo_chat_keys[k]) == klen && !memcmp(p + 1, demo_chat_keys[k], klen))
				break;
		assert(k < CV_COUNT && vals[k]);
		vlen = strlen(vals[k]);
		assert(len + vlen < n);
		memcpy(out + len, vals[k], vlen);
		len += vlen;
		p = end + 1;
	}
	out[len] = '\0';
}

static const char *sender_name(char who)
{
	return who == 'c' ? "consumer" : who == 'm' ? "merchant" : "platform";
}

/* Maybe a conversation about `o`. 0 or -1 (no memory). */
static int gen_chat(struct demo *d, const struct order *o)
{
	struct rng *r = &d->rng;
	const struct listing *l = &d->listings[o->listing[0]];
	const struct product *p = &demo_products[l->product];
	const struct category *cat = &demo_categories[p->cat];
	const struct chat *c = NULL;
	const char *vars[CV_COUNT];
	char days[24], refund[32], return_no[24], text[4096];
	int64_t at[MAX_CHAT], t, part, base;
	int troubled, n, k, shown;
	uint32_t total = 0, w;

	troubled = anchor_reached(d, o, AT_STALLED) || anchor_reached(d, o, AT_LOST) ||
		   anchor_reached(d, o, AT_RETURNED) || anchor_reached(d, o, AT_UNSHIPPED);
	if (!rng_percent(r, troubled ? 85 : 36))
		return 0;
	for (k = 0; k < (int)demo_chats_n; k++)
		if (chat_fits(d, o, &demo_chats[k]))
			total += (uint32_t)demo_chats[k].weight;
	if (!total)
		return 0;
	w = rng_below(r, total);
	for (k = 0; k < (int)demo_chats_n; k++) {
		if (!chat_fits(d, o, &demo_chats[k]))
			continue;
		c = &demo_chats[k];
		if (w < (uint32_t)c->weight)
			break;
		w -= (uint32_t)c->weight;
	}
	assert(c);

	t = anchor_time(d, o, c->anchor);
	for (n = 0; n < MAX_CHAT && c->line[n].who; n++) {
		t = later(d, t, c->line[n].gap_lo * 60 + 5, c->line[n].gap_hi * 60 + 59);
		at[n] = t;
	}
	for (shown = 0; shown < n && at[shown] <= d->now_ms; shown++)
		;

	k = (int)rng_below(r, 2);
	vars[CV_ITEM] = p->item;
	vars[CV_CARRIER] = demo_carriers[o->carrier].name;
	vars[CV_TRACKING] = o->tracking;
	vars[CV_DEFECT] = PICK_IN(r, cat->defect);
	vars[CV_CLAIM] = cat->claim[k];
	vars[CV_REALITY] = cat->reality[k];
	vars[CV_STATION] = demo_stations[o->station];
	vars[CV_EXCL] = excl_name(p->excl);
	tracking_number(r, CAR_ZTO, return_no, sizeof(return_no));
	vars[CV_RETURN_NO] = return_no;
	vars[CV_ENGRAVING] = PICK(r, demo_engravings);
	base = c->anchor == AT_STALLED ? o->transit_ms : o->paid_ms;
	sfmt(days, sizeof(days), "%lld", (long long)((at[0] - base) / DAY_MS));
	vars[CV_DAYS] = days;
	part = o->quantity[0] * l->price[o->version[0] - 1] * 3 / 10;
	sfmt(refund, sizeof(refund), "%lld.%02lld", (long long)(part / 100),
	     (long long)(part % 100));
	vars[CV_REFUND] = refund;

	if (shown < 2)
		return 0; /* the conversation has barely begun */
	for (k = 0; k < shown; k++) {
		json_t *rec;

		chat_expand(text, sizeof(text), c->line[k].text, vars);
		rec = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "message", "order", o->ext,
				"sender", sender_name(c->line[k].who), "text", text,
				"sent_at", jx_time_json(at[k]));
		if (timed_add(d->messages, &d->n_messages, at[k], rec))
			return -1;
	}
	return 0;
}

/* ---- the whole set ---- */

json_t *demo_records(uint32_t seed, int64_t now_ms)
{
	struct demo *d;
	json_t *out = NULL;
	int rc = -1, i;

	if (now_ms <= WINDOW_MS)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->rng.state = seed;
	d->now_ms = now_ms;
	d->start_ms = now_ms - WINDOW_MS;
	out = json_array();
	if (!out)
		goto out;

	gen_consumers(d);
	if (gen_merchants(d, out) || gen_listings(d, out) || gen_orders(d, out))
		goto out;
	for (i = 0; i < N_ORDERS; i++)
		if (gen_logistics(d, &d->orders[i]))
			goto out;
	for (i = 0; i < N_ORDERS; i++)
		if (gen_chat(d, &d->orders[i]))
			goto out;
	if (timed_flush(out, d->events, d->n_events) ||
	    timed_flush(out, d->messages, d->n_messages))
		goto out;
	rc = 0;
out:
	for (i = 0; i < d->n_events; i++)
		json_decref(d->events[i].rec);
	for (i = 0; i < d->n_messages; i++)
		json_decref(d->messages[i].rec);
	free(d);
	if (rc) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

int demo_data_load(struct store *st, const char *data, uint32_t seed, int64_t now, int64_t *count,
		   struct err *e)
{
	json_t *recs = demo_records(seed, now), *rec;
	size_t i;
	int rc;

	*count = 0;
	if (!recs)
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot build demo records");
	rc = store_begin(st, e);
	if (rc) {
		json_decref(recs);
		return rc;
	}
	json_array_foreach(recs, i, rec) {
		struct ingest_ctx c = {.st = st, .data_dir = data, .now = now};
		json_t *out = NULL;
		int64_t paid = 0;

		/* an order arrives when it is paid: the risk figures count orders by that time */
		if (strcmp(json_string_value(json_object_get(rec, "type")), "order") == 0 &&
		    time_parse(json_string_value(json_object_get(rec, "paid_at")), &paid) == RC_OK)
			c.now = paid;

		rc = ingest_record(&c, rec, &out, e);
		json_decref(out);
		if (rc) {
			char msg[sizeof(e->message)];

			snprintf(msg, sizeof(msg), "%s", e->message);
			err_set(e, rc, e->code, e->param, "demo record %zu: %s: %s", i, e->param,
				msg);
			break;
		}
		(*count)++;
	}
	json_decref(recs);
	if (store_end(st, rc == RC_OK, rc ? NULL : e) && !rc)
		rc = e->rc;
	return rc;
}
