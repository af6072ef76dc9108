// api.js - how the pages sign in and talk to the API: the token taken from /app/#token=…, kept in session storage, sent as a bearer token; and the server's clock, learned from each reply's Date.

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
  const sent = Date.now();
  const r = await fetch(path, { method, headers: h, body: payload, credentials: 'omit', cache: 'no-store' });
  clockKept = clockMerge(clockKept, clockSample(r.headers.get('Date'), sent, Date.now()));
  let data = null;
  try {
    data = await r.json();
  } catch {
    data = null;
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

/*
 * The server's clock. A phone's own clock may be minutes or hours off, and
 * the pages count legal deadlines down, so they count from the server's
 * time: serverNow() is Date.now() plus an offset learned from the Date
 * header of the API's replies.
 *
 * One reply bounds the offset: the server wrote Date (whole seconds, rounded
 * down) at some moment between sending the request (`sent`) and reading the
 * reply (`got`), so offset lies in [date - got, date + 1000 - sent]. We keep
 * the narrowest such interval seen (the reply with the smallest round trip
 * is the most exact; a slow one, an upload say, tells little) and use its
 * middle. Latest-wins would let one slow reply make the estimate worse;
 * narrowest-wins alone would keep a stale offset after the browser's clock
 * is set (a phone waking from sleep, or synced): an interval that does not
 * meet the kept one can only mean that, so it replaces it.
 */
let clockKept = null; // {lo, hi} in ms, or null before the first reply

/* The interval a reply with Date header `date` (text), sent at `sent` and read at `got` (browser ms), bounds the offset to; null without a usable Date. */
export function clockSample(date, sent, got) {
  const at = date ? Date.parse(date) : NaN;
  if (!Number.isFinite(at) || !(got >= sent)) return null;
  return { lo: at - got, hi: at + 1000 - sent };
}

/* The interval to keep after `sample`, given the one `kept` (either may be null). */
export function clockMerge(kept, sample) {
  if (!sample) return kept;
  if (!kept || sample.lo > kept.hi || sample.hi < kept.lo) return sample;
  return sample.hi - sample.lo < kept.hi - kept.lo ? sample : kept;
}

/* The offset to add to the browser's clock for the server's (ms; 0 before any reply). */
export const clockOffset = (kept = clockKept) => (kept ? Math.round((kept.lo + kept.hi) / 2) : 0);

/* Now on the server's clock, in ms since the epoch. */
export const serverNow = () => Date.now() + clockOffset();

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
