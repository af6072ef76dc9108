// consumer.js - the consumer's pages (phone first): their orders, an order with "open a dispute" (photos as blobs), and a dispute's receipt, deadlines counting down, timeline and the consumer's moves (the appeal, a court and the disclosure desk in consumer-court.js).

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice, clearNotice } from './ui.js';
import { formatMoney, formatTime } from './format.js';
import { CLAIMS, FINAL, MAX_PHOTO_BYTES, label, tick, failed, scopeOf, field, select, dl, deadlines, timeline } from './parts.js';
import { appealForm, externalForm, desk, disclosure } from './consumer-court.js';

const t = i18n.t;
const MAX_PHOTOS = 20;                     // the API's evidence limit
const MAX_SHOPS = 50;                      // shops named on the home, the latest orders' first

let view = null;       // the element the views render into
let rules = null;      // GET /v1/rules, for the published reasons and periods
let draft = null;      // the open-a-dispute form's photos, kept across re-renders: {order, photos: [{id, name, url}]}
let timer = null;

/* Yuan typed by a person ("19.99", "¥1,000") as integer fen; null if it is not an amount. */
export function parseYuan(text) {
  const m = /^\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const fen = Number(m[1].replace(/,/g, '')) * 100 + Number((m[2] || '0').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

const yuanOf = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/* ---- the views ---- */

/* A read that may be refused (the record withheld from this party, or gone): null then, and the page goes on without it. */
const optional = (p) => p.catch((err) => {
  if (err instanceof api.ApiError && (err.status === 403 || err.status === 404)) return null;
  throw err;
});


async function home() {
  const [listed, disputes] = await Promise.all([api.all('/v1/orders', 2), api.all('/v1/disputes', 2)]);
  // the API lists oldest first; a consumer looks for the latest order first
  const orders = listed.slice().sort((a, b) => Date.parse(b.paid_at) - Date.parse(a.paid_at));
  // the shops' names, for the latest orders' shops (a bounded number of reads)
  const shopIds = [...new Set(orders.map((o) => o.merchant))].slice(0, MAX_SHOPS);
  const shops = Object.fromEntries((await Promise.all(shopIds.map((m) => optional(api.call('GET', `/v1/merchants/${encodeURIComponent(m)}`)))))
    .filter(Boolean).map((m) => [m.id, m.legal_name]));
  const byOrder = {};
  for (const d of disputes) (byOrder[d.order] ||= []).push(d);
  return [
    el('h1', { text: t('consumer.orders.title') }),
    orders.length ? null : el('p', { class: 'lead', text: t('consumer.orders.none') }),
    el('ul', { class: 'cards', id: 'orders' }, orders.map((o) => el('li', { class: 'card', dataOrder: o.id },
      el('h2', {}, el('a', { href: `#/order/${o.id}`, text: t('consumer.order.name', { id: o.external_id || o.id }) })),
      dl([shops[o.merchant] ? ['consumer.order.shop', shops[o.merchant]] : null,
        ['consumer.order.total', formatMoney(o.total)], ['consumer.order.paid_at', formatTime(o.paid_at, i18n.current())]]),
      (byOrder[o.id] || []).map((d) => el('p', {}, el('a', { href: `#/dispute/${d.id}`, text: t('consumer.dispute.link', { state: label('state', d.state) }) })))))),
  ];
}

function photoList() {
  return el('ul', { class: 'photos', id: 'photos' }, draft.photos.map((p, i) => el('li', { dataBlob: p.id },
    el('img', { src: p.url, alt: t('consumer.photo.alt', { name: p.name }) }),
    el('button', { type: 'button', class: 'button secondary small', 'aria-label': t('consumer.photo.remove', { name: p.name }),
      text: t('consumer.photo.remove_short'),
      onclick: () => { draft.photos.splice(i, 1); document.getElementById('photos').replaceWith(photoList()); } }))));
}

/* Upload the chosen files one by one as blobs; a file that is not an image is refused with a message, the rest kept. */
async function addPhotos(files) {
  for (const f of files) {
    if (!/^image\/(jpeg|png|gif|webp)$/.test(f.type)) {
      notice('consumer.photo.not_image', { name: f.name }, 'not_image');
      continue;
    }
    if (f.size > MAX_PHOTO_BYTES || draft.photos.length >= MAX_PHOTOS) {
      notice('consumer.photo.too_many', { name: f.name }, 'too_big');
      continue;
    }
    try {
      const b = await api.call('POST', '/v1/blobs', f);
      draft.photos.push({ id: b.id, name: f.name, url: URL.createObjectURL(f) });
    } catch (err) {
      if (err.status === 400 || err.status === 415) notice('consumer.photo.not_image', { name: f.name }, 'not_image');
      else failed(err);
    }
  }
  document.getElementById('photos').replaceWith(photoList());
}

function disputeForm(o) {
  if (!draft || draft.order !== o.id) draft = { order: o.id, photos: [] };
  const reasons = ['not_received', 'not_as_described', 'quality', 'counterfeit', 'false_advertising', 'price', 'after_sales', 'safety', 'other'];
  const deadline = rules?.deadlines?.merchant_response;
  const form = el('form', { id: 'open-form', class: 'card', novalidate: true },
    el('h2', { text: t('consumer.open.title') }),
    deadline ? el('p', { class: 'hint', text: t('consumer.open.rules', { version: rules.version, period: label('period', deadline.text) }) }) : null,
    field('claim-type', 'consumer.open.claim', select('claim-type', CLAIMS, 'claim', undefined, 'claim.type')),
    field('claim-amount', 'consumer.open.amount', el('input', { id: 'claim-amount', name: 'amount', dataParam: 'claim.amount', inputmode: 'decimal', autocomplete: 'off',
      value: yuanOf(o.total.amount), 'aria-describedby': 'claim-amount-hint' }), t('consumer.open.amount_hint', { fen: o.total.amount })),
    field('reason', 'consumer.open.reason', select('reason', reasons, 'reason', 'quality', 'reason')),
    field('description', 'consumer.open.description', el('textarea', { id: 'description', name: 'description', dataParam: 'description', rows: 4, maxlength: 5000 })),
    field('photo-input', 'consumer.open.photos', el('input', { id: 'photo-input', type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp', multiple: true,
      'aria-describedby': 'photo-input-hint', dataParam: 'evidence',
      onchange: async (ev) => { const files = [...ev.target.files]; ev.target.value = ''; await addPhotos(files); } }), t('consumer.open.photos_hint')),
    photoList(),
    el('button', { type: 'submit', class: 'button', id: 'open-submit', text: t('consumer.open.submit') }));
  const key = api.idemKey();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    const fen = parseYuan(form.querySelector('#claim-amount').value);
    if (fen === null || fen <= 0) {
      notice('consumer.open.bad_amount', {}, 'invalid');
      form.querySelector('#claim-amount').focus();
      return;
    }
    const body = {
      order: o.id,
      claim: { type: form.querySelector('#claim-type').value, amount: { amount: fen, currency: o.total.currency || 'CNY' } },
      reason: form.querySelector('#reason').value,
      evidence: draft.photos.map((p) => p.id),
    };
    const desc = form.querySelector('#description').value.trim();
    if (desc) body.description = desc;
    const btn = form.querySelector('#open-submit');
    btn.disabled = true;
    try {
      const d = await api.call('POST', '/v1/disputes', body, { 'Idempotency-Key': key });
      draft = null;
      location.hash = `#/dispute/${d.id}`;
    } catch (err) {
      failed(err, form);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

/* The shop, each item's listing as bought and the parcel's tracking, beside the order's own record. */
async function orderContext(o) {
  const [shop, listings, parcel] = await Promise.all([
    optional(api.call('GET', `/v1/merchants/${encodeURIComponent(o.merchant)}`)),
    Promise.all(o.items.map((it) => optional(api.call('GET',
      `/v1/listings/${encodeURIComponent(it.listing)}/versions/${encodeURIComponent(it.listing_version)}`)))),
    optional(api.all(`/v1/orders/${encodeURIComponent(o.id)}/logistics`, 1)),
  ]);
  return { shop, listings, parcel: parcel || [] };
}

function itemsList(o, listings) {
  return el('ul', { class: 'items', id: 'order-items' }, o.items.map((it, i) => el('li', { dataListing: it.listing },
    t('consumer.order.item', { title: listings[i]?.title || it.listing, quantity: it.quantity, price: formatMoney(it.unit_price) }))));
}

function parcelList(events) {
  if (!events.length) return el('p', { id: 'parcel', text: t('consumer.parcel.none') });
  return el('ol', { class: 'items', id: 'parcel' }, events.map((ev) => el('li', { dataStatus: ev.status },
    el('span', {}, el('strong', { text: label('parcel', ev.status) }), ` · ${formatTime(ev.occurred_at, i18n.current())}`,
      ev.location ? ` · ${ev.location}` : '', ev.detail ? el('br') : null, ev.detail || ''))));
}

async function order(id) {
  const [o, disputes] = await Promise.all([api.call('GET', `/v1/orders/${encodeURIComponent(id)}`),
    api.all(`/v1/disputes?order=${encodeURIComponent(id)}`, 1)]);
  const { shop, listings, parcel } = await orderContext(o);
  const mine = disputes.filter((d) => d.order === o.id);
  const open = mine.filter((d) => !FINAL.includes(d.state));
  const last = parcel[parcel.length - 1];
  return [
    el('p', {}, el('a', { href: '#/', text: t('consumer.back') })),
    el('h1', { text: t('consumer.order.name', { id: o.external_id || o.id }) }),
    el('section', { class: 'card', id: 'order' }, dl([
      shop ? ['consumer.order.shop', shop.legal_name || shop.id] : null,
      ['consumer.order.total', formatMoney(o.total)],
      ['consumer.order.paid_at', formatTime(o.paid_at, i18n.current())],
      last ? ['consumer.order.carrier', `${last.carrier} ${last.tracking_number}`] : null,
    ]), el('h2', { text: t('consumer.order.items') }), itemsList(o, listings),
    el('h2', { text: t('consumer.parcel.title') }), parcelList(parcel),
    mine.map((d) => el('p', {}, el('a', { href: `#/dispute/${d.id}`, text: t('consumer.dispute.link', { state: label('state', d.state) }) })))),
    open.length ? null : disputeForm(o),
  ];
}

/* The consumer's moves on a dispute that is not over; each reply redraws the page. */
function actions(d) {
  if (FINAL.includes(d.state)) return null;
  // `before` runs once the step is taken; `after(reply)`, if given, goes on elsewhere instead of redrawing
  const act = async (path, body, btn, before, after) => {
    clearNotice();
    btn.disabled = true;
    try {
      const nd = await api.call('POST', `/v1/disputes/${d.id}/${path}`, body, { 'Idempotency-Key': api.idemKey() });
      if (before) before();
      if (after) return after(nd);
      view.dataset.hash = '';
      await render();
      notice('consumer.done', { state: label('state', nd.state) }, 'done');
    } catch (err) {
      failed(err, scopeOf(btn));
      btn.disabled = false;
    }
  };
  const parts = [el('h2', { text: t('consumer.actions.title') })];
  if (d.offer && d.state === 'negotiating') {
    parts.push(el('p', { id: 'offer', text: t('consumer.offer.is', { type: label('claim', d.offer.type), amount: formatMoney(d.offer.amount) }) }),
      el('button', { type: 'button', class: 'button', id: 'accept', text: t('consumer.offer.accept'),
        onclick: (ev) => act('accept_offer', { offer: d.offer.id }, ev.currentTarget) }));
    const cf = el('form', { id: 'counter-form' },
      field('counter-type', 'consumer.open.claim', select('counter-type', CLAIMS, 'claim', d.claim.type, 'type')),
      field('counter-amount', 'consumer.open.amount', el('input', { id: 'counter-amount', dataParam: 'amount', inputmode: 'decimal', value: yuanOf(d.claim.amount.amount) })),
      field('counter-text', 'consumer.counter.text', el('textarea', { id: 'counter-text', dataParam: 'text', rows: 2, maxlength: 2000 })),
      el('button', { type: 'submit', class: 'button secondary', id: 'counter', text: t('consumer.counter.submit') }));
    cf.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const fen = parseYuan(cf.querySelector('#counter-amount').value);
      if (fen === null) return notice('consumer.open.bad_amount', {}, 'invalid');
      const body = { type: cf.querySelector('#counter-type').value, amount: { amount: fen, currency: d.claim.amount.currency } };
      const text = cf.querySelector('#counter-text').value.trim();
      if (text) body.text = text;
      return act('counter', body, cf.querySelector('#counter'));
    });
    parts.push(cf);
  }
  parts.push(field('action-message', 'consumer.actions.message', el('textarea', { id: 'action-message', dataParam: 'message', rows: 2, maxlength: 2000 })));
  const message = () => {
    const m = document.getElementById('action-message').value.trim();
    return m ? { message: m } : {};
  };
  parts.push(el('button', { type: 'button', class: 'button secondary', id: 'escalate', text: t('consumer.actions.escalate'),
    onclick: (ev) => act('escalate', message(), ev.currentTarget) }));
  const confirm = el('button', { type: 'button', class: 'button danger', id: 'withdraw-confirm', hidden: true, text: t('consumer.actions.withdraw_confirm'),
    onclick: (ev) => act('withdraw', message(), ev.currentTarget) });
  parts.push(el('button', { type: 'button', class: 'button secondary', id: 'withdraw', text: t('consumer.actions.withdraw'),
    onclick: (ev) => { ev.currentTarget.hidden = true; confirm.hidden = false; confirm.focus(); } }), confirm);
  parts.push(appealForm(d, act), externalForm(d, act));
  return el('section', { class: 'card', id: 'actions' }, parts);
}

async function dispute(id) {
  const [d, events] = await Promise.all([api.call('GET', `/v1/disputes/${encodeURIComponent(id)}`),
    api.all(`/v1/disputes/${encodeURIComponent(id)}/events`)]);
  document.body.dataset.disputeState = d.state;
  return [
    el('p', {}, el('a', { href: `#/order/${d.order}`, text: t('consumer.back_order') })),
    el('h1', { text: t('consumer.dispute.title') }),
    el('section', { class: 'card', id: 'receipt', dataState: d.state },
      el('h2', { text: t('consumer.receipt.title') }),
      dl([
        ['consumer.receipt.id', d.id],
        ['consumer.receipt.state', label('state', d.state)],
        ['consumer.receipt.tier', label('tier', d.tier)],
        ['consumer.open.claim', `${label('claim', d.claim.type)} · ${formatMoney(d.claim.amount)}`],
        ['consumer.open.reason', label('reason', d.reason)],
        d.description ? ['consumer.open.description', d.description] : null,
        ['consumer.receipt.photos', String((d.evidence || []).length)],
        ['consumer.receipt.opened', formatTime(d.created_at, i18n.current())],
        ['consumer.receipt.rules', d.rules_version],
      ])),
    deadlines(d, { all: true }),
    actions(d),
    timeline(events),
    await desk(d),
  ];
}

/* Draw the view the address names (#/, #/order/ID, #/dispute/ID, #/disclosure/ID). */
async function render() {
  const m = /^#\/(order|dispute|disclosure)\/([A-Za-z0-9_:.-]+)$/.exec(location.hash);
  document.body.dataset.view = m ? m[1] : 'home';
  document.body.dataset.busy = 'true';
  try {
    const views = { order, dispute, disclosure };
    const parts = !m ? await home() : await views[m[1]](m[2]);
    // redrawing the same view (another language) keeps what was typed
    const kept = view.dataset.hash === location.hash
      ? [...view.querySelectorAll('input:not([type="file"]), textarea, select')].filter((e) => e.id).map((e) => [e.id, e.value]) : [];
    view.replaceChildren(...parts.flat().filter(Boolean));
    for (const [id, v] of kept) if (document.getElementById(id)) document.getElementById(id).value = v;
    view.dataset.hash = location.hash;
    tick();
  } catch (err) {
    failed(err);
  } finally {
    document.body.dataset.busy = 'false';
    document.body.dataset.renders = String(Number(document.body.dataset.renders || '0') + 1);
  }
}

/* The consumer's home, in `root`, for the signed-in principal. */
export async function start(root) {
  view = root;
  try {
    rules = await api.call('GET', '/v1/rules');
  } catch {
    rules = null;
  }
  window.addEventListener('hashchange', () => {
    clearNotice();
    render();
  });
  i18n.onChange(() => render());
  timer ||= setInterval(tick, 1000);
  await render();
}
