// agent.js - the agent console (agent or platform key or token): the queue by tier and deadline, a dispute with its frozen evidence and the assessment's suggestion, the decision with reason codes citing the dispute's records, disclosure requests to approve or refuse, and alerts.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice } from './ui.js';
import { formatMoney } from './format.js';
import { parseYuan } from './consumer.js';
import {
  FINAL, label, when, countdown, field, dl, deadlines, timeline, blobImage, router, act,
} from './parts.js';

const t = i18n.t;
const OUTCOMES = ['full_refund', 'partial_refund', 'replace', 'repair', 'rejected'];
let rules = {};     // rules by version, for their reason codes
let render = null;

async function rulesOf(version) {
  if (!rules[version]) rules[version] = await api.call('GET', `/v1/rules/${encodeURIComponent(version)}`).catch(() => api.call('GET', '/v1/rules'));
  return rules[version];
}

/* A reason code in the reader's language, as the rules publish it. */
const codeText = (c) => (c ? (i18n.current() === 'zh' ? c.zh : c.en) || c.code : '');

/* ---- home: the queue, disclosures, alerts ---- */

function queue(disputes) {
  return el('section', { id: 'queue' }, el('h2', { text: t('agent.queue.title') }),
    disputes.length ? null : el('p', { class: 'lead', text: t('agent.queue.none') }),
    el('ol', { class: 'cards', id: 'queue-list' }, disputes.map((d) => el('li', { class: 'card', dataDispute: d.id, dataTier: d.tier, dataState: d.state },
      el('h3', {}, el('a', { href: `#/dispute/${d.id}`, text: t('merchant.dispute.name', { id: d.id }) })),
      dl([
        ['consumer.receipt.tier', el('strong', { class: `tier tier-${d.tier}`, text: label('tier', d.tier) })],
        ['consumer.receipt.state', label('state', d.state)],
        ['dispute.claim', `${label('claim', d.claim.type)} · ${formatMoney(d.claim.amount)}`],
        d.next ? ['merchant.next', el('span', {}, `${label('role', d.next.actor)} · ${label('action', d.next.action)} · ${t('consumer.deadlines.by', { time: d.next.due_at })} `, countdown(d.next.due_at))] : null,
      ])))));
}

function disclosures(list) {
  return el('section', { class: 'card', id: 'disclosures' }, el('h2', { text: t('agent.disclosures.title') }),
    list.length ? null : el('p', { text: t('agent.disclosures.none') }),
    el('ul', { class: 'items' }, list.map((x) => {
      const rid = `why-${x.id}`;
      const reasons = () => {
        const v = document.getElementById(rid).value.trim();
        if (!v) { notice('agent.disclosures.need_reason', {}, 'invalid'); document.getElementById(rid).focus(); return null; }
        return [v];
      };
      const answer = (verb) => (ev) => {
        const r = reasons();
        if (r) act(ev.currentTarget, 'POST', `/v1/disclosures/${x.id}/${verb}`, { reasons: r }, async (nx) => {
          await render();
          notice('agent.disclosures.done', { state: label('disclosure', nx.state) }, 'done');
        });
      };
      return el('li', { dataDisclosure: x.id }, el('div', { class: 'grow' },
        el('p', {}, el('strong', { text: t('agent.disclosures.by', { role: label('role', x.requester.role), id: x.requester.id }) }),
          ` · ${t('agent.disclosures.order', { id: x.order })}${x.reference ? ` · ${t('agent.disclosures.reference', { ref: x.reference })}` : ''}`),
        el('p', { text: `${t('agent.disclosures.scope')}: ${x.scope.map((s) => label('scope', s)).join('、')}` }),
        el('p', { text: `${t('agent.disclosures.purpose')}: ${x.purpose}` }),
        x.due_at ? el('p', {}, `${t('consumer.deadlines.by', { time: x.due_at })} `, countdown(x.due_at)) : null,
        field(rid, 'agent.disclosures.reason', el('input', { id: rid, dataParam: 'reasons', autocomplete: 'off', maxlength: 1000 })),
        el('button', { type: 'button', class: 'button', dataAnswer: 'approve', text: t('agent.disclosures.approve'), onclick: answer('approve') }),
        el('button', { type: 'button', class: 'button secondary', dataAnswer: 'refuse', text: t('agent.disclosures.refuse'), onclick: answer('refuse') })));
    })));
}

function alerts(list) {
  return el('section', { class: 'card', id: 'alerts' }, el('h2', { text: t('agent.alerts.title') }),
    list.length ? null : el('p', { text: t('agent.alerts.none') }),
    el('ul', { class: 'items' }, list.map((a) => el('li', { dataAlert: a.id },
      t('agent.alerts.item', { scope: label('scope_kind', a.scope), id: a.scope_id, focus: label('reason', a.focus),
        observed: a.observed, expected: Number(a.expected).toFixed(1), time: a.window?.start })))));
}

async function home() {
  const [q, dsc, al] = await Promise.all([
    api.call('GET', '/v1/disputes?sort=priority&limit=100'),
    api.all('/v1/disclosures?state=pending', 2).catch(() => []),
    api.all('/v1/alerts', 2).catch(() => []),
  ]);
  const open = q.data.filter((d) => !FINAL.includes(d.state));
  return [el('h1', { text: t('agent.title') }), queue(open), disclosures(dsc), alerts(al.slice(-50).reverse())];
}

/* ---- a dispute: evidence, assessment, decision ---- */

/* Every reference the dispute may cite that the page knows of: its frozen records, its photos, the dispute itself. */
function references(d, events) {
  const refs = (d.evidence_set?.records || []).map((r) => ({
    ref: /^(mer|lst|ord|lge|msg)_/.test(r.id) && r.type !== 'payment' ? r.id : `${r.type}:${r.id}`, kind: r.type, id: r.id,
  }));
  for (const b of d.evidence || []) refs.push({ ref: b, kind: 'photo', id: b });
  for (const ev of events) for (const b of ev.attachments || ev.evidence || []) if (typeof b === 'string' && !refs.some((x) => x.ref === b)) refs.push({ ref: b, kind: 'attachment', id: b });
  refs.push({ ref: d.id, kind: 'dispute', id: d.id });
  return refs;
}

function evidence(d, refs) {
  return el('section', { class: 'card', id: 'evidence' }, el('h2', { text: t('agent.evidence.title') }),
    el('p', { class: 'hint', text: t('agent.evidence.frozen', { time: d.evidence_set?.frozen_at }) }),
    el('ul', { class: 'items', id: 'evidence-records' }, refs.filter((r) => r.kind !== 'photo' && r.kind !== 'attachment').map((r) => el('li', { dataRef: r.ref },
      el('span', { class: 'badge', text: label('record', r.kind) }), el('code', { text: r.ref })))),
    el('h3', { text: t('agent.evidence.photos') }),
    el('ul', { class: 'photos', id: 'evidence-photos' }, refs.filter((r) => r.kind === 'photo' || r.kind === 'attachment').map((r) => el('li', { dataRef: r.ref },
      blobImage(r.id, t(r.kind === 'photo' ? 'merchant.consumer_photo' : 'agent.evidence.attachment')), el('code', { class: 'small', text: r.id.slice(0, 15) })))));
}

function assessment(a, codes) {
  if (!a) return el('section', { class: 'card', id: 'assessment' }, el('h2', { text: t('agent.assess.title') }), el('p', { text: t('agent.assess.none') }));
  const s = a.suggested_outcome;
  // each listing photo (the snapshot) beside the consumer's, with the comparison's verdict
  const images = (a.images || []).map((im) => el('li', { dataVerdict: im.verdict ?? 'error' },
    el('div', { class: 'photos' }, blobImage(im.listing_image, t('agent.assess.listing_photo')), blobImage(im.consumer_image, t('merchant.consumer_photo'))),
    el('span', { text: im.verdict ? t('agent.assess.image', { verdict: label('verdict', im.verdict), score: Number(im.similarity).toFixed(2) })
      : t('agent.assess.image_error', { detail: im.error }) })));
  return el('section', { class: 'card', id: 'assessment', dataSuggested: s.outcome },
    el('h2', { text: t('agent.assess.title') }),
    dl([
      ['agent.assess.suggested', `${label('outcome', s.outcome)}${s.amount ? ` · ${formatMoney(s.amount)}` : ''}`],
      ['agent.assess.confidence', `${Math.round(s.confidence * 100)}%`],
      ['agent.assess.focus', a.focus?.detected?.primary ? label('reason', a.focus.detected.primary) : t('agent.assess.focus_none')],
      ['agent.assess.computed', when(a.computed_at)],
    ]),
    el('h3', { text: t('agent.assess.reasons') }),
    el('ul', { class: 'items', id: 'suggested-reasons' }, s.reasons.map((r) => el('li', { dataCode: r.code },
      el('span', {}, el('strong', { text: codeText(codes.find((c) => c.code === r.code)) || r.code }), ` — ${r.text}`,
        r.evidence?.length ? ` (${r.evidence.join(', ')})` : '')))),
    images.length ? [el('h3', { text: t('agent.assess.images') }), el('ul', { class: 'items', id: 'image-verdicts' }, images)] : null);
}

function decisionForm(d, refs, codes, a) {
  if (d.state !== 'platform_review') return null;
  const s = a?.suggested_outcome;
  const codeSel = el('select', { id: 'reason-code', dataParam: 'reasons[0].code' }, codes.map((c) => el('option', { value: c.code, selected: s?.reasons?.[0]?.code === c.code, text: codeText(c) })),
    el('option', { value: 'other', text: t('agent.decide.other') }));
  const form = el('form', { id: 'decide-form', class: 'card', novalidate: true },
    el('h2', { text: t('agent.decide.title') }),
    field('outcome', 'agent.decide.outcome', el('select', { id: 'outcome', dataParam: 'outcome' }, OUTCOMES.map((o) => el('option', { value: o, selected: o === (s?.outcome ?? 'full_refund'), text: label('outcome', o) })))),
    field('decide-amount', 'agent.decide.amount', el('input', { id: 'decide-amount', dataParam: 'amount', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': 'decide-amount-hint' }),
      t('agent.decide.amount_hint', { fen: d.claim.amount.amount })),
    field('reason-code', 'agent.decide.code', codeSel),
    field('reason-text', 'agent.decide.text', el('textarea', { id: 'reason-text', dataParam: 'reasons[0].text', rows: 3, maxlength: 2000 })),
    el('fieldset', { id: 'cite' }, el('legend', { text: t('agent.decide.cite') }),
      refs.map((r, i) => el('label', { class: 'choice' }, el('input', { type: 'checkbox', id: `cite-${i}`, value: r.ref, dataRef: r.ref }),
        ` ${label('record', r.kind)} `, el('code', { text: r.ref.length > 40 ? `${r.ref.slice(0, 40)}…` : r.ref })))),
    field('cite-more', 'agent.decide.cite_more', el('textarea', { id: 'cite-more', dataParam: 'reasons[0].evidence', rows: 2, 'aria-describedby': 'cite-more-hint' }), t('agent.decide.cite_more_hint')),
    el('button', { type: 'submit', class: 'button', id: 'decide-submit', text: t('agent.decide.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const outcome = form.querySelector('#outcome').value;
    const code = form.querySelector('#reason-code').value;
    const text = form.querySelector('#reason-text').value.trim() || codeText(codes.find((c) => c.code === code));
    if (!text) {
      notice('agent.decide.need_text', {}, 'invalid');
      form.querySelector('#reason-text').focus();
      return;
    }
    const cited = [...form.querySelectorAll('#cite input:checked')].map((c) => c.value)
      .concat(form.querySelector('#cite-more').value.split(/\s+/).filter(Boolean));
    const body = { outcome, reasons: [{ code, text, evidence: cited }] };
    const typed = form.querySelector('#decide-amount').value.trim();
    if (typed) {
      const fen = parseYuan(typed);
      if (fen === null) { notice('consumer.open.bad_amount', {}, 'invalid'); form.querySelector('#decide-amount').focus(); return; }
      body.amount = { amount: fen, currency: d.claim.amount.currency || 'CNY' };
    }
    act(form.querySelector('#decide-submit'), 'POST', `/v1/disputes/${d.id}/decision`, body, async (nd) => {
      document.getElementById('view').dataset.hash = '';
      await render();
      notice('consumer.done', { state: label('state', nd.state) }, 'done');
    });
  });
  return form;
}

async function dispute(id) {
  const [d, events] = await Promise.all([api.call('GET', `/v1/disputes/${encodeURIComponent(id)}`),
    api.all(`/v1/disputes/${encodeURIComponent(id)}/events`)]);
  const [r, a] = await Promise.all([rulesOf(d.rules_version), api.call('GET', `/v1/disputes/${encodeURIComponent(id)}/assessment`).catch(() => null)]);
  const codes = r.reason_codes || [];
  const refs = references(d, events);
  document.body.dataset.disputeState = d.state;
  return [
    el('p', {}, el('a', { href: '#/', text: t('agent.back') })),
    el('h1', { text: t('merchant.dispute.name', { id: d.id }) }),
    el('section', { class: 'card', id: 'receipt', dataState: d.state }, dl([
      ['consumer.receipt.state', label('state', d.state)],
      ['consumer.receipt.tier', label('tier', d.tier)],
      ['agent.tier_reason', d.tier_reason],
      ['merchant.order', d.order],
      ['agent.merchant', d.merchant],
      ['dispute.claim', `${label('claim', d.claim.type)} · ${formatMoney(d.claim.amount)}`],
      ['consumer.open.reason', label('reason', d.reason)],
      d.description ? ['consumer.open.description', d.description] : null,
      d.offer ? ['merchant.offer', `${label('claim', d.offer.type)} · ${formatMoney(d.offer.amount)}`] : null,
      ['consumer.receipt.opened', when(d.created_at)],
      ['consumer.receipt.rules', d.rules_version],
    ])),
    deadlines(d),
    evidence(d, refs),
    assessment(a, codes),
    decisionForm(d, refs, codes, a),
    timeline(events),
  ];
}

/* The agent console, in `root`, for the signed-in principal (an agent or platform key or token). */
export async function start(root) {
  render = router(root, { home, dispute });
  await render();
}
