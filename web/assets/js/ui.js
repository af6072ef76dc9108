// ui.js - small DOM helpers every page shares: building elements without HTML strings, and the one notice (role=alert) that says what went wrong.

import { t, onChange } from './i18n.js';

let said = null; // the notice shown, {key, params}, said again in a new language

/* An element: attrs (class, id, data-*, aria-*, on* handlers, text) and children (nodes or text). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('data') && k.length > 4 && k[4] !== '-') e.dataset[k[4].toLowerCase() + k.slice(5)] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/* Say `key` (with params) in the notice at the top of the page, marked with `kind` for tests and styles. */
export function notice(key, params = {}, kind = 'error') {
  const n = document.getElementById('notice');
  said = { key, params };
  n.textContent = t(key, params);
  n.dataset.kind = kind;
  n.dataset.key = key;
  n.hidden = false;
  n.scrollIntoView({ block: 'nearest' });
}

export function clearNotice() {
  const n = document.getElementById('notice');
  said = null;
  n.hidden = true;
  n.textContent = '';
  delete n.dataset.kind;
  delete n.dataset.key;
}

onChange(() => {
  if (said) document.getElementById('notice').textContent = t(said.key, said.params);
});
