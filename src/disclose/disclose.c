/* disclose.c - the engine over the visibility table: decide, apply to a record, scope a list, shape a bundle. */
#include "disclose/disclose_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "evidence/blobstore.h"

static const struct disclose_rule no_basis = {DISCLOSE_WITHHOLD, "no_basis"};

static const struct field_def *field_row(enum disclose_kind kind, const char *field)
{
	size_t i;

	for (i = 0; i < disclose_nfields; i++)
		if (disclose_fields[i].kind == kind && strcmp(disclose_fields[i].field, field) == 0)
			return &disclose_fields[i];
	return NULL;
}

struct disclose_rule disclose_rule_of(enum disclose_kind kind, const char *role,
				      const char *field)
{
	struct disclose_rule r = no_basis;
	const struct access_rule *a;
	const struct field_def *f;
	int ri = disclose_role_index(role);

	if (ri < 0 || (unsigned)kind >= DISCLOSE_KIND_COUNT)
		return r;
	a = &disclose_kinds[kind].access[ri];
	r.reason = a->reason;
	r.action = a->how == ACC_NONE ? DISCLOSE_WITHHOLD : DISCLOSE_SHOW;
	if (!field || a->how == ACC_NONE)
		return r;
	f = field_row(kind, field);
	return f ? f->rules[ri] : r;
}

/* Whether `basis` is one of `bases` (NULL: any basis will do). */
static int basis_covers(const char *const *bases, const char *basis)
{
	size_t i;

	for (i = 0; bases && bases[i]; i++)
		if (basis && strcmp(bases[i], basis) == 0)
			return 1;
	return !bases;
}

struct disclose_rule disclose_package_rule(const char *role, const char *basis,
					   const char *kind, const char *field)
{
	static const struct disclose_rule shown = {DISCLOSE_SHOW, "requester"};
	int ri = disclose_role_index(role), outsider;
	const struct field_def *f;
	char name[128];

	if (ri < 0 || disclose_kinds[DISCLOSE_PACKAGE].access[ri].how == ACC_NONE)
		return no_basis;
	if (snprintf(name, sizeof(name), "%s.%s", kind, field) >= (int)sizeof(name))
		return no_basis;
	f = field_row(DISCLOSE_PACKAGE, name);
	if (!f)
		return shown;
	outsider = strcmp(role, "court") == 0 || strcmp(role, "association") == 0 ||
		   strcmp(role, "regulator") == 0;
	if (outsider && f->rules[ri].action != DISCLOSE_WITHHOLD && !basis_covers(f->bases, basis))
		return no_basis;
	return f->rules[ri];
}

int disclose_mask(const char *in, size_t head, size_t tail, char *out, size_t cap)
{
	size_t i, n = strlen(in);
	int whole = n <= head + tail;

	if (n + 1 > cap)
		return -1;
	for (i = 0; i < n; i++) {
		int keep = !whole && (i < head || i >= n - tail);

		out[i] = !keep && isalnum((unsigned char)in[i]) ? '*' : in[i];
	}
	out[n] = '\0';
	return 0;
}

/* The object holding the last part of a dotted `path`, and that part's name. */
static json_t *parent_of(json_t *o, const char *path, char *key, size_t cap)
{
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		char part[64];

		if ((size_t)(dot - path) >= sizeof(part))
			return NULL;
		memcpy(part, path, (size_t)(dot - path));
		part[dot - path] = '\0';
		o = json_object_get(o, part);
		if (!json_is_object(o))
			return NULL;
		path = dot + 1;
	}
	if (snprintf(key, cap, "%s", path) >= (int)cap)
		return NULL;
	return json_is_object(o) ? o : NULL;
}

static const char *string_at(json_t *o, const char *path)
{
	char key[64];
	json_t *p = parent_of(o, path, key, sizeof(key));

	return p ? json_string_value(json_object_get(p, key)) : NULL;
}

/* A comma-separated list that must fit. */
static int list_add(char *list, size_t cap, const char *a, const char *b, const char *c,
		    struct err *e)
{
	size_t len = strlen(list);
	int n = snprintf(list + len, cap - len, "%s%s%s%s", len ? "," : "", a, b, c);

	if (n < 0 || (size_t)n >= cap - len) {
		list[len] = '\0';
		return err_set(e, RC_TOOBIG, NULL, NULL, "the audited field list is too long");
	}
	return RC_OK;
}

/* Whether a stored relation lets the principal see the record (ACC_LOOKUP). */
static int related(struct store *st, const struct principal *who, enum disclose_kind kind,
		   json_t *record, int *yes, struct err *e)
{
	const char *id = json_string_value(json_object_get(record, "id"));
	int consumer = strcmp(who->role, "consumer") == 0;
	char hex[65];

	*yes = 0;
	if (!st || !id)
		return err_set(e, RC_INTERNAL, NULL, NULL, "no store to decide visibility with");
	switch (kind) {
	case DISCLOSE_MERCHANT:
		return consumer ? store_consumer_has_merchant(st, who->subject, id, yes, e) : RC_OK;
	case DISCLOSE_LISTING:
		return consumer ? store_consumer_has_listing(st, who->subject, id, yes, e) : RC_OK;
	case DISCLOSE_BLOB:
		if (!blob_parse_id(id, hex))
			return RC_OK;
		return store_blob_visible(st, hex, consumer ? NULL : who->subject,
					  consumer ? who->subject : NULL, yes, e);
	default:
		return err_set(e, RC_INTERNAL, NULL, NULL, "no relation for %s",
			       disclose_kind_names[kind]);
	}
}

void disclose_view_release(struct disclose_view *v)
{
	json_decref(v->body);
	v->body = NULL;
}

static int hidden(struct disclose_view *out, enum disclose_kind kind, const char *reason,
		  struct err *e)
{
	out->reason = reason;
	return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", disclose_kinds[kind].noun);
}

int disclose_view(struct store *st, const struct principal *who, enum disclose_kind kind,
		  json_t *record, struct disclose_view *out, struct err *e)
{
	const struct access_rule *a;
	size_t i;
	int ri = disclose_role_index(who->role), rc, yes = 0;

	memset(out, 0, sizeof(*out));
	if (ri < 0 || (unsigned)kind >= DISCLOSE_KIND_COUNT)
		return hidden(out, kind < DISCLOSE_KIND_COUNT ? kind : DISCLOSE_ORDER, "no_basis", e);
	a = &disclose_kinds[kind].access[ri];
	switch (a->how) {
	case ACC_ALL:
		yes = 1;
		break;
	case ACC_MATCH: {
		const char *id = string_at(record, a->path);

		yes = id && strcmp(id, who->subject) == 0;
		break;
	}
	case ACC_LOOKUP:
		rc = related(st, who, kind, record, &yes, e);
		if (rc)
			return rc;
		break;
	case ACC_NONE:
		break;
	}
	if (!yes)
		return hidden(out, kind, a->how == ACC_NONE ? a->reason : "not_a_party", e);
	out->reason = a->reason;
	out->body = json_deep_copy(record);
	if (!out->body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	for (i = 0; i < disclose_nfields; i++) {
		const struct field_def *f = &disclose_fields[i];
		const struct disclose_rule *r = &f->rules[ri];
		char key[64];
		json_t *parent, *v;
		int null;

		if (f->kind != kind)
			continue;
		parent = parent_of(out->body, f->field, key, sizeof(key));
		v = parent ? json_object_get(parent, key) : NULL;
		if (!v)
			continue;
		null = json_is_null(v); /* v is freed when a mask replaces it */
		if (out->nfields < DISCLOSE_MAX_FIELDS) {
			out->fields[out->nfields].field = f->field;
			out->fields[out->nfields].action = r->action;
			out->fields[out->nfields].reason = r->reason;
			out->nfields++;
		}
		if (r->action == DISCLOSE_WITHHOLD) {
			json_object_del(parent, key);
			continue;
		}
		if (r->action == DISCLOSE_REDACT && json_is_string(v)) {
			static const struct disclose_parties nobody;
			struct buf red;
			int changed;

			buf_init(&red, (size_t)1 << 20);
			rc = disclose_redact(json_string_value(v), &nobody, &red, &changed, e);
			if (rc) {
				buf_release(&red);
				disclose_view_release(out);
				return rc;
			}
			json_object_set_new(parent, key, json_stringn(red.data, red.len));
			buf_release(&red);
		}
		if (r->action == DISCLOSE_MASK && json_is_string(v)) {
			char masked[256];

			if (disclose_mask(json_string_value(v), f->mask_head, f->mask_tail, masked,
					  sizeof(masked)))
				snprintf(masked, sizeof(masked), "***");
			json_object_set_new(parent, key, json_string(masked));
		}
		if (f->personal && !null && strcmp(r->reason, "own") != 0) {
			rc = list_add(out->audit, sizeof(out->audit), f->field,
				      r->action == DISCLOSE_MASK     ? "(masked)"
				      : r->action == DISCLOSE_REDACT ? "(redacted)"
								     : "",
				      "", e);
			if (rc) {
				disclose_view_release(out);
				return rc;
			}
		}
	}
	return RC_OK;
}

void disclose_scope_of(const struct principal *who, enum disclose_kind kind,
		       struct disclose_scope *out)
{
	const struct access_rule *a;
	int ri = disclose_role_index(who->role);

	memset(out, 0, sizeof(*out));
	if (ri < 0 || (unsigned)kind >= DISCLOSE_KIND_COUNT) {
		out->none = 1;
		return;
	}
	a = &disclose_kinds[kind].access[ri];
	if (a->how == ACC_ALL)
		out->all = 1;
	else if (a->how == ACC_NONE || (a->how == ACC_MATCH && a->col == COL_OTHER))
		out->none = 1;
	else if (a->how == ACC_MATCH && a->col == COL_MERCHANT)
		out->merchant_id = who->subject;
	else if (a->how == ACC_MATCH)
		out->consumer_id = who->subject;
}

int disclose_bundle_fields(const struct principal *who, const char **names, size_t cap,
			   size_t *n, char *audit, size_t audit_cap, struct err *e)
{
	int ri = disclose_role_index(who->role), rc;
	size_t i, j;

	*n = 0;
	if (audit_cap)
		audit[0] = '\0';
	if (ri < 0)
		return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such order");
	for (i = 0; i < disclose_nfields; i++) {
		const struct field_def *f = &disclose_fields[i];
		const struct disclose_rule *r = &f->rules[ri];
		int seen = 0;

		if (f->kind != DISCLOSE_MERCHANT && f->kind != DISCLOSE_ORDER)
			continue;
		if (r->action == DISCLOSE_SHOW) {
			if (f->personal && strcmp(r->reason, "own") != 0) {
				rc = list_add(audit, audit_cap, disclose_kind_names[f->kind], ".",
					      f->field, e);
				if (rc)
					return rc;
			}
			continue;
		}
		for (j = 0; j < *n; j++)
			seen |= strcmp(names[j], f->field) == 0;
		if (seen)
			continue;
		if (*n == cap)
			return err_set(e, RC_TOOBIG, NULL, NULL, "too many withheld fields");
		names[(*n)++] = f->field;
	}
	return RC_OK;
}

/* ---- packages ---- */

/* The string at flattened field name `field` (dots into objects) of `body`, or NULL. */
static const char *field_text(json_t *body, const char *field)
{
	return string_at(body, field);
}

/* What a package gives of one field, and the text the reader sees when it is not the value. */
static int package_field(const struct disclose_package_reader *r, const char *kind,
			 json_t *body, const char *field, struct buf *shown, int *show,
			 struct err *e)
{
	struct disclose_rule rule = disclose_package_rule(r->role, r->basis, kind, field);
	const struct field_def *f;
	const char *v = field_text(body, field);
	char name[128], masked[256];
	int changed = 0;

	*show = rule.action == DISCLOSE_SHOW;
	if (!v || rule.action == DISCLOSE_SHOW || rule.action == DISCLOSE_WITHHOLD)
		return RC_OK;
	if (rule.action == DISCLOSE_REDACT) {
		int rc = disclose_redact(v, r->parties, shown, &changed, e);

		*show = !rc && !changed;
		return rc;
	}
	snprintf(name, sizeof(name), "%s.%s", kind, field);
	f = field_row(DISCLOSE_PACKAGE, name);
	if (!f || disclose_mask(v, f->mask_head, f->mask_tail, masked, sizeof(masked)))
		snprintf(masked, sizeof(masked), "***");
	return buf_appends(shown, masked) ? err_set(e, RC_TOOBIG, NULL, NULL, "out of room")
					  : RC_OK;
}

int disclose_package_shows(const struct disclose_package_reader *r, const char *kind,
			   json_t *body, const char *field, int *show, struct err *e)
{
	struct buf shown;
	int rc;

	buf_init(&shown, (size_t)1 << 20);
	rc = package_field(r, kind, body, field, &shown, show, e);
	buf_release(&shown);
	return rc;
}

int disclose_package_masks(const struct disclose_package_reader *r, const char *kind,
			   json_t *body, json_t *out, size_t cap, struct err *e)
{
	const char *id = json_string_value(json_object_get(body, "id"));
	size_t i, prefix = strlen(kind);
	int rc = RC_OK, show;

	for (i = 0; i < disclose_nfields && !rc; i++) {
		const struct field_def *f = &disclose_fields[i];
		const char *field = f->field + prefix + 1;
		struct buf shown;

		if (f->kind != DISCLOSE_PACKAGE || strncmp(f->field, kind, prefix) != 0 ||
		    f->field[prefix] != '.' || !field_text(body, field))
			continue;
		buf_init(&shown, (size_t)1 << 20);
		rc = package_field(r, kind, body, field, &shown, &show, e);
		if (!rc && !show && shown.len > 0) {
			if (json_array_size(out) >= cap)
				rc = err_set(e, RC_TOOBIG, NULL, NULL, "too many masked renderings");
			else
				json_array_append_new(out, json_pack("{s:s, s:s, s:s#}", "record",
								     id ? id : "", "field", field,
								     "value", shown.data,
								     (int)shown.len));
		}
		buf_release(&shown);
	}
	return rc;
}
