/* rules_set.h - every published version of the dispute rules: kept in the store, found by version and by time, published with notice. */
#ifndef DISPUTED_RULES_SET_H
#define DISPUTED_RULES_SET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cases/calendar.h"
#include "cases/rules.h"
#include "core/err.h"
#include "store/store.h"

/*
 * The platform publishes its rules (E-Commerce Law art. 33) and changes
 * them only with notice (art. 34): a new version takes effect at its
 * `published_at`, at least RULES_NOTICE_MS after it is loaded. Every
 * version ever published is kept, its text and SHA-256 in the store (table
 * rules_versions), and a dispute is judged to its end under the version in
 * force when it opened (its `rules_version`).
 *
 * A rules_set holds every stored version, loaded, in the order published
 * (which is the order of their published_at). Versions are immutable and
 * are never freed before the set, so a `const struct rules *` taken from
 * it stays valid for the set's life; each one's `set` points back here.
 * The set is a cache of the store: rules_set_sync reads the versions stored
 * since (by another process too, `disputed rules publish`). Every function
 * is safe from any thread; those taking a store run inside the caller's
 * store transaction.
 */

/* Most versions kept; publishing one more is refused. */
#define RULES_SET_MAX 256

/* The notice a new version needs: 7 days from loading to taking effect (art. 34). */
#define RULES_NOTICE_MS (7LL * 24 * 3600 * 1000)

/* Buffer size of a digest: "sha256:" and 64 hex digits. */
#define RULES_DIGEST_MAX 72

struct rules_set;

/* What the set keeps of one version beyond its rules. */
struct rules_version_info {
	const struct rules *rules;       /* the version (the set's) */
	int64_t loaded_at;               /* when the platform loaded it, UTC ms */
	char digest[RULES_DIGEST_MAX];   /* "sha256:…" of its text */
};

/*
 * Open the set of `st`: read every stored version and, when there is none,
 * store the rules file at `path` as the first (it needs no notice: it is
 * the platform's rules from the start; loaded_at is `now`). When versions
 * are stored already the file is only compared: `note` (RULES_NOTE_MAX
 * bytes) gets a warning for the log when it holds an unpublished version
 * or other text under a published one, else "". The stored versions
 * govern. Errors: the file does not load (as rules_load), a stored version
 * no longer loads (RC_INVAL naming it), the store's.
 */
#define RULES_NOTE_MAX 320
int rules_set_open(struct store *st, const char *path, int64_t now, struct rules_set **out,
		   char note[RULES_NOTE_MAX], struct err *e) WARN_UNUSED;

/* Free the set and every version in it. NULL is a no-op. */
void rules_set_free(struct rules_set *s);

/* Read the versions stored since the set last looked. */
int rules_set_sync(struct rules_set *s, struct store *st, struct err *e) WARN_UNUSED;

/*
 * The version in force at `t`: the last whose published_at is at or
 * before `t`, or the first when `t` is before them all (the platform's
 * first rules apply from its start). NULL only for an empty set.
 */
const struct rules *rules_set_at(const struct rules_set *s, int64_t t);

/* The version named `version`, or NULL. */
const struct rules *rules_set_find(const struct rules_set *s, const char *version);

/* What the set keeps of `version`: RC_OK, or RC_NOTFOUND. */
int rules_set_info(const struct rules_set *s, const char *version,
		   struct rules_version_info *out) WARN_UNUSED;

/*
 * The rules a dispute recorded as its `rules_version` is governed by: that
 * version from the set `current` belongs to; `current` itself when it
 * belongs to none (loaded alone) or the set does not hold the version
 * (a dispute recorded before versions were kept).
 */
const struct rules *rules_governing(const struct rules *current, const char *version);

/*
 * Every version, oldest first, as [{"version", "published_at", "loaded_at",
 * "digest", "in_force"}], in_force true for rules_set_at(now). At most
 * RULES_SET_MAX entries. New reference; NULL if out of memory.
 */
json_t *rules_set_versions_json(const struct rules_set *s, int64_t now);

/*
 * The version as served: rules_to_json(rules, cal) with "loaded_at",
 * "digest" and "in_force" (at `now`) added. NULL if out of memory.
 */
json_t *rules_version_json(const struct rules_version_info *v, const struct calendar *cal,
			   int in_force);

/*
 * Publish the rules `text` (`len` bytes, named `name` in messages) at
 * `now`, inside the caller's transaction: checked as rules_load checks a
 * file (RC_INVAL, "NAME:LINE: …"), then refused with RC_CONFLICT when its
 * version is published already (code version_exists; a version never
 * changes), when its published_at is less than RULES_NOTICE_MS after `now`
 * (code notice_too_short, param published_at, the message giving the
 * earliest time allowed), when it is not after every earlier version's
 * (code published_before_latest), or when RULES_SET_MAX versions are kept
 * (code too_many_versions). Else it is stored with loaded_at `now`; the
 * set takes it at its next rules_set_sync, once the transaction has
 * committed. *out (may be NULL) gets the new version as rules_version_json
 * serves it.
 */
int rules_set_publish(struct rules_set *s, struct store *st, const char *name, const char *text,
		      size_t len, int64_t now, const struct calendar *cal, json_t **out,
		      struct err *e) WARN_UNUSED;

/* "sha256:" and the hex SHA-256 of `len` bytes of `text`. */
void rules_digest(const char *text, size_t len, char out[RULES_DIGEST_MAX]);

#endif
