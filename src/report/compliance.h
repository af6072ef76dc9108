/* compliance.h - the compliance report: how well the platform met its own duties in disputes, over a period. */
#ifndef DISPUTED_COMPLIANCE_H
#define DISPUTED_COMPLIANCE_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/*
 * Every duty the platform owes in a dispute is an obligation (src/cases/
 * dispute.c records them): `acknowledge` a complaint, `decide` one under
 * review, answer an `appeal`, `execute` a final decision. As assistant it
 * also owes an answer to each disclosure request that waits for an agent
 * (`disclose`, src/disclose/request.c): met when released or refused; its
 * `dispute` in the breaches list is the disclosure's dsc_ id. Each has a
 * created_at (when the duty arose), a due_at, a met_at once met, and a
 * breached flag that the step's timer sets when it finds the duty unmet
 * past its deadline.
 *
 * The report covers the obligations *created* in [from, to), judged as of
 * `now`. Per kind (all four, always, in the order of compliance_kinds, then
 * any other kind the store holds, in the order it first arose):
 *
 *   total        obligations of the kind in the period
 *   met_on_time  met, with met_at <= due_at
 *   met_late     met, with met_at >  due_at
 *   open         not met (yet), whether or not past due
 *                so total = met_on_time + met_late + open, always
 *   breached     the deadline was missed: the breached flag is set, or the
 *                duty is unmet with due_at < now, or it was met late.
 *                Overlaps the three above (a met-late duty is breached;
 *                an open one is breached once overdue), so breached <= total.
 *   median_seconds, p90_seconds
 *                over the met obligations, of the time from created_at to
 *                met_at in whole seconds (milliseconds dropped); null when
 *                none was met. The median is the middle value, or for an
 *                even count the mean of the two middle values rounded down;
 *                p90 is the nearest-rank 90th percentile: the value at rank
 *                ceil(0.9 * n) of the n values sorted ascending.
 *
 * `breaches` lists each breached obligation, ordered by due_at (then by
 * creation): {"dispute","kind","due_at","breached_at","met_at","late_seconds"}.
 * breached_at is when the timer recorded the breach, or due_at where none
 * was recorded (met late before the timer ran, or overdue with its timer
 * still to run); met_at is null while unmet; late_seconds is met_at - due_at
 * for a met duty, now - due_at for an unmet one, in whole seconds, never
 * below 0.
 *
 * A duty that fell away unmet before any outcome (the consumer withdrew or
 * went to court) is cancelled: it is not counted in `obligations`, and
 * `cancelled` lists it, {"dispute","kind","due_at","cancelled_at","reason"}.
 * A duty already breached is not cancelled. docs/reports.md has the details.
 *
 * `consumer_flags` counts staff's decisions on consumer flags (abusive
 * complainants, risk/consumer.h) made in [from, to): {"marked", "cleared"
 * (by staff; a flag cleared by an overturned appeal is counted there),
 * "appeals_filed", "appeals_upheld", "appeals_overturned" (decided in the
 * period), "appeals_pending" (filed in the period, undecided as of `now`,
 * on a flag still set)}. The CSV adds them as a third table, and the
 * table as a line, only when one of them is not zero.
 *
 * `weeks` is the series for charts: one entry per week (Monday 00:00
 * Beijing time, +08:00, as risk_week_start says) that the period touches,
 * oldest first, the first and last clipped to [from, to):
 *   week_start   the week's Monday 00:00 Beijing, as RFC 3339 UTC text
 *   duties, met_on_time, met_late, open, breached
 *                the obligations (all kinds, cancelled ones left out) that
 *                arose in the week, counted as for a kind above; so their
 *                sums over the weeks equal the sums over the kinds
 *   disputes     disputes opened in the week
 *   by_tier      {tier: count} for every tier of rules_tier_names, zeros too
 *   by_focus     {reason: count} for every reason of dispute_reason_names
 *                (the consumer's focus), zeros too
 * A period that touches more than REPORT_WEEKS_MAX weeks is RC_INVAL
 * (param "to"). The CSV and the table leave the weeks out.
 */

/* The most weeks a report's period may touch: twenty years. */
#define REPORT_WEEKS_MAX 1045

/* The obligation kinds, in report order (duty_names, cases/vocab.h); NULL-terminated. */
extern const char *const *const compliance_kinds;

/*
 * Build the report into *out (a new object):
 *   {"object":"compliance_report","from","to","generated_at",
 *    "obligations":[{"kind","total","met_on_time","met_late","open","breached",
 *                    "median_seconds","p90_seconds"}, …],
 *    "breaches":[…]}
 * with times as RFC 3339 UTC text (generated_at is `now`), then "cancelled",
 * "consumer_flags" and "weeks". Runs inside the caller's store transaction
 * (store_begin). RC_INVAL (param "to") unless from < to, or for a period of
 * more than REPORT_WEEKS_MAX weeks; RC_NOMEM, RC_DB otherwise. *out is NULL on error.
 */
int report_compliance(struct store *st, int64_t from, int64_t to, int64_t now, json_t **out,
		      struct err *e) WARN_UNUSED;

/*
 * Render a report made by report_compliance as CSV, appended to `out`:
 * a header line and one line per kind
 *   kind,total,met_on_time,met_late,open,breached,median_seconds,p90_seconds
 * then an empty line, then the breaches as a second table
 *   dispute,kind,due_at,breached_at,met_at,late_seconds
 * (a header line even when there are none). Lines end in LF; a null is an
 * empty field; fields that need it are quoted as RFC 4180 says. RC_TOOBIG
 * past the buffer's cap, RC_NOMEM (the buffer is then released).
 */
int report_compliance_csv(json_t *report, struct buf *out, struct err *e) WARN_UNUSED;

/*
 * Render a report as a table for people: the period, one aligned row per
 * kind with durations as [Nd ]HH:MM:SS, then the breaches. Errors as for
 * report_compliance_csv.
 */
int report_compliance_table(json_t *report, struct buf *out, struct err *e) WARN_UNUSED;

/*
 * A CSV table of `rows` (objects) by `cols` (NULL-terminated), as
 * report_compliance_csv writes its tables, appended to `out`: its header
 * line first when `header`. Errors as for report_compliance_csv.
 */
int report_csv_table(struct buf *out, json_t *rows, const char *const *cols, int header,
		     struct err *e) WARN_UNUSED;

#endif
