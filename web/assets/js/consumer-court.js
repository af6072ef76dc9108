// consumer-court.js - the consumer's way on past the platform's decision: appeal it once, take the dispute to a court or a consumer association, and the disclosure desk (the merchant's identity, as the API shows it to them, and the evidence package as a bundle and a PDF, checked at /app/verify).

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice, clearNotice } from './ui.js';
import { formatMoney } from './format.js';
import { label, when, field, dl, uploadPhoto, failed } from './parts.js';

const t = i18n.t;
const SCOPES = ['merchant_identity', 'order', 'listing', 'payment', 'logistics', 'messages', 'dispute_record'];
const ASKED = ['merchant_identity', 'order', 'dispute_record'];   // ticked at first
const RELEASED = ['released', 'partially_released'];

let appealPhotos = [];   // blobs uploaded for the appeal: [{id, name}]
let appealFor = null;    // the dispute they are for

/* The consumer may appeal a decision once, within its window, unless they waived it. */
const mayAppeal = (d) => d.state === 'decided' && !d.appealed && !(d.appeal_waived || []).includes('consumer');

/* The appeal: new information (required) and photos; `act(path, body, btn)` runs it and redraws. */
export function appealForm(d, act) {
  if (!mayAppeal(d)) return null;
  if (appealFor !== d.id) { appealPhotos = []; appealFor = d.id; }
  const list = () => el('ul', { class: 'photos', id: 'appeal-photos' }, appealPhotos.map((p) => el('li', { dataBlob: p.id, text: p.name })));
  const form = el('form', { id: 'appeal-form', novalidate: true },
    el('h3', { text: t('consumer.appeal.title') }),
    d.outcome ? el('p', { id: 'decided', text: t('consumer.appeal.decided', { outcome: label('outcome', d.outcome.outcome),
      amount: d.outcome.amount ? ` · ${formatMoney(d.outcome.amount)}` : '' }) }) : null,
    field('appeal-message', 'consumer.appeal.message', el('textarea', { id: 'appeal-message', dataParam: 'message', rows: 3, maxlength: 5000, 'aria-describedby': 'appeal-message-hint' }),
      t('consumer.appeal.hint')),
    field('appeal-photo', 'consumer.open.photos', el('input', { id: 'appeal-photo', dataParam: 'evidence', type: 'file', accept: 'image/jpeg,image/png,image/gif,image/webp', multiple: true,
      onchange: async (ev) => {
        const files = [...ev.target.files];
        ev.target.value = '';
        for (const f of files) {
          const b = await uploadPhoto(f);
          if (b) appealPhotos.push({ id: b.id, name: f.name });
        }
        document.getElementById('appeal-photos').replaceWith(list());
      } })),
    list(),
    el('button', { type: 'submit', class: 'button', id: 'appeal-submit', text: t('consumer.appeal.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const message = form.querySelector('#appeal-message').value.trim();
    if (!message) {
      notice('consumer.appeal.need_message', {}, 'invalid');
      form.querySelector('#appeal-message').focus();
      return;
    }
    const body = { message };
    if (appealPhotos.length) body.evidence = appealPhotos.map((p) => p.id);
    act('appeal', body, form.querySelector('#appeal-submit'), () => { appealPhotos = []; });
  });
  return form;
}

/* To a court or a consumer association, with its case or file number; the reply names the disclosure to take along. */
export function externalForm(d, act) {
  const form = el('form', { id: 'external-form', novalidate: true },
    el('h3', { text: t('consumer.external.title') }),
    el('p', { class: 'hint', text: t('consumer.external.hint') }),
    el('fieldset', {}, el('legend', { text: t('consumer.external.body') }),
      ['court', 'association'].map((b) => el('label', { class: 'choice' },
        el('input', { type: 'radio', name: 'external-body', id: `external-${b}`, value: b, checked: b === 'court' }), ` ${t(`consumer.external.${b}`)}`))),
    field('external-reference', 'consumer.external.reference', el('input', { id: 'external-reference', dataParam: 'reference', maxlength: 200, autocomplete: 'off',
      'aria-describedby': 'external-reference-hint' }), t('consumer.external.reference_hint')),
    el('button', { type: 'submit', class: 'button secondary', id: 'external-submit', text: t('consumer.external.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { body: form.querySelector('input[name="external-body"]:checked').value };
    const ref = form.querySelector('#external-reference').value.trim();
    if (ref) body.reference = ref;
    act('external', body, form.querySelector('#external-submit'), null, (nd) => {
      if (nd.disclosure?.id) location.hash = `#/disclosure/${nd.disclosure.id}`;
    });
  });
  return form;
}

/* ---- the disclosure desk ---- */

function requestForm(d) {
  const form = el('form', { id: 'desk-form', novalidate: true },
    el('fieldset', { id: 'desk-scope' }, el('legend', { text: t('desk.scope') }),
      SCOPES.map((s) => el('label', { class: 'choice' },
        el('input', { type: 'checkbox', id: `scope-${s}`, dataParam: 'scope', value: s, checked: ASKED.includes(s) }), ` ${label('scope', s)}`))),
    field('desk-purpose', 'desk.purpose', el('textarea', { id: 'desk-purpose', dataParam: 'purpose', rows: 2, maxlength: 2000, 'aria-describedby': 'desk-purpose-hint' }),
      t('desk.purpose_hint')),
    el('button', { type: 'submit', class: 'button secondary', id: 'desk-submit', text: t('desk.submit') }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearNotice();
    const scope = [...form.querySelectorAll('#desk-scope input:checked')].map((c) => c.value);
    if (!scope.length) return notice('desk.need_scope', {}, 'invalid');
    const purpose = form.querySelector('#desk-purpose').value.trim() || t('desk.purpose_default');
    const btn = form.querySelector('#desk-submit');
    btn.disabled = true;
    try {
      const x = await api.call('POST', '/v1/disclosures', { dispute: d.id, scope, purpose }, { 'Idempotency-Key': api.idemKey() });
      location.hash = `#/disclosure/${x.id}`;
    } catch (err) {
      failed(err, form);
      btn.disabled = false;
    }
    return null;
  });
  return form;
}

/* The desk on a dispute's page: the consumer's requests about its order, and a new one. */
export async function desk(d) {
  const mine = await api.all(`/v1/disclosures?order=${encodeURIComponent(d.order)}`, 2).catch(() => []);
  return el('section', { class: 'card', id: 'desk' }, el('h2', { text: t('desk.title') }),
    el('p', { class: 'hint', text: t('desk.lead') }),
    mine.length ? el('ul', { class: 'items', id: 'desk-list' }, mine.map((x) => el('li', { dataDisclosure: x.id, dataState: x.state },
      el('a', { href: `#/disclosure/${x.id}`, text: t('desk.item', { state: label('disclosure', x.state), time: x.created_at }) }),
      x.for ? ` · ${t(`consumer.external.${x.for}`)}` : ''))) : null,
    requestForm(d));
}

/* Fetch a package with the token and hand it to the browser as a file. */
async function download(x, format, btn) {
  clearNotice();
  btn.disabled = true;
  try {
    const r = await fetch(`/v1/disclosures/${encodeURIComponent(x.id)}/package${format === 'pdf' ? '?format=pdf' : ''}`,
      { headers: { Authorization: `Bearer ${api.token()}` }, credentials: 'omit', cache: 'no-store' });
    if (!r.ok) {
      let body = null;
      try { body = await r.json(); } catch { body = null; }
      throw new api.ApiError(r.status, body);
    }
    const blob = await r.blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `${x.id}.package.${format}`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    btn.dataset.bytes = String(blob.size);
    notice('desk.downloaded', { name: `${x.id}.package.${format}` }, 'done');
  } catch (err) {
    failed(err);
  } finally {
    btn.disabled = false;
  }
}

/* The merchant's identity exactly as GET /v1/merchants/{id} gives it to this consumer (the visibility table's rows). */
async function identity(x) {
  if (!RELEASED.includes(x.state) || !(x.released?.scope || []).includes('merchant_identity')) return null;
  let m;
  try {
    m = await api.call('GET', `/v1/merchants/${encodeURIComponent(x.merchant)}`);
  } catch (err) {
    return el('section', { class: 'card', id: 'identity' }, el('h2', { text: t('desk.identity') }), el('p', { text: t('errors.failed', { detail: err.message }) }));
  }
  const c = m.contact || {};
  const cur = x.released.merchant_current;
  const liable = x.released.platform_liable;
  return el('section', { class: 'card', id: 'identity' }, el('h2', { text: t('desk.identity') }),
    dl([
      m.legal_name !== undefined ? ['desk.legal_name', m.legal_name] : null,
      m.uscc ? ['desk.uscc', m.uscc] : null,
      m.id_number !== undefined ? ['desk.id_number', m.id_number] : null,
      m.registered_address !== undefined ? ['desk.address', m.registered_address] : null,
      c.phone !== undefined ? ['desk.phone', c.phone] : null,
      c.email !== undefined ? ['desk.email', c.email] : null,
      m.verified_at ? ['desk.verified', when(m.verified_at)] : null,
    ]),
    cur ? el('p', { id: 'identity-current', text: t('desk.identity_current', { version: cur.version, order_version: cur.order_version }) }) : null,
    liable ? el('p', { id: 'identity-liable', text: liable.text || '' }) : null);
}

/* A disclosure of the consumer's: its state, the merchant's identity, and the package to download. */
export async function disclosure(id) {
  const x = await api.call('GET', `/v1/disclosures/${encodeURIComponent(id)}`);
  const rel = x.released;
  const ready = RELEASED.includes(x.state);
  const back = x.dispute ? `#/dispute/${x.dispute}` : `#/order/${x.order}`;
  return [
    el('p', {}, el('a', { href: back, text: t(x.dispute ? 'desk.back' : 'consumer.back_order') })),
    el('h1', { text: t('desk.title') }),
    el('section', { class: 'card', id: 'disclosure', dataState: x.state }, dl([
      ['desk.number', x.id],
      ['consumer.receipt.state', label('disclosure', x.state)],
      ['desk.scope', (rel?.scope || x.scope).map((s) => label('scope', s)).join(t('desk.sep'))],
      x.for ? ['desk.for', t(`consumer.external.${x.for}`)] : null,
      ['desk.purpose', x.purpose],
      ['desk.asked', when(x.created_at)],
      x.due_at && !ready ? ['desk.due', when(x.due_at)] : null,
      rel ? ['desk.basis', label('basis', rel.basis)] : null,
      rel ? ['desk.released', when(rel.at)] : null,
      x.refused ? ['desk.refused', (x.refused.reasons || []).join('; ')] : null,
    ])),
    await identity(x),
    ready ? el('section', { class: 'card', id: 'package' }, el('h2', { text: t('desk.package') }),
      el('p', { class: 'hint', text: t('desk.package_hint') }),
      el('button', { type: 'button', class: 'button', id: 'download-json', text: t('desk.download_json'), onclick: (ev) => download(x, 'json', ev.currentTarget) }), ' ',
      el('button', { type: 'button', class: 'button secondary', id: 'download-pdf', text: t('desk.download_pdf'), onclick: (ev) => download(x, 'pdf', ev.currentTarget) }),
      el('p', {}, t('desk.verify_before'), el('a', { href: '/app/verify', id: 'verify-link', text: t('desk.verify_link') }), t('desk.verify_after')))
      : el('p', { class: 'lead', id: 'package', text: t(x.state === 'refused' ? 'desk.refused_lead' : 'desk.pending_lead') }),
  ];
}
