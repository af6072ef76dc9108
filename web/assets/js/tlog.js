// tlog.js - the transparency log's formats for the browser: strict base64, SHA-256 and Ed25519 (WebCrypto), verifier keys, signed notes, checkpoints, cosignatures and RFC 9162 inclusion proofs, as src/tlog/ reads them.

const enc = new TextEncoder();

export const KEY_ED25519 = 0x01;
export const KEY_COSIG = 0x04;
const SIG_PREFIX = '\u2014 '; // "— ", the em dash and a space
const MAX_SIGS = 100;
const MAX_PROOF = 64;
export const MAX_SIZE = 2n ** 63n;

export class TlogError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export const utf8 = (s) => enc.encode(s);

export function concat(...parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function b64encode(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/*
 * Decode padded standard base64 strictly, as libsodium's sodium_base642bin
 * (VARIANT_ORIGINAL, nothing ignored): the alphabet only, exact padding,
 * zero pad bits. Returns null for anything else.
 */
export function b64decode(s) {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return null;
  let bin;
  try {
    bin = atob(s);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return b64encode(out) === s ? out : null;
}

/* A leaf hash, commitment or salt as the formats write it: 44 characters of base64 of 32 bytes. */
export function b64hash(s) {
  if (typeof s !== 'string' || s.length !== 44 || s[43] !== '=') return null;
  const b = b64decode(s);
  return b && b.length === 32 ? b : null;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export const leafHash = (entry) => sha256(concat(new Uint8Array([0]), entry));
const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

export async function ed25519Verify(pub, sig, msg) {
  try {
    const key = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, msg);
  } catch {
    return false;
  }
}

/* UTF-8 text without control characters other than newline (tlog_text_valid). */
export function textValid(s) {
  return !/[\u0000-\u0009\u000b-\u001f]/.test(s);
}

/* A key or signer name: text without '+', newline or Unicode space (Go's unicode.IsSpace). */
export function nameValid(s) {
  return s.length > 0 && textValid(s) && !/[+\n\t\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(s);
}

export async function keyId(name, type, pub) {
  const h = await sha256(concat(utf8(name), new Uint8Array([0x0a, type]), pub));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

const hex8 = (n) => n.toString(16).padStart(8, '0');

/* Parse a verifier key "name+hexid+base64(type || key)"; throws TlogError. */
export async function parseVerifier(text) {
  const p1 = text.indexOf('+');
  const p2 = p1 < 0 ? -1 : text.indexOf('+', p1 + 1);
  if (p1 < 0 || p2 < 0) throw new TlogError('key is not of the form name+id+key', 'key');
  const name = text.slice(0, p1);
  if (!nameValid(name)) throw new TlogError('key name is not valid', 'key');
  if (utf8(name).length >= 256) throw new TlogError('key name is longer than 255 bytes', 'key');
  const idText = text.slice(p1 + 1, p2);
  if (!/^[0-9a-fA-F]{8}$/.test(idText)) throw new TlogError('key ID is not 8 hex digits', 'key');
  const key = b64decode(text.slice(p2 + 1));
  if (!key || key.length === 0 || key.length > 33) throw new TlogError('key is not base64', 'key');
  if (key[0] !== KEY_ED25519 && key[0] !== KEY_COSIG)
    throw new TlogError(`key type 0x${key[0].toString(16).padStart(2, '0')} is not supported`, 'key');
  if (key.length !== 33) throw new TlogError('key is not 32 bytes long', 'key');
  const v = { name, type: key[0], pub: key.slice(1), id: parseInt(idText, 16) >>> 0 };
  if ((await keyId(v.name, v.type, v.pub)) !== v.id) throw new TlogError('key ID does not match the key', 'key');
  return v;
}

export function formatVerifier(v) {
  return `${v.name}+${hex8(v.id)}+${b64encode(concat(new Uint8Array([v.type]), v.pub))}`;
}

/* Split a signed note into its text and signature lines (tlog_note_parse); throws TlogError. */
export function parseNote(msg) {
  const bad = (what) => new TlogError(what, 'malformed_note');
  if (!textValid(msg)) throw bad('note is not UTF-8 text without control characters');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw bad('note has no blank line before its signatures');
  const sigs = msg.slice(split + 2);
  if (sigs.length === 0 || !msg.endsWith('\n')) throw bad('note signatures do not end in a newline');
  const lines = sigs.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGS) throw new TlogError(`note has more than ${MAX_SIGS} signatures`, 'too_many_signatures');
  const note = { text: msg.slice(0, split + 1), sigs: [] };
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw bad('signature line does not start with an em dash');
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp < 0) throw bad('signature line has no signature');
    const name = rest.slice(0, sp);
    if (!nameValid(name)) throw bad('signature line has an invalid key name');
    const bytes = b64decode(rest.slice(sp + 1));
    if (!bytes || bytes.length < 5) throw bad('signature is not base64 of a key ID and bytes');
    note.sigs.push({
      name,
      id: ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0,
      sig: bytes.slice(4),
      verified: false,
      timestamp: 0n,
    });
  }
  return note;
}

async function cosigVerify(v, text, sig) {
  if (sig.length !== 72) return false;
  let t = 0n;
  for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(sig[i]);
  if (t >= MAX_SIZE) return false;
  const msg = concat(utf8(`cosignature/v1\ntime ${t}\n`), utf8(text));
  return (await ed25519Verify(v.pub, sig.slice(8), msg)) ? t : false;
}

/* Check the note's signatures by the known `keys` (tlog_note_verify); throws TlogError. */
export async function verifyNote(note, keys) {
  let good = 0;
  for (const s of note.sigs) {
    s.verified = false;
    s.timestamp = 0n;
    const v = keys.find((k) => k.id === s.id && k.name === s.name);
    if (!v) continue;
    let ok;
    if (v.type === KEY_COSIG) {
      const t = await cosigVerify(v, note.text, s.sig);
      ok = t !== false;
      if (ok) s.timestamp = t;
    } else {
      ok = s.sig.length === 64 && (await ed25519Verify(v.pub, s.sig, utf8(note.text)));
    }
    if (!ok) {
      for (const x of note.sigs) x.verified = false;
      throw new TlogError(`signature by ${v.name}+${hex8(v.id)} does not verify`, 'invalid_signature');
    }
    s.verified = true;
    good++;
  }
  if (!good) throw new TlogError('note is not signed by a known key', 'unverified_note');
}

/* A decimal without leading zeros, below `max` (a BigInt); null otherwise. */
function parseU64(s, max) {
  if (!/^(0|[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  return v <= max ? v : null;
}

/* Parse a checkpoint body strictly (tlog_checkpoint_parse); throws TlogError. */
export function parseCheckpoint(text) {
  const bad = (what) => new TlogError(what, 'malformed_checkpoint');
  if (text.length === 0 || !text.endsWith('\n')) throw bad('checkpoint does not end in a newline');
  if (!textValid(text)) throw bad('checkpoint is not UTF-8 text without control characters');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0].length === 0) throw bad('checkpoint origin line is empty');
  if (utf8(lines[0]).length >= 256) throw bad('checkpoint origin is longer than 255 bytes');
  if (lines.length < 2) throw bad('checkpoint has no tree size line');
  const size = parseU64(lines[1], MAX_SIZE - 1n);
  if (size === null) throw bad('checkpoint tree size is not a decimal without leading zeroes');
  if (lines.length < 3) throw bad('checkpoint has no root hash line');
  const root = lines[2].length === 44 ? b64decode(lines[2]) : null;
  if (!root || root.length !== 32) throw bad('checkpoint root hash is not padded base64 of 32 bytes');
  const ext = lines.slice(3);
  if (utf8(ext.map((l) => l + '\n').join('')).length >= 1024) throw bad('checkpoint extension lines pass 1023 bytes');
  if (ext.some((l) => l.length === 0)) throw bad('checkpoint has an empty extension line');
  return { origin: lines[0], size, root };
}

/* Open a signed checkpoint for `origin` with `keys` (tlog_checkpoint_open): {checkpoint, note}; throws TlogError. */
export async function openCheckpoint(msg, origin, keys) {
  const note = parseNote(msg);
  await verifyNote(note, keys);
  const c = parseCheckpoint(note.text);
  if (origin !== null && c.origin !== origin) throw new TlogError(`checkpoint origin is not ${origin}`, 'wrong_origin');
  return { checkpoint: c, note };
}

/* RFC 9162 §2.1.3.2: does `proof` (hashes) lead from `leaf` at `index` to `root` of a tree of `size`? */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (size >= MAX_SIZE || index >= size) return false;
  if (proof.length > MAX_PROOF) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}
