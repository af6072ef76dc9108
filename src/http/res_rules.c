/* res_rules.c - /v1/rules: the published rules in force, every earlier and coming version, and publishing a new one. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"

/* The version `version` as served, with in_force at the request's time. */
static int version_reply(struct http_req *r, const char *version, json_t **out, struct err *e)
{
	struct rules_version_info info;

	*out = NULL;
	if (rules_set_info(r->srv->rules_set, version, &info) != RC_OK)
		return err_set(e, RC_NOTFOUND, "not_found", "version", "no rules version %s",
			       version);
	*out = rules_version_json(&info, r->srv->cal,
				  info.rules == rules_set_at(r->srv->rules_set, r->now));
	if (!*out)
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot render the rules");
	return RC_OK;
}

int res_rules(struct http_req *r, struct err *e)
{
	json_t *j = NULL, *versions;
	int rc = version_reply(r, r->srv->rules->version, &j, e);

	if (rc)
		return rc;
	versions = rules_set_versions_json(r->srv->rules_set, r->now);
	if (!versions || json_object_set_new(j, "versions", versions)) {
		json_decref(j);
		return err_set(e, RC_NOMEM, NULL, NULL, "cannot render the rules");
	}
	return http_reply_json(r, 200, j);
}

int res_rules_version(struct http_req *r, struct err *e)
{
	json_t *j = NULL;
	int rc = version_reply(r, r->params[0], &j, e);

	if (rc)
		return rc;
	return http_reply_json(r, 200, j);
}

int res_rules_publish(struct http_req *r, struct err *e)
{
	static const char *const fields[] = {"text", NULL};
	const char *text = NULL;
	json_t *in = NULL, *out = NULL;
	int rc = http_body_json(r, &in, e);

	if (!rc)
		rc = jx_only(in, fields, "", e);
	if (!rc)
		rc = jx_str(in, "text", "text", 1, (size_t)r->srv->cfg->max_body_bytes, &text, e);
	if (!rc)
		rc = rules_set_publish(r->srv->rules_set, r->srv->st, "text", text, strlen(text),
				       r->now, r->srv->cal, &out, e);
	json_decref(in);
	if (rc)
		return rc;
	return http_reply_json(r, 201, out);
}
