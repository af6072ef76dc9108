/* views.c - what each caller may see of a stored record, with personal-data reads written to the audit log. */
#include "http/http_int.h"

#include <string.h>

#include "core/jsonx.h"

static const char *sid(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int not_found(const char *what, struct err *e)
{
	return err_set(e, RC_NOTFOUND, "not_found", NULL, "no such %s", what);
}

int view_merchant(struct http_req *r, json_t *m, json_t **out, struct err *e)
{
	const char *id = sid(m, "id");
	int rc, yes = 0;

	*out = NULL;
	if (http_is(r, ROLE_PLATFORM | ROLE_AGENT)) {
		rc = http_audit(r, id,
				json_object_get(m, "id_number")
					? "id_number,registered_address,contact.phone,contact.email"
					: "registered_address,contact.phone,contact.email",
				e);
		if (rc)
			return rc;
		*out = json_incref(m);
		/* staff see the platform's own risk flags on the merchant */
		{
			json_t *flags = NULL;

			json_t *f;
			size_t i;

			rc = store_merchant_flags(r->srv->st, id, &flags, e);
			if (rc)
				return rc;
			json_array_foreach(flags, i, f)
				json_object_set_new(f, "created_at",
						    jx_time_json(json_integer_value(
							    json_object_get(f, "created_at"))));
			json_object_set_new(m, "flags", flags);
		}
		return RC_OK;
	}
	if (http_is(r, ROLE_MERCHANT)) {
		if (strcmp(r->who.subject, id) != 0)
			return not_found("merchant", e);
		*out = json_incref(m);
		return RC_OK;
	}
	if (http_is(r, ROLE_CONSUMER)) {
		json_t *pub;

		rc = store_consumer_has_merchant(r->srv->st, r->who.subject, id, &yes, e);
		if (rc)
			return rc;
		if (!yes)
			return not_found("merchant", e);
		pub = json_deep_copy(m);
		if (!pub)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		json_object_del(pub, "id_number");
		json_object_del(pub, "registered_address");
		json_object_del(pub, "contact");
		json_object_del(pub, "licence_image");
		*out = pub;
		return RC_OK;
	}
	return not_found("merchant", e);
}

int view_order(struct http_req *r, json_t *o, json_t **out, struct err *e)
{
	json_t *cons = json_object_get(o, "consumer");
	int rc;

	*out = NULL;
	if (http_is(r, ROLE_PLATFORM | ROLE_AGENT)) {
		rc = http_audit(r, sid(o, "id"), "consumer.phone", e);
		if (rc)
			return rc;
		*out = json_incref(o);
		return RC_OK;
	}
	if (http_is(r, ROLE_CONSUMER) && strcmp(r->who.subject, sid(cons, "id")) == 0) {
		*out = json_incref(o);
		return RC_OK;
	}
	if (http_is(r, ROLE_MERCHANT) && strcmp(r->who.subject, sid(o, "merchant")) == 0) {
		json_t *copy = json_deep_copy(o);

		if (!copy)
			return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
		json_object_del(json_object_get(copy, "consumer"), "phone");
		*out = copy;
		return RC_OK;
	}
	return not_found("order", e);
}

int view_consumer(struct http_req *r, json_t *c, json_t **out, struct err *e)
{
	int rc;

	*out = NULL;
	if (http_is(r, ROLE_PLATFORM | ROLE_AGENT)) {
		rc = http_audit(r, sid(c, "id"), "phone", e);
		if (rc)
			return rc;
		*out = json_incref(c);
		return RC_OK;
	}
	if (http_is(r, ROLE_CONSUMER) && strcmp(r->who.subject, sid(c, "id")) == 0) {
		*out = json_incref(c);
		return RC_OK;
	}
	return not_found("consumer", e);
}

int view_listing(struct http_req *r, json_t *l, json_t **out, struct err *e)
{
	int rc, yes = 0;

	*out = NULL;
	if (http_is(r, ROLE_PLATFORM | ROLE_AGENT) ||
	    (http_is(r, ROLE_MERCHANT) && strcmp(r->who.subject, sid(l, "merchant")) == 0)) {
		*out = json_incref(l);
		return RC_OK;
	}
	if (http_is(r, ROLE_CONSUMER)) {
		rc = store_consumer_has_listing(r->srv->st, r->who.subject, sid(l, "id"), &yes, e);
		if (rc)
			return rc;
		if (yes) {
			*out = json_incref(l);
			return RC_OK;
		}
	}
	return not_found("listing", e);
}

int find_order(struct http_req *r, const char *ref, json_t **order, struct err *e)
{
	json_t *o = NULL, *v = NULL;
	int rc = store_get(r->srv->st, STORE_ORDER, ref, &o, e);

	*order = NULL;
	if (rc == RC_NOTFOUND)
		return not_found("order", e);
	if (rc)
		return rc;
	/* visibility without the audit entry: the caller decides what it shows */
	if (http_is(r, ROLE_PLATFORM | ROLE_AGENT) ||
	    (http_is(r, ROLE_CONSUMER) &&
	     strcmp(r->who.subject, sid(json_object_get(o, "consumer"), "id")) == 0) ||
	    (http_is(r, ROLE_MERCHANT) && strcmp(r->who.subject, sid(o, "merchant")) == 0)) {
		*order = o;
		return RC_OK;
	}
	json_decref(o);
	json_decref(v);
	return not_found("order", e);
}
