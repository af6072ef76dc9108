// i18n.js - the message catalogues (i18n/zh.json, i18n/en.json): Chinese by default, the reader's choice remembered, every visible string looked up here.

import { formatTime, formatFen } from './format.js';

const STORE_KEY = 'disputed.lang';
export const LANGS = ['zh', 'en'];
const catalogues = {};
let lang = 'zh';
const listeners = [];

/* Load both catalogues (so switching needs no network) and take the remembered language. */
export async function init(assetsBase) {
  await Promise.all(LANGS.map(async (l) => {
    const r = await fetch(`${assetsBase}/i18n/${l}.json`, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`cannot load the ${l} messages (${r.status})`);
    catalogues[l] = await r.json();
  }));
  let saved = null;
  try {
    saved = localStorage.getItem(STORE_KEY);
  } catch {
    saved = null;
  }
  lang = LANGS.includes(saved) ? saved : 'zh';
  apply();
}

export const current = () => lang;

export function setLang(l) {
  if (!LANGS.includes(l)) return;
  lang = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* private browsing: the choice lasts for this page only */
  }
  apply();
  for (const f of listeners) f(l);
}

export const onChange = (f) => listeners.push(f);

/* Parameters with a meaning of their own: times in Beijing time, fen as yuan, and enumerations looked up. */
function render(name, v) {
  if (v === undefined || v === null) return '';
  if (name === 'time') return formatTime(v, lang);
  if (name === 'fen') return formatFen(v);
  if (name === 'source') return t(`verify.origin.${v}`);
  return String(v);
}

/* The message `key` in the current language with {param}s filled in; the key itself if missing. */
export function t(key, params = {}) {
  const text = catalogues[lang]?.[key] ?? catalogues.zh?.[key] ?? key;
  return text.replace(/\{([a-z_]+)\}/g, (m, name) => (name in params ? render(name, params[name]) : m));
}

/* Fill every element marked data-i18n (its text) or data-i18n-ATTR (an attribute). */
export function apply(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const attr of ['aria-label', 'placeholder', 'title', 'content']) {
    const data = 'i18n' + attr.replace(/(^|-)([a-z])/g, (m, d, c) => c.toUpperCase());
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`)) el.setAttribute(attr, t(el.dataset[data]));
  }
  const title = document.querySelector('title[data-i18n]');
  if (title) document.title = title.textContent;
  for (const b of root.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
}

/* Wire the language buttons (elements with data-lang). */
export function bindSwitch(root = document) {
  for (const b of root.querySelectorAll('[data-lang]')) b.addEventListener('click', () => setLang(b.dataset.lang));
}
