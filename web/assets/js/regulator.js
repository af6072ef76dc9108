// regulator.js - the regulator's home (a regulator's key or token): the compliance report (GET /v1/reports/compliance) and the alerts (GET /v1/alerts) as charts, each beside its data table and a CSV of that table, over a period the reader picks.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice } from './ui.js';
import { beijingParts } from './format.js';
import { label, field, router } from './parts.js';
import { barChart, fitted, legend, csvLink } from './charts.js';

const t = i18n.t;
const TIERS = ['fast_lane', 'standard', 'serious'];
const FOCI = ['not_received', 'not_as_described', 'quality', 'counterfeit', 'false_advertising', 'price', 'after_sales', 'safety', 'other'];
const DAY = 86400000;
const BEIJING = 8 * 3600000;

const pad = (n) => String(n).padStart(2, '0');
/* An instant as its Beijing date, YYYY-MM-DD. */
const day = (ts) => {
  const p = beijingParts(ts);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)}` : String(ts);
};
/* A Beijing date (YYYY-MM-DD) as ms of its 00:00 Beijing; NaN when it is not one. */
const dayStart = (d) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? Date.parse(`${d}T00:00:00+08:00`) : NaN);

/* The default period: the eight weeks (Monday 00:00 Beijing) up to and including today. */
function defaultPeriod() {
  const today = day(api.serverNow()); // the server's day: the browser's clock may be off
  const t0 = dayStart(today);
  const weekday = (new Date(t0 + BEIJING).getUTCDay() + 6) % 7; // Monday 0
  return { from: day(t0 - (weekday + 49) * DAY), to: today };
}

/* The period in the address (#/period/FROM_TO, Beijing dates, both included), or the default. */
function periodOf(arg) {
  const m = /^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$/.exec(arg || '');
  return m ? { from: m[1], to: m[2] } : defaultPeriod();
}

function periodForm(p) {
  const form = el('form', { id: 'period-form', class: 'card period', novalidate: true },
    el('h2', { text: t('regulator.period.title') }),
    el('div', { class: 'period-fields' },
      field('period-from', 'regulator.period.from', el('input', { id: 'period-from', type: 'date', value: p.from, required: true })),
      field('period-to', 'regulator.period.to', el('input', { id: 'period-to', type: 'date', value: p.to, required: true }))),
    el('p', { class: 'hint', text: t('regulator.period.hint') }),
    el('button', { type: 'submit', class: 'button', id: 'period-submit', text: t('regulator.period.show') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const from = form.querySelector('#period-from').value, to = form.querySelector('#period-to').value;
    if (!(dayStart(from) <= dayStart(to))) {
      notice('regulator.period.bad', {}, 'invalid');
      form.querySelector('#period-to').focus();
      return;
    }
    location.hash = `#/period/${from}_${to}`;
  });
  return form;
}

/* A data table: a caption, column headings, then rows of cells (text); `keys` name each row for tests. */
function dataTable(id, caption, heads, rows, keys = []) {
  return el('table', { class: 'figures data', id: `${id}-table` },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, heads.map((h, i) => el('th', { scope: 'col', text: h, dataCol: i })))),
    el('tbody', {}, rows.map((r, i) => el('tr', { dataKey: keys[i] ?? i }, r.map((c, j) => (j === 0 ? el('th', { scope: 'row', text: String(c) }) : el('td', { text: String(c) })))))));
}

/*
 * One chart block: its heading, the chart and its legend beside the data
 * table behind it, and the table's CSV to download.
 */
function block(id, { title, desc, categories, series, stacked, allLabels, heads, rows, keys, period, empty }) {
  const table = dataTable(id, t('regulator.table_of', { title }), heads, rows, keys);
  return el('section', { class: 'card chart-block', id, dataRows: rows.length },
    el('h2', { id: `${id}-heading`, text: title }),
    el('p', { class: 'hint', text: desc }),
    empty ? el('p', { class: 'lead', text: empty }) : null,
    el('div', { class: 'chart-pair' },
      el('figure', { class: 'chart-figure' }, fitted((width) => barChart({ id, title, desc, categories, series, stacked, allLabels, width })), legend(series)),
      el('div', { class: 'chart-data' }, el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-heading` }, table),
        csvLink(table, `${id}-${period.from}_${period.to}.csv`, t('regulator.csv')))));
}

const weekAxis = (w) => day(w.week_start).slice(5);

function duties(r, period) {
  const cols = ['met_on_time', 'met_late', 'open'];
  return block('duties', {
    title: t('regulator.duties.title'), desc: t('regulator.duties.desc'), period,
    categories: r.weeks.map(weekAxis),
    series: cols.map((c) => ({ label: t(`regulator.col.${c}`), values: r.weeks.map((w) => w[c]) })),
    heads: [t('regulator.col.week'), t('regulator.col.duties'), ...cols.map((c) => t(`regulator.col.${c}`)), t('regulator.col.breached')],
    rows: r.weeks.map((w) => [day(w.week_start), w.duties, w.met_on_time, w.met_late, w.open, w.breached]),
    keys: r.weeks.map((w) => w.week_start),
  });
}

function breaches(r, period) {
  const kinds = r.obligations;
  return block('breaches', {
    title: t('regulator.breaches.title'), desc: t('regulator.breaches.desc'), period, stacked: false, allLabels: true,
    categories: kinds.map((k) => label('regulator.kind', k.kind)),
    series: ['total', 'breached'].map((c) => ({ label: t(`regulator.col.${c}`), values: kinds.map((k) => k[c]) })),
    heads: [t('regulator.col.kind'), t('regulator.col.total'), t('regulator.col.met_on_time'), t('regulator.col.met_late'), t('regulator.col.open'), t('regulator.col.breached')],
    rows: kinds.map((k) => [label('regulator.kind', k.kind), k.total, k.met_on_time, k.met_late, k.open, k.breached]),
    keys: kinds.map((k) => k.kind),
  });
}

function byWeek(id, r, period, names, prefix, field_) {
  return block(id, {
    title: t(`regulator.${id}.title`), desc: t(`regulator.${id}.desc`), period,
    categories: r.weeks.map(weekAxis),
    series: names.map((n) => ({ label: label(prefix, n), values: r.weeks.map((w) => w[field_][n] ?? 0) })),
    heads: [t('regulator.col.week'), ...names.map((n) => label(prefix, n)), t('regulator.col.disputes')],
    rows: r.weeks.map((w) => [day(w.week_start), ...names.map((n) => w[field_][n] ?? 0), w.disputes]),
    keys: r.weeks.map((w) => w.week_start),
  });
}

function alerts(list, period) {
  return block('alerts', {
    title: t('regulator.alerts.title'), desc: t('regulator.alerts.desc'), period, stacked: false, allLabels: true,
    empty: list.length ? null : t('regulator.alerts.none'),
    categories: list.map((a, i) => `#${i + 1}`),
    series: ['observed', 'expected'].map((c) => ({ label: t(`regulator.col.${c}`), values: list.map((a) => Number(a[c])) })),
    heads: ['#', t('regulator.col.week'), t('regulator.col.scope'), t('regulator.col.scope_id'), t('regulator.col.focus'), t('regulator.col.observed'), t('regulator.col.expected')],
    rows: list.map((a, i) => [`#${i + 1}`, day(a.window.start), label('scope_kind', a.scope), a.scope_id, label('reason', a.focus), a.observed, a.expected]),
    keys: list.map((a) => a.id),
  });
}

async function home(arg) {
  const period = periodOf(arg);
  const from = `${period.from}T00:00:00+08:00`;
  const to = new Date(dayStart(period.to) + DAY + BEIJING).toISOString().slice(0, 10) + 'T00:00:00+08:00';
  const [r, al] = await Promise.all([
    api.call('GET', `/v1/reports/compliance?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    api.all('/v1/alerts', 5).catch(() => []),
  ]);
  const lo = Date.parse(r.from), hi = Date.parse(r.to);
  const inPeriod = al.filter((a) => Date.parse(a.window.start) >= lo && Date.parse(a.window.start) < hi);
  document.body.dataset.reportFrom = r.from;
  document.body.dataset.reportTo = r.to;
  return [
    el('h1', { text: t('regulator.title') }),
    el('p', { class: 'lead', text: t('regulator.intro', { from: period.from, to: period.to }) }),
    periodForm(period),
    duties(r, period),
    breaches(r, period),
    byWeek('tiers', r, period, TIERS, 'tier', 'by_tier'),
    byWeek('foci', r, period, FOCI, 'reason', 'by_focus'),
    alerts(inPeriod, period),
  ];
}

/* The regulator's home, in `root`, for the signed-in principal (a regulator's key or token). */
export async function start(root) {
  const render = router(root, { home, period: home });
  await render();
}
