// court.js - the disclosure desk of a court or a consumer association (their tokens): ask for an order's records with a case number, follow the requests, take an answered one's package away (the bundle file and its PDF) and check it offline in /app/verify.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice, clearNotice } from './ui.js';
import { label, when, countdown, field, dl, failed, router, act } from './parts.js';

const t = i18n.t;
const SCOPES = ['merchant_identity', 'order', 'listing', 'payment', 'logistics', 'messages', 'dispute_record'];
const ANSWERED = ['released', 'partially_released'];
const scopes = (list) => list.map((s) => label('scope', s)).join(i18n.current() === 'zh' ? '、' : ', ');
let who = null;        // the signed-in principal: {role: court|association, subject}
let render = null;

/* ---- asking ---- */

function requestForm() {
  const form = el('form', { id: 'request-form', class: 'card', novalidate: true },
    el('h2', { text: t('court.ask.title') }),
    el('p', { class: 'hint', text: t('court.ask.intro') }),
    field('req-order', 'court.ask.order', el('input', { id: 'req-order', dataParam: 'order', autocomplete: 'off', maxlength: 100, 'aria-describedby': 'req-order-hint' }),
      t('court.ask.order_hint')),
    field('req-reference', 'court.ask.reference', el('input', { id: 'req-reference', dataParam: 'reference', autocomplete: 'off', maxlength: 200, required: true })),
    field('req-purpose', 'court.ask.purpose', el('textarea', { id: 'req-purpose', dataParam: 'purpose', rows: 3, maxlength: 2000, required: true })),
    el('fieldset', { id: 'req-scope' }, el('legend', { text: t('court.ask.scope') }),
      SCOPES.map((s) => el('label', { class: 'choice' },
        el('input', { type: 'checkbox', id: `scope-${s}`, dataParam: 'scope', value: s, checked: true }), ` ${label('scope', s)}`))),
    who.role === 'court'
      ? field('req-confidential', 'court.ask.confidential', el('textarea', { id: 'req-confidential', dataParam: 'confidential', rows: 2, maxlength: 2000, 'aria-describedby': 'req-confidential-hint' }),
        t('court.ask.confidential_hint'))
      : null,
    el('button', { type: 'submit', class: 'button', id: 'request-submit', text: t('court.ask.submit') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = (id) => form.querySelector(`#${id}`)?.value.trim() ?? '';
    const missing = ['req-order', 'req-reference', 'req-purpose'].find((id) => !value(id));
    if (missing) {
      notice('court.ask.need', { what: t(`court.ask.${missing.slice(4)}`) }, 'invalid');
      form.querySelector(`#${missing}`).focus();
      return;
    }
    const scope = [...form.querySelectorAll('#req-scope input:checked')].map((c) => c.value);
    if (!scope.length) {
      notice('court.ask.need_scope', {}, 'invalid');
      form.querySelector('#req-scope input').focus();
      return;
    }
    const body = { order: value('req-order'), reference: value('req-reference'), purpose: value('req-purpose'), scope };
    if (value('req-confidential')) body.confidential = { reason: value('req-confidential') };
    act(form.querySelector('#request-submit'), 'POST', '/v1/disclosures', body, async (d) => {
      form.reset();
      document.getElementById('view').dataset.hash = '';
      await render();
      notice('court.ask.done', { id: d.id, state: label('disclosure', d.state) }, 'done');
    });
  });
  return form;
}

/* ---- taking the package away ---- */

/* Fetch the package with the token and hand it to the browser as a file download. */
async function download(btn, d, format) {
  clearNotice();
  btn.disabled = true;
  try {
    const r = await fetch(`/v1/disclosures/${encodeURIComponent(d.id)}/package?format=${format}`,
      { headers: { Authorization: `Bearer ${api.token()}` }, credentials: 'omit', cache: 'no-store' });
    if (!r.ok) {
      let body = null;
      try { body = await r.json(); } catch { body = null; }
      throw new api.ApiError(r.status, body);
    }
    const url = URL.createObjectURL(await r.blob());
    const a = el('a', { href: url, download: `${d.id}.package.${format}`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    notice(format === 'pdf' ? 'court.package.saved_pdf' : 'court.package.saved', { name: `${d.id}.package.${format}` }, 'done');
  } catch (err) {
    if (err instanceof api.ApiError) failed(err);
    else notice('errors.failed', { detail: err.message }, 'error');
  } finally {
    btn.disabled = false;
  }
}

function package_(d) {
  return el('div', { class: 'package' },
    el('button', { type: 'button', class: 'button', dataDownload: 'json', text: t('court.package.bundle'), onclick: (ev) => download(ev.currentTarget, d, 'json') }),
    el('button', { type: 'button', class: 'button secondary', dataDownload: 'pdf', text: t('court.package.pdf'), onclick: (ev) => download(ev.currentTarget, d, 'pdf') }),
    el('p', { class: 'hint' }, t('court.package.verify_hint'), ' ', el('a', { href: '/app/verify', class: 'verify-link', target: '_blank', rel: 'noopener', text: t('court.package.verify') })));
}

/* ---- the requests ---- */

function requests(list) {
  return el('section', { class: 'card', id: 'requests' }, el('h2', { text: t('court.list.title') }),
    list.length ? null : el('p', { text: t('court.list.none') }),
    el('ul', { class: 'cards', id: 'request-list' }, list.map((d) => el('li', { class: 'card', dataDisclosure: d.id, dataState: d.state },
      el('h3', { text: t('court.list.name', { ref: d.reference || d.id }) }),
      dl([
        ['court.list.state', el('strong', { text: label('disclosure', d.state) })],
        ['court.ask.order', d.order],
        ['court.list.scope', scopes(d.scope)],
        ['court.ask.purpose', d.purpose],
        ['court.list.asked', when(d.created_at)],
        d.state === 'pending' && d.due_at ? ['court.list.due', el('span', {}, `${t('consumer.deadlines.by', { time: d.due_at })} `, countdown(d.due_at))] : null,
        d.released ? ['court.list.released', `${when(d.released.at)} · ${scopes(d.released.scope)} · ${label('basis', d.released.basis)}`] : null,
        d.refused ? ['court.list.refused', (d.refused.reasons || []).join('; ')] : null,
        ['court.list.id', d.id],
      ]),
      ANSWERED.includes(d.state) ? package_(d) : null))));
}

async function home() {
  const list = await api.all('/v1/disclosures', 5);
  list.reverse(); // the latest first
  return [
    el('h1', { text: t(who.role === 'court' ? 'court.title' : 'court.title_association') }),
    el('p', { class: 'lead', text: t('court.intro') }),
    requestForm(),
    requests(list),
  ];
}

/* The disclosure desk, in `root`, for a court's or an association's token. */
export async function start(root, principal) {
  who = principal;
  render = router(root, { home });
  await render();
}
