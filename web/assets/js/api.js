// api.js - how the pages sign in and talk to the API: the token taken from /app/#token=…, kept in session storage, sent as a bearer token.

const TOKEN_KEY = 'disputed.token';

/* An API answer that is not 2xx: its HTTP status and the error's code, message and param. */
export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || null;
    this.param = err.param || null;
  }
}

/*
 * Move a token in the address (#token=…) to session storage and drop it
 * from the address bar and history, so it is neither bookmarked nor shared.
 * True if there was one.
 */
export function takeTokenFromUrl() {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return false;
  try {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  } catch {
    /* no storage: the token lasts for this page only */
    memoryToken = decodeURIComponent(m[1]);
  }
  history.replaceState(null, '', location.pathname + location.search);
  return true;
}

let memoryToken = null;

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
  } catch {
    return memoryToken;
  }
}

export function signOut() {
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* nothing kept */
  }
  memoryToken = null;
}

/*
 * One API call: `body` is sent as JSON, or as it is when it is a Blob/File
 * (with its own type). Resolves to the parsed reply; rejects with ApiError.
 */
export async function call(method, path, body, headers = {}) {
  const h = { ...headers };
  const tok = token();
  if (tok) h.Authorization = `Bearer ${tok}`;
  let payload;
  if (body instanceof Blob) {
    payload = body;
    h['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  }
  const r = await fetch(path, { method, headers: h, body: payload, credentials: 'omit', cache: 'no-store' });
  let data = null;
  try {
    data = await r.json();
  } catch {
    data = null;
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

/* Every page of a list (GET path?limit=100&cursor=…), at most `pages` pages. */
export async function all(path, pages = 10) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < pages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call('GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...r.data);
    cursor = r.next_cursor;
    if (!cursor) break;
  }
  return out;
}

/* A fresh Idempotency-Key, so a retried click does not act twice. */
export const idemKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
