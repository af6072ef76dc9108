/* demo_tables.h - the data the demo records are drawn from: places, names, products, carriers, chat templates (private to src/cli/demo_*.c). */
#ifndef DISPUTED_DEMO_TABLES_H
#define DISPUTED_DEMO_TABLES_H

#include <stddef.h>
#include <stdint.h>

#define N_MERCHANTS 40  /* merchants in the demo: one trade name each */
#define MAX_CHAT 8      /* messages per conversation */

/*
 * Each table demo_X has its length in demo_X_n. The tables are facts and
 * prose for realistic demo data; demo_data.c draws from them.
 */

/* Where merchants are registered: real county-level divisions. */
struct place {
	const char *code;      /* administrative division code (GB/T 2260) */
	const char *region;    /* province and city, as an address starts */
	const char *district;  /* district or county-level city */
	const char *city;      /* short city name, as company names start */
	const char *shop;      /* prefix of a 个体工商户 name */
	const char *area;      /* telephone area code */
	int local_digits;      /* digits of a local landline number */
	const char *street[2]; /* real streets of the district */
};

extern const struct place demo_places[];
extern const size_t demo_places_n;

/* Birthplaces (first six digits) of individual merchants' ID numbers. */
extern const char *const demo_birthplaces[];
extern const size_t demo_birthplaces_n;

struct name_part {
	const char *han; /* Chinese characters */
	const char *py;  /* pinyin without tones, for email addresses */
};

extern const struct name_part demo_surnames[];
extern const size_t demo_surnames_n;

extern const struct name_part demo_female_names[];
extern const size_t demo_female_names_n;

extern const struct name_part demo_male_names[];
extern const size_t demo_male_names_n;

/* Trade names (字号) of companies. */
extern const struct name_part demo_brands[];
extern const size_t demo_brands_n;

extern const char *const demo_mobile_prefixes[];
extern const size_t demo_mobile_prefixes_n;

extern const char *const demo_office_buildings[];
extern const size_t demo_office_buildings_n;

extern const char *const demo_communities[];
extern const size_t demo_communities_n;

/* Cities consumers live in (logistics destinations). */
extern const char *const demo_cities[];
extern const size_t demo_cities_n;

/* Cities with big sorting centres, for the middle of a route. */
extern const char *const demo_hub_cities[];
extern const size_t demo_hub_cities_n;

enum { CAR_SF, CAR_ZTO, CAR_YTO, CAR_YUNDA, CAR_JD, CAR_EMS, CAR_COUNT };

struct carrier {
	const char *name; /* as the platform shows it */
	const char *hub;  /* what the carrier calls its sorting centres */
	int share;        /* relative share as a merchant's usual carrier */
};

extern const struct carrier demo_carriers[CAR_COUNT];
extern const size_t demo_carriers_n;

extern const char *const demo_stations[];
extern const size_t demo_stations_n;

enum {
	CAT_PHONE, CAT_CLOTHES, CAT_FOOD, CAT_APPLIANCE, CAT_BOOKS, CAT_CUSTOM,
	CAT_DIGITAL, CAT_COUNT
};

#define CAT_BIT(c) (1u << (c))
#define CATS_PHYSICAL (((1u << CAT_COUNT) - 1) & ~CAT_BIT(CAT_DIGITAL))

struct category {
	const char *industry[2]; /* industry words of a company name */
	const char *shop;        /* ending of a 个体工商户 name */
	const char *domain;      /* word in a company's email domain */
	int merchants;           /* merchants selling it, of N_MERCHANTS */
	const char *defect[3];   /* quality complaints, for chats */
	const char *claim[2];    /* what a listing promised ... */
	const char *reality[2];  /* ... and what arrived instead */
};

extern const struct category demo_categories[CAT_COUNT];
extern const size_t demo_categories_n;

struct product {
	int cat;            /* enum category */
	const char *title;
	const char *item;   /* what a buyer calls it in a chat */
	const char *desc;
	int64_t lo, hi;     /* price range, fen */
	int min_qty;        /* smallest quantity ordered */
	const char *excl;   /* return_exclusion, or NULL */
};

extern const struct product demo_products[];
extern const size_t demo_products_n;

/* Notes a merchant adds to a listing's description in version 2. */
extern const char *const demo_physical_notes[];
extern const size_t demo_physical_notes_n;
extern const char *const demo_digital_notes[];
extern const size_t demo_digital_notes_n;

extern const char *const demo_engravings[];
extern const size_t demo_engravings_n;

/* chat templates */

/* When a conversation starts, relative to the order's events. */
enum anchor {
	AT_PAID,      /* shortly after payment */
	AT_SHIPPED,   /* after it was shipped */
	AT_SIGNED,    /* after it was signed for */
	AT_STALLED,   /* days after the tracking stopped moving */
	AT_LOST,      /* after the carrier reported it lost */
	AT_RETURNED,  /* after it went back to the merchant */
	AT_UNSHIPPED, /* days after payment, still not shipped */
};

/* Which orders a template fits, by the return exclusion of the first item. */
enum { EX_ANY, EX_NONE, EX_SOME, EX_PERISHABLE };

/* Placeholders a template may use as "{name}". */
enum {
	CV_ITEM, CV_CARRIER, CV_TRACKING, CV_DEFECT, CV_CLAIM, CV_REALITY, CV_STATION,
	CV_EXCL, CV_RETURN_NO, CV_ENGRAVING, CV_DAYS, CV_REFUND, CV_COUNT
};

extern const char *const demo_chat_keys[CV_COUNT];
extern const size_t demo_chat_keys_n;

struct chat_line {
	char who;           /* 'c' consumer, 'm' merchant, 'p' platform; 0 ends */
	int gap_lo, gap_hi; /* minutes after the previous message or the anchor */
	const char *text;   /* with {placeholders} */
};

struct chat {
	int anchor;   /* enum anchor */
	unsigned cats; /* CAT_BIT set of categories it fits */
	int excl;     /* EX_* */
	int weight;   /* relative chance among the templates that fit */
	struct chat_line line[MAX_CHAT + 1];
};

extern const struct chat demo_chats[];
extern const size_t demo_chats_n;

extern const char *const demo_signed_details[];
extern const size_t demo_signed_details_n;

extern const char *const demo_returned_details[];
extern const size_t demo_returned_details_n;

#endif
