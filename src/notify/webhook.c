/* webhook.c - webhook events: types, the outbox write inside the caller's transaction, signatures and the retry schedule. */
#include "notify/webhook.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"
#include "core/jsonx.h"

const char *const webhook_event_types[] = {
	"dispute.created",
	"dispute.updated",
	"dispute.deadline_approaching",
	"dispute.decided",
	"dispute.resolved",
	"dispute.withdrawn",
	"dispute.external",
	"payout.requested",
	"disclosure.requested",
	"disclosure.released",
	"listing.suspended",
	"listing.reinstated",
	"alert.raised",
	"consumer.flagged",
	"consumer.flag_cleared",
	"consumer.flag_appealed",
	"consumer.flag_appeal_decided",
	NULL,
};

int webhook_type_valid(const char *type)
{
	size_t i, n = strlen(type);
	int words = 1, start = 1;

	if (n == 0 || n >= WEBHOOK_TYPE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = type[i];

		if (c == '.') {
			if (start)
				return 0;
			words++;
			start = 1;
		} else if (start) {
			if (c < 'a' || c > 'z')
				return 0;
			start = 0;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
			return 0;
		}
	}
	return !start && words >= 2;
}

int webhook_emit(struct store *st, const char *type, json_t *object, int64_t now,
		 struct err *e)
{
	char id[ID_MAX];
	char *body = NULL;
	json_t *ev;
	int64_t n = 0;
	int rc;

	if (!type || !webhook_type_valid(type))
		return err_set(e, RC_INVAL, "invalid_event_type", NULL,
			       "webhook event type %s is not dotted lowercase words",
			       type ? type : "(null)");
	if (!json_is_object(object))
		return err_set(e, RC_INVAL, "invalid_event_object", NULL,
			       "webhook event %s needs an object", type);
	id_new(id, "evt");
	ev = json_pack("{s:s, s:s, s:s, s:o, s:{s:O}}", "id", id, "object", "event", "type",
		       type, "created_at", jx_time_json(now), "data", "object", object);
	if (ev)
		body = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ev);
	if (!body)
		return err_set(e, RC_NOMEM, NULL, NULL, "out of memory");
	rc = store_webhook_event_add(st, id, type, body, now, &n, e);
	free(body);
	if (!rc && n > 0)
		webhook_worker_kick();
	return rc;
}

int webhook_sign(const char *secret, int64_t t, const void *body, size_t len,
		 char out[WEBHOOK_SIG_MAX])
{
	crypto_auth_hmacsha256_state h;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char ts[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	int n;

	out[0] = '\0';
	if (t < 0)
		return RC_INVAL;
	n = snprintf(ts, sizeof(ts), "%" PRId64, t);
	/* the _init form takes a key of any length (HMAC hashes a long one first) */
	crypto_auth_hmacsha256_init(&h, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)ts, (unsigned long long)n);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&h, body, (unsigned long long)len);
	crypto_auth_hmacsha256_final(&h, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	sodium_memzero(&h, sizeof(h));
	n = snprintf(out, WEBHOOK_SIG_MAX, "t=%s,v1=%s", ts, hex);
	return n > 0 && n < WEBHOOK_SIG_MAX ? RC_OK : RC_INTERNAL;
}

int64_t webhook_backoff_ms(int failures, uint32_t rnd)
{
	int64_t base = WEBHOOK_BACKOFF_BASE_MS;
	int i;

	for (i = 1; i < failures && base < WEBHOOK_BACKOFF_MAX_MS; i++)
		base *= 2;
	if (base > WEBHOOK_BACKOFF_MAX_MS)
		base = WEBHOOK_BACKOFF_MAX_MS;
	return base - (int64_t)(rnd % (uint32_t)(base / 5 + 1));
}
