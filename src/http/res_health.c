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
 * The write pipeline's counters (writes per batch is their ratio), where
 * its writes' time went and, with several nodes, this node's sequencer's:
 * what the benchmarks read to say how writes were grouped and what bounds
 * them.
 */
static int render_pipeline(struct http_req *r, struct buf *b)
{
	struct pipeline_stats ps;
	uint64_t appends = 0, sealed = 0;
	int leading = 0, rc;
	size_t i;

	pipeline_stats(r->srv->pipe, &ps);
	const struct {
		const char *name, *help;
		double v;
	} secs[] = {
		{"job_queued", "Seconds writes waited queued for the writer, summed over the writes.",
		 ps.job_queued_s},
		{"job_batch", "Seconds writes spent in their batch until its commit returned, summed "
			      "over the writes.", ps.job_batch_s},
		{"job_sealing", "Seconds writes waited after their commit until sealed in the log, "
				"summed over the writes.", ps.job_sealing_s},
		{"writer_apply", "Seconds the writer thread spent applying batches.",
		 ps.writer_apply_s},
		{"writer_record", "Seconds the writer thread spent recording the leaf indexes of "
				  "batches the sealer had appended meanwhile.", ps.writer_record_s},
		{"writer_commit", "Seconds the writer thread spent committing them (the store's "
				  "write and fsync).", ps.writer_commit_s},
		{"sealer_append", "Seconds the sealer thread spent appending batches to the log "
				  "(its writes and fsyncs).", ps.sealer_append_s},
		{"sealer_lock", "Seconds the sealer thread waited for the store's write "
				"transaction to record leaf indexes itself (the writer had none "
				"open).", ps.sealer_lock_s},
		{"sealer_record", "Seconds the sealer thread spent recording them.",
		 ps.sealer_record_s},
	};

	rc = buf_printf(b,
			"# HELP disputed_pipeline_batches_total Write transactions the pipeline "
			"committed.\n"
			"# TYPE disputed_pipeline_batches_total counter\n"
			"disputed_pipeline_batches_total %llu\n"
			"# HELP disputed_pipeline_jobs_total Writes the pipeline finished, whatever "
			"their result.\n"
			"# TYPE disputed_pipeline_jobs_total counter\n"
			"disputed_pipeline_jobs_total %llu\n"
			"# HELP disputed_pipeline_appends_total Appends of committed batches' "
			"leaves to the log.\n"
			"# TYPE disputed_pipeline_appends_total counter\n"
			"disputed_pipeline_appends_total %llu\n"
			"# HELP disputed_pipeline_recorded_by_writer_total Of those appends, the "
			"ones whose leaf indexes the writer's next transaction recorded.\n"
			"# TYPE disputed_pipeline_recorded_by_writer_total counter\n"
			"disputed_pipeline_recorded_by_writer_total %llu\n",
			(unsigned long long)ps.batches, (unsigned long long)ps.jobs,
			(unsigned long long)ps.appends, (unsigned long long)ps.recorded_by_writer);
	for (i = 0; !rc && i < sizeof(secs) / sizeof(secs[0]); i++)
		rc = buf_printf(b,
				"# HELP disputed_pipeline_%s_seconds_total %s\n"
				"# TYPE disputed_pipeline_%s_seconds_total counter\n"
				"disputed_pipeline_%s_seconds_total %.6f\n",
				secs[i].name, secs[i].help, secs[i].name, secs[i].name, secs[i].v);
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
