// parts.js - what every party's pages share: labels from the catalogues, form fields, deadlines that count down, the timeline, photos, what to say when a step fails, and the hash router.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { el, notice, clearNotice } from './ui.js';
import { formatTime } from './format.js';

const t = i18n.t;
export const CLAIMS = ['refund', 'return_refund', 'exchange', 'repair', 'compensation'];
export const FINAL = ['resolved', 'withdrawn', 'external'];
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024; // the API's max_blob_bytes

/* The catalogue's word for `prefix.value`, or the value itself when the catalogue has none. */
export function label(prefix, value) {
  const key = `${prefix}.${value}`;
  const s = t(key);
  return s === key ? String(value) : s;
}

export const when = (ts) => formatTime(ts, i18n.current());

/* Time left as "2天 03:04:05" / "2d 03:04:05". */
function formatLeft(ms) {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? t('time.days', { n: d, hms }) : hms;
}

export function tick() {
  for (const e of document.querySelectorAll('[data-due]')) {
    const left = Date.parse(e.dataset.due) - api.serverNow(); // the server's time: the browser's clock may be off
    e.textContent = left > 0 ? t('time.left', { left: formatLeft(left) }) : t('time.passed');
    e.dataset.past = String(left <= 0);
  }
}

export const countdown = (due) => (due ? el('span', { class: 'countdown', dataDue: due }) : null);

/*
 * Whether a control that fills the API's fields `declared` (its data-param:
 * paths such as "claim.amount" or "reasons[0].evidence", space-separated)
 * holds `param`, an error's path: the same, or one inside it.
 */
export function paramIn(declared, param) {
  return (declared || '').split(/\s+/).filter(Boolean)
    .some((p) => param === p || param.startsWith(`${p}.`) || param.startsWith(`${p}[`));
}

/* Take back the mark of a control the server refused (see markRefused). */
function unmark(c) {
  if (c.dataset.refused !== 'true') return;
  c.removeAttribute('aria-invalid');
  const rest = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter((id) => id && id !== 'notice');
  if (rest.length) c.setAttribute('aria-describedby', rest.join(' '));
  else c.removeAttribute('aria-describedby');
  delete c.dataset.refused;
}

/*
 * The control in `scope` the error's param names, if any: marked invalid,
 * described by the notice that says why, and focused, so a keyboard or
 * screen reader user lands on what to fix; the mark goes once it is edited.
 */
function markRefused(scope, param) {
  for (const c of document.querySelectorAll('[data-refused="true"]')) unmark(c);
  const c = [...(scope || document).querySelectorAll('[data-param]')].find((e) => paramIn(e.dataset.param, param));
  if (!c) return;
  c.setAttribute('aria-invalid', 'true');
  const ids = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
  if (!ids.includes('notice')) c.setAttribute('aria-describedby', [...ids, 'notice'].join(' '));
  c.dataset.refused = 'true';
  const edited = () => {
    unmark(c);
    c.removeEventListener('input', edited);
    c.removeEventListener('change', edited);
  };
  c.addEventListener('input', edited);
  c.addEventListener('change', edited);
  c.focus();
}

/*
 * What to say when an action fails: a 401 is a sign-in that ended, a 409 a
 * step no longer possible, a 422 the server's own words on what it refused.
 * A 400 or 422 naming a field (the error's param) that a control in `scope`
 * (the form or part of the page the action came from; the whole view when
 * not given) fills brings the user to that control.
 */
export function failed(err, scope = null) {
  if (err.status === 401) return notice('session.expired', {}, 'unauthenticated');
  if (err.status === 409) return notice('errors.conflict', { detail: err.message }, 'conflict');
  if (err.status === 422) notice('errors.refused', { detail: err.message }, 'refused');
  else notice('errors.failed', { detail: err.message }, err.code || 'error');
  if (err.param && (err.status === 400 || err.status === 422)) markRefused(scope || document.getElementById('view'), err.param);
  return undefined;
}

/* Where an action started by `btn` keeps its controls: its form, or the item or section it is in. */
export const scopeOf = (btn) => btn.closest('form, li, section') || document.getElementById('view');

export function field(id, key, control, hint) {
  return el('div', { class: 'field' }, el('label', { for: id, text: t(key) }), control,
    hint ? el('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null);
}

/* A <select> of `values` (labelled from `prefix`), `chosen` selected, filling the API's field `param` (see paramIn) if given. */
export function select(id, values, prefix, chosen, param) {
  return el('select', { id, name: id, dataParam: param }, values.map((v) => el('option', { value: v, selected: v === chosen, text: label(prefix, v) })));
}

export function dl(rows) {
  return el('dl', { class: 'summary' }, rows.filter(Boolean).flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', {}, v)]));
}

/* The dispute's next deadline counting down; with `all`, every running deadline under it too (the consumer's receipt). */
export function deadlines(d, { all = false } = {}) {
  return el('section', { class: 'card', id: 'deadlines' }, el('h2', { text: t('consumer.deadlines.title') }),
    d.next ? el('p', { class: 'next', id: 'next', dataDueAt: d.next.due_at },
      el('strong', { text: t('consumer.deadlines.next', { who: label('role', d.next.actor), action: label('action', d.next.action) }) }), ' ',
      el('span', { text: t('consumer.deadlines.by', { time: d.next.due_at }) }), ' ', countdown(d.next.due_at))
      : el('p', { text: t('consumer.deadlines.none') }),
    all ? el('ul', { class: 'items' }, (d.deadlines || []).map((s) => el('li', { dataStep: s.step },
      el('span', {}, `${label('step', s.step)} · ${label('role', s.actor)} · ${t('consumer.deadlines.by', { time: s.due_at })} `,
        countdown(s.due_at))))) : null);
}

export function timeline(events) {
  return el('section', { class: 'card', id: 'timeline' }, el('h2', { text: t('consumer.timeline.title') }),
    el('ol', { class: 'items' }, events.map((ev) => el('li', { dataEvent: ev.type },
      el('span', {}, el('strong', { text: label('event', ev.type) }), ` · ${label('role', ev.actor?.role)} · ${when(ev.created_at)}`,
        ev.to && ev.to !== ev.from ? ` · ${t('consumer.timeline.to', { state: label('state', ev.to) })}` : '')))));
}

/* A blob the caller may see, fetched with the token and shown from memory (the API is the only way data moves). */
export function blobImage(id, alt) {
  const img = el('img', { alt, dataBlob: id });
  fetch(`/v1/blobs/${encodeURIComponent(id)}/content`, { headers: { Authorization: `Bearer ${api.token()}` }, credentials: 'omit' })
    .then((r) => (r.ok ? r.blob() : null))
    .then((b) => { if (b && /^image\//.test(b.type)) img.src = URL.createObjectURL(b); })
    .catch(() => {});
  return img;
}

/* Upload one photo as a blob; null (and a notice) when it is not an image or is refused. */
export async function uploadPhoto(f) {
  if (!/^image\/(jpeg|png|gif|webp)$/.test(f.type) || f.size > MAX_PHOTO_BYTES) {
    notice('consumer.photo.not_image', { name: f.name }, 'not_image');
    return null;
  }
  try {
    return await api.call('POST', '/v1/blobs', f);
  } catch (err) {
    if (err.status === 400 || err.status === 415) notice('consumer.photo.not_image', { name: f.name }, 'not_image');
    else failed(err);
    return null;
  }
}

/*
 * Draw the view the address names into `view` with `routes` (a map from
 * the first path part, '' for home, to an async function of the rest
 * giving the parts); redraws on a new address and a new language, keeping
 * what was typed in the same view.
 */
export function router(view, routes) {
  async function render() {
    const m = /^#\/([a-z]+)\/([A-Za-z0-9_:.-]+)$/.exec(location.hash);
    const name = m && routes[m[1]] ? m[1] : 'home';
    document.body.dataset.view = name;
    document.body.dataset.busy = 'true';
    try {
      const parts = await routes[name](m ? m[2] : null, render);
      const kept = view.dataset.hash === location.hash
        ? [...view.querySelectorAll('input:not([type="file"]):not([type="checkbox"]), textarea, select')].filter((e) => e.id).map((e) => [e.id, e.value]) : [];
      view.replaceChildren(...parts.flat().filter(Boolean));
      for (const [id, v] of kept) if (document.getElementById(id)) document.getElementById(id).value = v;
      view.dataset.hash = location.hash;
      tick();
    } catch (err) {
      failed(err);
    } finally {
      document.body.dataset.busy = 'false';
    }
  }
  window.addEventListener('hashchange', () => {
    clearNotice();
    render();
  });
  i18n.onChange(() => render());
  setInterval(tick, 1000);
  return render;
}

/* Run one POST from a button: the notice cleared, the button held while it runs, `done` with the reply. */
export async function act(btn, method, path, body, done) {
  clearNotice();
  btn.disabled = true;
  try {
    const r = await api.call(method, path, body, { 'Idempotency-Key': api.idemKey() });
    await done(r);
  } catch (err) {
    failed(err, scopeOf(btn));
    btn.disabled = false;
  }
}
