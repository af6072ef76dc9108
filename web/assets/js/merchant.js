// merchant.js - the merchant's pages: the disputes against it by next deadline, its money (balances, holds, receivables) and risk figures; a dispute's page to answer (accept, counter-offer, reject) and send evidence (photos and a message).

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice } from './ui.js';
import { formatMoney, formatFen } from './format.js';
import { parseYuan } from './consumer.js';
import {
  CLAIMS, FINAL, label, when, countdown, field, select, dl, deadlines, timeline, blobImage, uploadPhoto, router, act,
} from './parts.js';

const t = i18n.t;
let me = null;         // the merchant's id (the token's subject)
let photos = [];       // photos uploaded for the next answer or message: [{id, name}]
let photosFor = null;  // the dispute those photos are for
let render = null;

const yuanOf = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const due = (d) => (d.next ? Date.parse(d.next.due_at) : Infinity);
const pct = (r) => (r === null || r === undefined ? t('merchant.risk.none') : `${(r * 100).toFixed(1)}%`);

/* ---- home: disputes by deadline, money, risk ---- */

function disputeList(disputes) {
  const open = disputes.filter((d) => !FINAL.includes(d.state)).sort((a, b) => due(a) - due(b));
  const closed = disputes.filter((d) => FINAL.includes(d.state));
  const item = (d) => el('li', { class: 'card', dataDispute: d.id, dataState: d.state },
    el('h3', {}, el('a', { href: `#/dispute/${d.id}`, text: t('merchant.dispute.name', { id: d.id }) })),
    dl([
      ['consumer.receipt.state', label('state', d.state)],
      ['dispute.claim', `${label('claim', d.claim.type)} · ${formatMoney(d.claim.amount)}`],
      ['consumer.open.reason', label('reason', d.reason)],
      d.next ? ['merchant.next', el('span', {}, `${label('role', d.next.actor)} · ${label('action', d.next.action)} · ${t('consumer.deadlines.by', { time: d.next.due_at })} `, countdown(d.next.due_at))] : null,
    ]));
  return el('section', { id: 'disputes' }, el('h2', { text: t('merchant.disputes.title') }),
    open.length ? null : el('p', { class: 'lead', text: t('merchant.disputes.none') }),
    el('ol', { class: 'cards', id: 'open-disputes' }, open.map(item)),
    closed.length ? el('details', {}, el('summary', { text: t('merchant.disputes.closed', { n: closed.length }) }),
      el('ol', { class: 'cards' }, closed.map(item))) : null);
}

function money(accounts, disputes) {
  const held = disputes.filter((d) => d.funds && Number(d.funds.held.amount) > 0);
  const table = el('table', { class: 'figures', id: 'accounts' },
    el('caption', { class: 'visually-hidden', text: t('merchant.funds.title') }),
    el('thead', {}, el('tr', {}, ['merchant.funds.account', 'merchant.funds.balance', 'merchant.funds.held', 'merchant.funds.available']
      .map((k) => el('th', { scope: 'col', text: t(k) })))),
    el('tbody', {}, (accounts?.accounts || []).map((a) => el('tr', { dataAccount: a.account },
      el('th', { scope: 'row', text: label('account', a.account) }),
      el('td', { text: formatMoney(a.balance) }), el('td', { text: formatMoney(a.held) }), el('td', { text: formatMoney(a.available) })))));
  const rec = (accounts?.accounts || []).find((a) => a.account === 'receivable');
  return el('section', { class: 'card', id: 'funds' }, el('h2', { text: t('merchant.funds.title') }),
    el('div', { class: 'scroll' }, table),
    el('p', { id: 'receivable', text: t('merchant.funds.receivable', { fen: rec ? rec.balance.amount : 0 }) }),
    el('h3', { text: t('merchant.holds.title') }),
    held.length ? el('ul', { class: 'items', id: 'holds' }, held.map((d) => el('li', { dataDispute: d.id },
      el('a', { href: `#/dispute/${d.id}`, text: t('merchant.holds.item', { id: d.id, fen: d.funds.held.amount }) }),
      Number(d.funds.shortfall.amount) > 0 ? ` · ${t('merchant.holds.shortfall', { fen: d.funds.shortfall.amount })}` : '')))
      : el('p', { id: 'holds', text: t('merchant.holds.none') }));
}

function risk(r) {
  if (!r) return null;
  const rows = [
    ['merchant.risk.orders', (w) => String(w.orders)],
    ['merchant.risk.disputes', (w) => String(w.disputes)],
    ['merchant.risk.per_1000', (w) => (w.disputes_per_1000_orders === null ? t('merchant.risk.none') : w.disputes_per_1000_orders.toFixed(1))],
    ['merchant.risk.upheld', (w) => pct(w.upheld_rate)],
    ['merchant.risk.on_time', (w) => pct(w.on_time_response_rate)],
    ['merchant.risk.repeated', (w) => (w.repeat?.reason?.most_repeated ? label('reason', w.repeat.reason.most_repeated.focus ?? w.repeat.reason.most_repeated) : t('merchant.risk.none'))],
  ];
  return el('section', { class: 'card', id: 'risk' }, el('h2', { text: t('merchant.risk.title') }),
    el('p', { class: 'hint', text: t('merchant.risk.as_of', { time: r.as_of }) }),
    el('div', { class: 'scroll' }, el('table', { class: 'figures' },
      el('caption', { class: 'visually-hidden', text: t('merchant.risk.title') }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('merchant.risk.figure') }),
        r.windows.map((w) => el('th', { scope: 'col', text: t('merchant.risk.days', { n: w.days }) })))),
      el('tbody', {}, rows.map(([k, f]) => el('tr', { dataFigure: k.split('.').pop() }, el('th', { scope: 'row', text: t(k) }),
        r.windows.map((w) => el('td', { text: f(w) }))))))));
}

async function home() {
  const [disputes, accounts, r] = await Promise.all([
    api.all(`/v1/disputes?merchant=${encodeURIComponent(me)}`, 5),
    api.call('GET', `/v1/funds/accounts/${encodeURIComponent(me)}`).catch(() => null),
    api.call('GET', `/v1/merchants/${encodeURIComponent(me)}/risk`).catch(() => null),
  ]);
  return [el('h1', { text: t('merchant.title') }), disputeList(disputes), money(accounts, disputes), risk(r)];
}

/* ---- a dispute: answer, evidence, timeline ---- */

function photoPicker(d) {
  if (photosFor !== d.id) { photos = []; photosFor = d.id; }
  const list = () => el('ul', { class: 'photos', id: 'photos' }, photos.map((p, i) => el('li', { dataBlob: p.id },
    el('span', { text: p.name }),
    el('button', { type: 'button', class: 'button secondary small', 'aria-label': t('consumer.photo.remove', { name: p.name }),
      text: t('consumer.photo.remove_short'), onclick: () => { photos.splice(i, 1); document.getElementById('photos').replaceWith(list()); } }))));
  return [
    field('photo-input', 'merchant.evidence.photos', el('input', { id: 'photo-input', dataParam: 'evidence attachments', type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp',
      multiple: true, 'aria-describedby': 'photo-input-hint',
      onchange: async (ev) => {
        const files = [...ev.target.files];
        ev.target.value = '';
        for (const f of files) {
          const b = await uploadPhoto(f);
          if (b) photos.push({ id: b.id, name: f.name });
        }
        document.getElementById('photos').replaceWith(list());
      } }), t('consumer.open.photos_hint')),
    list(),
  ];
}

const myTurn = (d) => d.state === 'awaiting_merchant' || (d.state === 'negotiating' && d.next?.actor === 'merchant');

function answerForm(d) {
  if (!myTurn(d)) return null;
  const form = el('form', { id: 'answer-form', class: 'card', novalidate: true },
    el('h2', { text: t('merchant.answer.title') }),
    d.offer ? el('p', { id: 'their-offer', text: t('merchant.answer.their_offer', { type: label('claim', d.offer.type), amount: formatMoney(d.offer.amount) }) }) : null,
    el('fieldset', {}, el('legend', { text: t('merchant.answer.action') }),
      ['accept', 'counter', 'reject'].map((a) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name: 'action', dataParam: 'action', value: a, id: `action-${a}`, checked: a === 'counter' }), ` ${t(`merchant.answer.${a}`)}`))),
    field('offer-type', 'merchant.answer.offer_type', select('offer-type', CLAIMS, 'claim', 'refund', 'offer.type')),
    field('offer-amount', 'merchant.answer.offer_amount', el('input', { id: 'offer-amount', dataParam: 'offer.amount', inputmode: 'decimal', autocomplete: 'off',
      value: yuanOf(Number(d.claim.amount.amount)), 'aria-describedby': 'offer-amount-hint' }), t('merchant.answer.offer_hint', { fen: d.claim.cap?.amount ?? d.claim.amount.amount })),
    field('answer-message', 'merchant.answer.message', el('textarea', { id: 'answer-message', dataParam: 'message', rows: 3, maxlength: 5000 })),
    photoPicker(d),
    el('button', { type: 'submit', class: 'button', id: 'answer-submit', text: t('merchant.answer.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const action = form.querySelector('input[name="action"]:checked').value;
    const body = { action };
    if (action === 'counter') {
      const fen = parseYuan(form.querySelector('#offer-amount').value);
      if (fen === null || fen <= 0) {
        notice('consumer.open.bad_amount', {}, 'invalid');
        form.querySelector('#offer-amount').focus();
        return;
      }
      body.offer = { type: form.querySelector('#offer-type').value, amount: { amount: fen, currency: d.claim.amount.currency || 'CNY' } };
    }
    const msg = form.querySelector('#answer-message').value.trim();
    if (msg) body.message = msg;
    if (photos.length) body.evidence = photos.map((p) => p.id);
    act(form.querySelector('#answer-submit'), 'POST', `/v1/disputes/${d.id}/responses`, body, async (nd) => {
      photos = [];
      await render();
      notice('consumer.done', { state: label('state', nd.state) }, 'done');
    });
  });
  return form;
}

function messageForm(d) {
  if (FINAL.includes(d.state) || myTurn(d)) return null;
  const form = el('form', { id: 'message-form', class: 'card', novalidate: true },
    el('h2', { text: t('merchant.evidence.title') }),
    field('message-text', 'merchant.evidence.text', el('textarea', { id: 'message-text', dataParam: 'text', rows: 3, maxlength: 10000 })),
    photoPicker(d),
    el('button', { type: 'submit', class: 'button', id: 'message-submit', text: t('merchant.evidence.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = form.querySelector('#message-text').value.trim();
    if (!text) {
      notice('merchant.evidence.need_text', {}, 'invalid');
      form.querySelector('#message-text').focus();
      return;
    }
    const body = { text };
    if (photos.length) body.attachments = photos.map((p) => p.id);
    act(form.querySelector('#message-submit'), 'POST', `/v1/disputes/${d.id}/messages`, body, async () => {
      photos = [];
      document.getElementById('view').dataset.hash = '';
      await render();
      notice('merchant.evidence.sent', {}, 'done');
    });
  });
  return form;
}

async function dispute(id) {
  const [d, events] = await Promise.all([api.call('GET', `/v1/disputes/${encodeURIComponent(id)}`),
    api.all(`/v1/disputes/${encodeURIComponent(id)}/events`)]);
  document.body.dataset.disputeState = d.state;
  return [
    el('p', {}, el('a', { href: '#/', text: t('merchant.back') })),
    el('h1', { text: t('merchant.dispute.name', { id: d.id }) }),
    el('section', { class: 'card', id: 'receipt', dataState: d.state }, dl([
      ['consumer.receipt.state', label('state', d.state)],
      ['consumer.receipt.tier', label('tier', d.tier)],
      ['merchant.order', d.order],
      ['dispute.claim', `${label('claim', d.claim.type)} · ${formatMoney(d.claim.amount)}`],
      ['consumer.open.reason', label('reason', d.reason)],
      d.description ? ['consumer.open.description', d.description] : null,
      d.offer ? ['merchant.offer', `${label('claim', d.offer.type)} · ${formatMoney(d.offer.amount)}`] : null,
      d.outcome ? ['merchant.outcome', `${label('outcome', d.outcome.outcome ?? d.outcome.type)}${d.outcome.amount ? ` · ${formatMoney(d.outcome.amount)}` : ''}`] : null,
      Number(d.funds?.held?.amount) > 0 ? ['merchant.funds.held', formatFen(d.funds.held.amount)] : null,
      ['consumer.receipt.opened', when(d.created_at)],
      ['consumer.receipt.rules', d.rules_version],
    ]), (d.evidence || []).length ? el('ul', { class: 'photos' }, d.evidence.map((b) => el('li', {}, blobImage(b, t('merchant.consumer_photo'))))) : null),
    deadlines(d),
    answerForm(d),
    messageForm(d),
    timeline(events),
  ];
}

/* The merchant's home, in `root`, for the signed-in principal (a merchant token). */
export async function start(root, principal) {
  me = principal.subject;
  render = router(root, { home, dispute });
  await render();
}
