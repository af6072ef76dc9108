// format.js - how every page writes times and money: Beijing time with its offset shown, yuan from integer fen, exact.

const BEIJING_OFFSET_MS = 8 * 3600 * 1000; // China has one zone, UTC+08:00, and no summer time

const pad = (n, w = 2) => String(n).padStart(w, '0');

/* An instant (ms since the epoch, or an RFC 3339 text) as Beijing wall-clock parts; null if unreadable. */
export function beijingParts(when) {
  const ms = typeof when === 'string' ? Date.parse(when) : Number(when);
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms + BEIJING_OFFSET_MS);
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
  };
}

/*
 * An instant in Beijing time with the offset shown:
 *   zh: 2025年11月01日 18:00:02（北京时间 UTC+08:00）
 *   en: 2025-11-01 18:00:02 Beijing time (UTC+08:00)
 * The text itself is unchanged if it cannot be read.
 */
export function formatTime(when, lang) {
  const p = beijingParts(when);
  if (!p) return String(when);
  const clock = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
  if (lang === 'zh') return `${p.year}年${pad(p.month)}月${pad(p.day)}日 ${clock}（北京时间 UTC+08:00）`;
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${clock} Beijing time (UTC+08:00)`;
}

/*
 * Integer fen (a number, BigInt or decimal text) as yuan: 1999 → "¥19.99",
 * -5 → "-¥0.05", 100000000 → "¥1,000,000.00". Never through floating point.
 * Text that is not an integer comes back unchanged.
 */
export function formatFen(fen) {
  let v;
  try {
    v = typeof fen === 'bigint' ? fen : BigInt(typeof fen === 'number' && !Number.isInteger(fen) ? 'x' : fen);
  } catch {
    return String(fen);
  }
  const neg = v < 0n;
  if (neg) v = -v;
  const yuan = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}¥${yuan}.${pad(Number(v % 100n))}`;
}

/* Money as the API writes it, {amount: fen, currency}: yuan for CNY, else the amount and its currency. */
export function formatMoney(m) {
  if (!m || m.currency === 'CNY' || m.currency === undefined) return formatFen(m ? m.amount : 0);
  return `${m.amount} ${m.currency}`;
}
