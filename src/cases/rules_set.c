/* rules_set.c - the published versions of the dispute rules: loading them from the store, lookups, publishing with notice. */
#include "cases/rules_set.h"

#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"
#include "core/timeutil.h"

/* One version in the set; never changed or moved once added. */
struct rules_entry {
	struct rules_version_info info; /* info.rules is `rules` */
	struct rules *rules;            /* owned */
	int64_t seq;                    /* its row in the store */
};

struct rules_set {
	pthread_mutex_t lock;                     /* guards `n` and `last_seq` */
	struct rules_entry *v[RULES_SET_MAX];     /* oldest first; entries owned */
	size_t n;                                 /* entries in `v` */
	int64_t last_seq;                         /* the newest row read */
};

void rules_digest(const char *text, size_t len, char out[RULES_DIGEST_MAX])
{
	char hex[65];

	sha256_hex(text, len, hex);
	snprintf(out, RULES_DIGEST_MAX, "sha256:%s", hex);
}

static struct rules_set *set_new(void)
{
	struct rules_set *s = g_new0(struct rules_set, 1);

	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void rules_set_free(struct rules_set *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		rules_free(s->v[i]->rules);
		g_free(s->v[i]);
	}
	pthread_mutex_destroy(&s->lock);
	g_free(s);
}

static size_t set_count(struct rules_set *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Add a stored version (store_rules_version_each's callback). */
static int add_stored(void *cls, const struct store_rules_version *sv, struct err *e)
{
	struct rules_set *s = cls;
	struct rules_entry *en;
	struct rules *r = NULL;
	char name[96];
	int rc;

	snprintf(name, sizeof(name), "rules version %s", sv->version);
	rc = rules_parse(name, sv->text, sv->len, NULL, &r, e);
	if (rc) {
		char msg[sizeof(e->message)];

		snprintf(msg, sizeof(msg), "%s", e->message);
		return err_set(e, RC_INVAL, "invalid_stored_rules", NULL,
			       "the stored %s no longer loads: %s", sv->version, msg);
	}
	r->set = s;
	en = g_new0(struct rules_entry, 1);
	en->rules = r;
	en->seq = sv->seq;
	en->info.rules = r;
	en->info.loaded_at = sv->loaded_at;
	snprintf(en->info.digest, sizeof(en->info.digest), "%s", sv->digest);
	pthread_mutex_lock(&s->lock);
	s->v[s->n++] = en;
	s->last_seq = sv->seq;
	pthread_mutex_unlock(&s->lock);
	return RC_OK;
}

int rules_set_sync(struct rules_set *s, struct store *st, struct err *e)
{
	size_t n;
	int64_t after;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	after = s->last_seq;
	pthread_mutex_unlock(&s->lock);
	if (n >= RULES_SET_MAX)
		return RC_OK;
	/* one thread at a time adds: the callers hold the store's lock */
	return store_rules_version_each(st, after, (int)(RULES_SET_MAX - n), add_stored, s, e);
}

/* The entry of `version`, or NULL; call with the lock held. */
static const struct rules_entry *entry_find(const struct rules_set *s, const char *version)
{
	size_t i;

	for (i = 0; version && i < s->n; i++)
		if (strcmp(s->v[i]->rules->version, version) == 0)
			return s->v[i];
	return NULL;
}

/* The entry in force at `t`, or NULL when empty; call with the lock held. */
static const struct rules_entry *entry_at(const struct rules_set *s, int64_t t)
{
	size_t i;

	for (i = s->n; i > 0; i--)
		if (s->v[i - 1]->rules->published_at <= t)
			return s->v[i - 1];
	return s->n ? s->v[0] : NULL;
}

const struct rules *rules_set_at(const struct rules_set *s, int64_t t)
{
	struct rules_set *m = (struct rules_set *)s;
	const struct rules_entry *en;

	pthread_mutex_lock(&m->lock);
	en = entry_at(s, t);
	pthread_mutex_unlock(&m->lock);
	return en ? en->rules : NULL;
}

const struct rules *rules_set_find(const struct rules_set *s, const char *version)
{
	struct rules_set *m = (struct rules_set *)s;
	const struct rules_entry *en;

	pthread_mutex_lock(&m->lock);
	en = entry_find(s, version);
	pthread_mutex_unlock(&m->lock);
	return en ? en->rules : NULL;
}

int rules_set_info(const struct rules_set *s, const char *version,
		   struct rules_version_info *out)
{
	struct rules_set *m = (struct rules_set *)s;
	const struct rules_entry *en;

	pthread_mutex_lock(&m->lock);
	en = entry_find(s, version);
	if (en)
		*out = en->info;
	pthread_mutex_unlock(&m->lock);
	return en ? RC_OK : RC_NOTFOUND;
}

const struct rules *rules_governing(const struct rules *current, const char *version)
{
	const struct rules *r;

	if (!current || !current->set || !version)
		return current;
	r = rules_set_find(current->set, version);
	return r ? r : current;
}

static json_t *time_json(int64_t ms)
{
	char t[TIME_TEXT_MAX];

	time_format(ms, t);
	return json_string(t);
}

json_t *rules_set_versions_json(const struct rules_set *s, int64_t now)
{
	struct rules_set *m = (struct rules_set *)s;
	const struct rules_entry *cur, *en;
	json_t *a = json_array(), *v;
	size_t i;

	pthread_mutex_lock(&m->lock);
	cur = entry_at(s, now);
	for (i = 0; a && i < s->n; i++) {
		en = s->v[i];
		v = json_pack("{s:s, s:o, s:o, s:s, s:b}", "version", en->rules->version,
			      "published_at", time_json(en->rules->published_at), "loaded_at",
			      time_json(en->info.loaded_at), "digest", en->info.digest, "in_force",
			      en == cur);
		if (!v || json_array_append_new(a, v)) {
			json_decref(a);
			a = NULL;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return a;
}

json_t *rules_version_json(const struct rules_version_info *v, const struct calendar *cal,
			   int in_force)
{
	json_t *j = rules_to_json(v->rules, cal);

	if (j && (json_object_set_new(j, "loaded_at", time_json(v->loaded_at)) ||
		  json_object_set_new(j, "digest", json_string(v->digest)) ||
		  json_object_set_new(j, "in_force", json_boolean(in_force)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Store `r` from `text` as a new version loaded at `now`. */
static int store_version(struct store *st, const struct rules *r, const char *text, size_t len,
			 const char *digest, int64_t now, struct err *e)
{
	struct store_rules_version sv = {0, r->version, r->published_at, now, text, len, digest};

	return store_rules_version_put(st, &sv, e);
}

/* Compare the configured file with the stored versions, for the log. */
static void note_file(const struct rules_set *s, const char *path, const struct rules *file,
		      const char *digest, char note[RULES_NOTE_MAX])
{
	struct rules_version_info info;

	note[0] = '\0';
	if (rules_set_info(s, file->version, &info) != RC_OK)
		snprintf(note, RULES_NOTE_MAX,
			 "%s holds rules version %s, which is not published: the published "
			 "versions govern; publish it with `disputed rules publish`", path,
			 file->version);
	else if (strcmp(info.digest, digest) != 0)
		snprintf(note, RULES_NOTE_MAX,
			 "%s holds other text under the published rules version %s: the "
			 "published text governs; a changed text needs a new version", path,
			 file->version);
}

int rules_set_open(struct store *st, const char *path, int64_t now, struct rules_set **out,
		   char note[RULES_NOTE_MAX], struct err *e)
{
	struct rules_set *s = set_new();
	struct rules *file = NULL;
	char *text = NULL, digest[RULES_DIGEST_MAX];
	size_t len = 0;
	int rc;

	*out = NULL;
	note[0] = '\0';
	if (!path)
		path = RULES_DEFAULT_PATH;
	rc = rules_file_read(path, &text, &len, e);
	if (!rc)
		rc = rules_parse(path, text, len, NULL, &file, e);
	if (!rc)
		rc = rules_set_sync(s, st, e);
	if (!rc) {
		rules_digest(text, len, digest);
		if (set_count(s) == 0) {
			rc = store_version(st, file, text, len, digest, now, e);
			if (!rc)
				rc = rules_set_sync(s, st, e);
		} else {
			note_file(s, path, file, digest, note);
		}
	}
	rules_free(file);
	g_free(text);
	if (rc) {
		rules_set_free(s);
		return rc;
	}
	*out = s;
	return RC_OK;
}

int rules_set_publish(struct rules_set *s, struct store *st, const char *name, const char *text,
		      size_t len, int64_t now, const struct calendar *cal, json_t **out,
		      struct err *e)
{
	struct rules_version_info info;
	struct rules *r = NULL;
	const struct rules *latest;
	char digest[RULES_DIGEST_MAX], t1[TIME_TEXT_MAX], t2[TIME_TEXT_MAX];
	int rc;

	if (out)
		*out = NULL;
	rc = rules_parse(name, text, len, NULL, &r, e);
	if (!rc)
		rc = rules_set_sync(s, st, e);
	if (rc)
		goto out;
	rules_digest(text, len, digest);
	latest = rules_set_at(s, INT64_MAX);
	if (rules_set_info(s, r->version, &info) == RC_OK) {
		rc = err_set(e, RC_CONFLICT, "version_exists", "version",
			     strcmp(info.digest, digest) == 0
				     ? "rules version %s is already published"
				     : "rules version %s is already published with other text: a "
				       "published version never changes, give this text a new version",
			     r->version);
	} else if (r->published_at < now + RULES_NOTICE_MS) {
		time_format(now + RULES_NOTICE_MS, t1);
		rc = err_set(e, RC_CONFLICT, "notice_too_short", "published_at",
			     "a new version takes effect at least 7 days after it is loaded "
			     "(E-Commerce Law art. 34): published_at must be %s or later", t1);
	} else if (latest && r->published_at <= latest->published_at) {
		time_format(latest->published_at, t2);
		rc = err_set(e, RC_CONFLICT, "published_before_latest", "published_at",
			     "published_at must be after that of every earlier version: %s "
			     "takes effect at %s", latest->version, t2);
	} else if (set_count(s) >= RULES_SET_MAX) {
		rc = err_set(e, RC_CONFLICT, "too_many_versions", NULL,
			     "%d rules versions are published, the most kept", RULES_SET_MAX);
	}
	if (!rc)
		rc = store_version(st, r, text, len, digest, now, e);
	if (!rc && out) {
		info.rules = r;
		info.loaded_at = now;
		snprintf(info.digest, sizeof(info.digest), "%s", digest);
		*out = rules_version_json(&info, cal, 0);
		if (!*out)
			rc = err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	}
out:
	rules_free(r);
	return rc;
}
