/* res_health.c - GET /healthz and GET /metrics, served without credentials. */
#include "http/http_int.h"

int res_healthz(struct http_req *r, struct err *e)
{
	(void)e;
	return http_reply_json(r, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version",
						 store_schema_version(r->srv->st)));
}

int res_metrics(struct http_req *r, struct err *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 64 << 20);
	rc = metrics_render(&b);
	if (!rc)
		rc = http_reply_bytes(r, 200, "text/plain; version=0.0.4", b.data, b.len);
	buf_release(&b);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot render metrics");
	return RC_OK;
}
