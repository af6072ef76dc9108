/* res_health.c - GET /healthz and GET /metrics, served without credentials. */
#include "http/http_int.h"

#include "evidence/sequencer.h"
#include "store/store_cluster.h"

int res_healthz(struct http_req *r, struct err *e)
{
	(void)e;
	return http_reply_json(r, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version",
						 store_schema_version(r->srv->st)));
}

/*
 * The write pipeline's counters (writes per batch is their ratio) and, with
 * several nodes, this node's sequencer's: what the benchmarks read to say
 * how writes were grouped.
 */
static int render_pipeline(struct http_req *r, struct buf *b)
{
	uint64_t batches = 0, jobs = 0, appends = 0, sealed = 0;
	int leading = 0, rc;

	pipeline_stats(r->srv->pipe, &batches, &jobs);
	rc = buf_printf(b,
			"# HELP disputed_pipeline_batches_total Write transactions the pipeline "
			"committed.\n"
			"# TYPE disputed_pipeline_batches_total counter\n"
			"disputed_pipeline_batches_total %llu\n"
			"# HELP disputed_pipeline_jobs_total Writes the pipeline finished, whatever "
			"their result.\n"
			"# TYPE disputed_pipeline_jobs_total counter\n"
			"disputed_pipeline_jobs_total %llu\n",
			(unsigned long long)batches, (unsigned long long)jobs);
	if (rc || !store_shared(r->srv->st))
		return rc;
	sequencer_stats(&leading, &appends, &sealed);
	return buf_printf(b,
			  "# HELP disputed_sequencer_leading Whether this node is the log's "
			  "sequencer now.\n"
			  "# TYPE disputed_sequencer_leading gauge\n"
			  "disputed_sequencer_leading %d\n"
			  "# HELP disputed_sequencer_appends_total Rounds in which this node's "
			  "sequencer appended the nodes' pending seals to the log.\n"
			  "# TYPE disputed_sequencer_appends_total counter\n"
			  "disputed_sequencer_appends_total %llu\n"
			  "# HELP disputed_sequencer_sealed_total Seals those rounds appended.\n"
			  "# TYPE disputed_sequencer_sealed_total counter\n"
			  "disputed_sequencer_sealed_total %llu\n",
			  leading, (unsigned long long)appends, (unsigned long long)sealed);
}

int res_metrics(struct http_req *r, struct err *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 64 << 20);
	rc = metrics_render(&b);
	if (!rc)
		rc = render_pipeline(r, &b);
	if (!rc)
		rc = http_reply_bytes(r, 200, "text/plain; version=0.0.4", b.data, b.len);
	buf_release(&b);
	if (rc)
		return err_set(e, rc, NULL, NULL, "cannot render metrics");
	return RC_OK;
}
