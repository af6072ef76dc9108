// canonjson.js - strict JSON as disputed's bundles use it: a parser that keeps what jansson keeps, and jansson's two-space dump.
//
// A bundle is valid only in the exact bytes `json_dumps(JSON_INDENT(2))`
// gives for what it parses to (docs/formats.md), so the verifier needs what
// JSON.parse loses: object key order as written (JavaScript objects put
// integer-like keys first), integers apart from reals, duplicate keys
// refused. Values parse to:
//   objects  {t: 'object', keys: [...], map: Map(key → value)}
//   arrays   {t: 'array', items: [...]}
//   strings  JavaScript strings; integers BigInt; reals {t: 'real', v: Number}
//   true, false, null as themselves.
// parse() throws a ParseError (message and 1-based line) for anything jansson
// (json_loadb with JSON_REJECT_DUPLICATES) refuses.

const MAX_DEPTH = 2048; // jansson's JSON_PARSER_MAX_DEPTH
const INT_MIN = -(2n ** 63n);
const INT_MAX = 2n ** 63n - 1n;

export class ParseError extends Error {
  constructor(message, line) {
    super(message);
    this.line = line;
  }
}

/* Parse `text` (a JavaScript string decoded from UTF-8) as jansson would. */
export function parse(text) {
  let i = 0;
  let line = 1;
  let depth = 0;

  const fail = (what) => {
    throw new ParseError(what, line);
  };
  const ws = () => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r') i++;
      else if (c === '\n') {
        i++;
        line++;
      } else return;
    }
  };
  const hex4 = () => {
    const h = text.slice(i, i + 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail('invalid escape');
    i += 4;
    return parseInt(h, 16);
  };
  const string = () => {
    i++; // the opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('premature end of input');
      const c = text[i];
      const code = c.charCodeAt(0);
      if (c === '"') {
        i++;
        return out;
      }
      if (code < 0x20) fail('control character in a string');
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      i += 2;
      const simple = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e in simple) {
        out += simple[e];
        continue;
      }
      if (e !== 'u') fail('invalid escape');
      let u = hex4();
      if (u >= 0xd800 && u <= 0xdbff) {
        if (text[i] !== '\\' || text[i + 1] !== 'u') fail('invalid Unicode');
        i += 2;
        const lo = hex4();
        if (lo < 0xdc00 || lo > 0xdfff) fail('invalid Unicode');
        out += String.fromCharCode(u, lo);
        continue;
      }
      if (u >= 0xdc00 && u <= 0xdfff) fail('invalid Unicode');
      if (u === 0) fail('\\u0000 is not allowed without JSON_ALLOW_NUL');
      out += String.fromCharCode(u);
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail('invalid token');
    const t = m[0];
    const after = text[i + t.length];
    if (after !== undefined && /[0-9A-Za-z.+-]/.test(after)) fail('invalid token');
    i += t.length;
    if (m[2] === undefined && m[3] === undefined) {
      const v = BigInt(t);
      if (v < INT_MIN || v > INT_MAX) fail(v < 0n ? 'too big negative integer' : 'too big integer');
      return v;
    }
    const v = Number(t);
    if (!Number.isFinite(v)) fail('real number overflow');
    return { t: 'real', v };
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) fail('maximum parsing depth reached');
      const v = c === '{' ? object() : array();
      depth--;
      return v;
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(i >= text.length ? 'premature end of input' : 'invalid token');
  };
  const object = () => {
    const o = { t: 'object', keys: [], map: new Map() };
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return o;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('string or \'}\' expected');
      const k = string();
      if (k.includes('\u0000')) fail('NUL byte in object key not supported');
      if (o.map.has(k)) fail('duplicate object key');
      ws();
      if (text[i] !== ':') fail('\':\' expected');
      i++;
      const v = value();
      o.keys.push(k);
      o.map.set(k, v);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return o;
      }
      fail('\'}\' expected');
    }
  };
  const array = () => {
    const a = { t: 'array', items: [] };
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return a;
    }
    for (;;) {
      a.items.push(value());
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return a;
      }
      fail('\']\' expected');
    }
  };

  ws();
  if (text[i] !== '{' && text[i] !== '[') fail('\'[\' or \'{\' expected');
  const v = value();
  ws();
  if (i < text.length) fail('end of file expected');
  return v;
}

function dumpString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/* A double as C's "%.17g", then as jansson adjusts it (a ".0" for integral values, a bare exponent). */
export function dumpReal(v) {
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expText] = v.toExponential(16).split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out;
  if (exp < -4 || exp >= 17) {
    let m = digits[0] + '.' + digits.slice(1);
    m = m.replace(/0+$/, '').replace(/\.$/, '');
    out = m + 'e' + (exp < 0 ? '-' : '') + String(Math.abs(exp));
  } else if (exp >= 0) {
    let m = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    out = m.replace(/0+$/, '').replace(/\.$/, '');
  } else {
    const m = '0.' + '0'.repeat(-exp - 1) + digits;
    out = m.replace(/0+$/, '').replace(/\.$/, '');
  }
  if (!out.includes('.') && !out.includes('e')) out += '.0';
  return (neg ? '-' : '') + out;
}

/* jansson's json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER), without the final newline. */
export function dump(v, depth = 0) {
  const pad = (d) => '\n' + '  '.repeat(d);
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return dumpString(v);
  if (v.t === 'real') return dumpReal(v.v);
  if (v.t === 'array') {
    if (v.items.length === 0) return '[]';
    return '[' + v.items.map((x) => pad(depth + 1) + dump(x, depth + 1)).join(',') + pad(depth) + ']';
  }
  if (v.keys.length === 0) return '{}';
  return '{' + v.keys.map((k) => pad(depth + 1) + dumpString(k) + ': ' + dump(v.map.get(k), depth + 1)).join(',') +
    pad(depth) + '}';
}

// Accessors in the manner of jansson's: each gives undefined for the wrong kind.
export const isObject = (v) => v !== null && typeof v === 'object' && v.t === 'object';
export const isArray = (v) => v !== null && typeof v === 'object' && v.t === 'array';
export const isInteger = (v) => typeof v === 'bigint';
export const get = (o, k) => (isObject(o) ? o.map.get(k) : undefined);
export const str = (o, k) => {
  const v = get(o, k);
  return typeof v === 'string' ? v : undefined;
};
export const items = (a) => (isArray(a) ? a.items : []);

/* True if `o` is an object with exactly these keys, in this order. */
export function exactKeys(o, keys) {
  if (!isObject(o) || o.keys.length !== keys.length) return false;
  return o.keys.every((k, n) => k === keys[n]);
}
