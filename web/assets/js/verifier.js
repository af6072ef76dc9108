// verifier.js - offline verification of evidence bundles and signed checkpoints in the browser: the checks of `disputed verify` (src/evidence/verify.c), in its order, with its verdicts.
//
// verifyFile(bytes, {vkey, witnesses}) resolves to
//   {verdict: 'valid' | 'invalid' | 'unusable', items: [...], failure}
// where each item is {status: 'ok' | 'note' | 'fail' | 'unusable', key, params}
// and `failure` is the last item when the verdict is not valid. `key` names
// a message of the catalogues (i18n/*.json, "verify.say.*" for what passed,
// "verify.fail.*" for what failed: its last part is the failure's kind); the
// English messages are the command's own words.

import * as J from './canonjson.js';
import * as T from './tlog.js';

const BUNDLE_FORMAT = 'disputed-bundle/v2';
const PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
const LEAF_MAGIC = 'disputed-leaf/v2';
const LEAF_MAX = 64 * 1024;
const FIELD_TAG = 'disputed-field/v1';

const RECORD_KINDS = ['merchant', 'listing', 'order', 'payment', 'logistics', 'message', 'dispute_event',
  'disclosure_event', 'blob', 'ledger_entry', 'consumer_flag_event'];
const CHAINED = ['order', 'payment', 'logistics', 'message', 'dispute_event', 'disclosure_event'];

class Failed extends Error {}

/* A verification in progress: the items said so far. */
class Run {
  constructor() {
    this.items = [];
  }

  say(key, params = {}, status = 'ok') {
    this.items.push({ status, key: 'verify.say.' + key, params });
  }

  fail(kind, params = {}) {
    this.items.push({ status: 'fail', key: 'verify.fail.' + kind, kind, params });
    throw new Failed(kind);
  }

  unusable(kind, params = {}) {
    this.items.push({ status: 'unusable', key: 'verify.unusable.' + kind, kind, params });
    throw new Failed(kind);
  }
}

const leafNameValid = (n) => n.length > 0 && n.length <= 200 && /^[a-z0-9_.[\]]+$/.test(n);
const tokenValid = (s) => typeof s === 'string' && s.length > 0 && s.length <= 200 && /^[\x21-\x7e]+$/.test(s);
const blobIdValid = (s) => typeof s === 'string' && /^sha256:[0-9a-f]{64}$/.test(s);

/* True if `t` is an RFC 3339 time in the one spelling time_format writes. */
export function timeCanonical(t) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{3})?Z$/.exec(t);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 59 &&
    m[7] !== '.000';
}

async function commit(name, salt, value) {
  return T.sha256(T.concat(T.utf8(FIELD_TAG), new Uint8Array([0]), T.utf8(name), new Uint8Array([0]), salt,
    T.utf8(value)));
}

/* The chain head of a record from its "chain" (chain_head): null when malformed, {} when absent. */
function chainHead(chain) {
  if (chain === undefined) return {};
  const seq = J.get(chain, 'seq');
  if (!J.isInteger(seq) || seq < 0n || typeof J.get(chain, 'order') !== 'string') return null;
  const h = { order: J.str(chain, 'order'), seq };
  if (seq === 0n) {
    if (!J.exactKeys(chain, ['order', 'seq', 'links']) || !J.isArray(J.get(chain, 'links'))) return null;
    const links = J.items(J.get(chain, 'links'));
    for (let i = 0; i < links.length; i++) {
      if (!T.b64hash(links[i]) || (i > 0 && links[i - 1] >= links[i])) return null;
    }
    h.links = links;
    return h;
  }
  h.prev = J.str(chain, 'prev');
  return J.exactKeys(chain, ['order', 'seq', 'prev']) && T.b64hash(h.prev) ? h : null;
}

/* The leaf's bytes (leaf_encode); a string naming what is wrong when it cannot be encoded. */
function encodeLeaf(h, type, id, time, blobs, commitments) {
  if (!tokenValid(type) || !tokenValid(id)) return 'bad type or id in leaf';
  const names = [...commitments.keys()].sort();
  if (names.length === 0) return 'a leaf needs at least one field';
  let out = `${LEAF_MAGIC}\ntype ${type}\nid ${id}\ntime ${time}\n`;
  if (h.order !== undefined) {
    if (!tokenValid(h.order)) return 'bad chain lines in leaf';
    out += `order ${h.order}\nseq ${h.seq}\n`;
    if (h.prev) out += `prev ${h.prev}\n`;
    for (const l of [...new Set(h.links || [])].sort()) out += `link ${l}\n`;
  }
  for (const b of [...new Set(blobs)].sort()) out += `blob ${b}\n`;
  for (const n of names) out += `field ${n} ${commitments.get(n)}\n`;
  const bytes = T.utf8(out);
  if (bytes.length > LEAF_MAX) return 'the record has too many fields to seal in one leaf (64 KiB)';
  return bytes;
}

/* Verify one record against the checkpoint's tree (verify_record): its leaf hash. */
async function verifyRecord(run, r, idx, c, counts) {
  const type = J.str(r, 'type');
  const id = J.str(r, 'id');
  const t = J.str(r, 'time');
  const li = J.get(r, 'leaf_index');
  const blobs = J.get(r, 'blobs');
  const fields = J.get(r, 'fields');
  const proof = J.get(r, 'inclusion_proof');
  const plain = ['type', 'id', 'time', 'leaf_index', 'blobs', 'fields', 'inclusion_proof'];
  const chained = ['type', 'id', 'time', 'chain', 'leaf_index', 'blobs', 'fields', 'inclusion_proof'];
  const h = J.isObject(r) ? chainHead(J.get(r, 'chain')) : null;
  if (!(J.exactKeys(r, plain) || J.exactKeys(r, chained)) || type === undefined || id === undefined ||
      t === undefined || !J.isInteger(li) || !J.isArray(blobs) || !J.isObject(fields) || !J.isArray(proof) || !h)
    run.fail('record_shape', { i: idx });
  const p = { i: idx, type, id };
  if (!RECORD_KINDS.includes(type)) run.fail('record_type', p);
  if (CHAINED.includes(type) !== (h.order !== undefined))
    run.fail(h.order !== undefined ? 'record_chain_unexpected' : 'record_chain_missing', p);
  if (!timeCanonical(t)) run.fail('record_time', p);
  if (li < 0n || li >= c.size) run.fail('record_leaf_index', { ...p, leaf: li, size: c.size });
  let prev;
  for (const b of blobs.items) {
    if (!blobIdValid(b) || (prev !== undefined && prev >= b)) run.fail('record_blobs', p);
    prev = b;
  }
  const commitments = new Map();
  prev = undefined;
  for (const name of fields.keys) {
    const f = fields.map.get(name);
    if (!leafNameValid(name) || (prev !== undefined && prev >= name)) run.fail('record_field_names', p);
    prev = name;
    let cm;
    let salt;
    if (J.exactKeys(f, ['value', 'salt']) && typeof J.get(f, 'value') === 'string' && (salt = T.b64hash(J.str(f, 'salt')))) {
      cm = await commit(name, salt, J.str(f, 'value'));
      counts.disclosed++;
    } else if (J.exactKeys(f, ['commitment']) && (cm = T.b64hash(J.str(f, 'commitment')))) {
      counts.withheld++;
    } else if (J.exactKeys(f, ['commitment', 'shredded']) && J.get(f, 'shredded') === true &&
               (cm = T.b64hash(J.str(f, 'commitment')))) {
      counts.shredded++;
    } else {
      run.fail('record_field', { ...p, field: name });
    }
    commitments.set(name, T.b64encode(cm));
  }
  const leaf = encodeLeaf(h, type, id, t, blobs.items, commitments);
  if (typeof leaf === 'string') run.fail('record_leaf', { ...p, message: leaf });
  const hash = await T.leafHash(leaf);
  if (proof.items.length > 64) run.fail('proof_too_long', p);
  const path = proof.items.map((x, k) => T.b64hash(x) || run.fail('proof_hash', { ...p, k }));
  if (!(await T.verifyInclusion(li, c.size, hash, path, c.root))) run.fail('inclusion', { ...p, leaf: li });
  return hash;
}

/* The chain's completeness (verify_chain). */
function verifyChain(run, order, records, hashes) {
  const n = records.length;
  const at = new Array(n + 1).fill(0);
  let count = 0;
  records.forEach((r, i) => {
    const c = J.get(r, 'chain');
    if (c === undefined) return;
    const o = J.str(c, 'order');
    const seq = J.get(c, 'seq');
    const p = { i, type: J.str(r, 'type'), id: J.str(r, 'id') };
    if (o !== order) run.fail('moved', { ...p, other: o, order });
    if (seq >= BigInt(n)) run.fail('chain_place_beyond', { ...p, seq });
    if (at[Number(seq)]) run.fail('chain_place_taken', { ...p, seq });
    at[Number(seq)] = i + 1;
    count++;
  });
  let links = null;
  for (let i = 0; i < count; i++) {
    if (!at[i]) run.fail('chain_gap', { place: i, count });
    const r = records[at[i] - 1];
    const c = J.get(r, 'chain');
    if (i === 0) {
      if (J.str(r, 'type') !== 'order' || J.str(r, 'id') !== order) run.fail('chain_start', { order });
      links = J.items(J.get(c, 'links'));
      continue;
    }
    if (J.str(c, 'prev') !== T.b64encode(hashes[at[i - 1] - 1]))
      run.fail('chain_prev', { type: J.str(r, 'type'), id: J.str(r, 'id'), place: i, before: i - 1 });
  }
  if (links === null) run.fail('chain_missing', { order });
  const chainLen = count;
  count = 0;
  records.forEach((r, i) => {
    const type = J.str(r, 'type');
    if (type !== 'merchant' && type !== 'listing') return;
    if (!links.includes(T.b64encode(hashes[i]))) run.fail('not_linked', { i, type, id: J.str(r, 'id') });
    count++;
  });
  if (count !== links.length) run.fail('links_count', { links: links.length, count });
  for (const r of records) {
    if (J.str(r, 'type') !== 'blob') continue;
    const referred = records.some((b) => J.str(b, 'type') !== 'blob' && J.items(J.get(b, 'blobs')).includes(J.str(r, 'id')));
    if (!referred) run.fail('blob_unreferenced', { id: J.str(r, 'id') });
  }
  run.say('chain', { order, n: chainLen, last: chainLen - 1, links: count });
}

const disclosed = (r, field) => J.str(J.get(J.get(r, 'fields'), field), 'value');

async function verifyBlobEntry(run, b, idx, records) {
  const id = J.str(b, 'id');
  const data = J.str(b, 'content_base64');
  const gone = J.exactKeys(b, ['id', 'content_type', 'size', 'shredded']) && J.get(b, 'shredded') === true;
  if (!(J.exactKeys(b, ['id', 'content_type', 'size', 'content_base64']) || J.exactKeys(b, ['id', 'content_type', 'size']) || gone) ||
      !blobIdValid(id) || (J.get(b, 'content_base64') !== undefined && data === undefined) ||
      typeof J.get(b, 'content_type') !== 'string' || !J.isInteger(J.get(b, 'size')))
    run.fail('blob_shape', { i: idx });
  let match;
  for (const r of records) if (J.str(r, 'type') === 'blob' && J.str(r, 'id') === id) match = r;
  if (!match) run.fail('blob_no_record', { id });
  const type = J.str(b, 'content_type');
  const size = J.get(b, 'size').toString();
  if (disclosed(match, 'content_type') !== type || disclosed(match, 'size') !== size) run.fail('blob_meta', { id });
  if (gone) return run.say('blob_shredded', { id, type, size }, 'note');
  if (data === undefined) return run.say('blob_digest_only', { id, type, size }, 'note');
  const bytes = T.b64decode(data);
  if (!bytes) run.fail('blob_base64', { id });
  if (T.hex(await T.sha256(bytes)) !== id.slice(7) || BigInt(bytes.length) !== J.get(b, 'size')) run.fail('blob_content', { id });
  run.say('blob', { id, type, size: bytes.length });
}

function verifyMasked(run, ev, records) {
  let n = 0;
  for (let k = 0; ; k++) {
    const rec = disclosed(ev, `data.masked[${k}].record`);
    const field = disclosed(ev, `data.masked[${k}].field`);
    const value = disclosed(ev, `data.masked[${k}].value`);
    const p = { event: J.str(ev, 'id'), k, field, record: rec };
    if (rec === undefined && field === undefined && value === undefined) return n;
    if (rec === undefined || field === undefined || value === undefined) run.fail('masked_partial', p);
    const target = records.find((r) => J.str(r, 'id') === rec);
    const f = target ? J.get(J.get(target, 'fields'), field) : undefined;
    if (f === undefined) run.fail('masked_missing', p);
    if (J.get(f, 'commitment') === undefined) run.fail('masked_disclosed', p);
    n++;
  }
}

/* Check the note's signatures (check_note): the trusted log's, then each required witness's. */
function checkNote(run, note, log, required, strict) {
  let logOk = false;
  for (const s of note.sigs) {
    if (s.verified && s.name === log.name && s.id === log.id) logOk = true;
    if (strict && !s.verified) run.fail('foreign_signature', { name: s.name });
  }
  if (!logOk) run.fail('not_log_signed');
  run.say('log_signature', { name: log.name });
  for (const w of required) {
    let ok = false;
    for (const s of note.sigs) {
      if (s.verified && s.id === w.key.id && s.name === w.key.name) {
        run.say('cosigned', { name: w.key.name, time: Number(s.timestamp) * 1000, source: w.origin });
        ok = true;
      }
    }
    if (!ok) run.fail('not_cosigned', { name: w.key.name });
  }
}

/* Open the checkpoint note; a failure is "checkpoint: …" with the kind of what failed. */
async function openCheckpoint(run, text, log, witnesses) {
  try {
    return await T.openCheckpoint(text, log.name, [log, ...witnesses]);
  } catch (e) {
    if (!(e instanceof T.TlogError)) throw e;
    const kinds = {
      malformed_note: 'checkpoint_note', too_many_signatures: 'checkpoint_note', invalid_signature: 'checkpoint_signature',
      unverified_note: 'checkpoint_unsigned', malformed_checkpoint: 'checkpoint_body', wrong_origin: 'checkpoint_origin',
    };
    return run.fail(kinds[e.code] || 'checkpoint_note', { message: e.message });
  }
}

async function verifyBundle(run, text, bytes, log, cliWitnesses) {
  run.say('file_bundle', {}, 'note');
  let b;
  try {
    b = J.parse(text);
  } catch (e) {
    if (!(e instanceof J.ParseError)) throw e;
    run.fail('json', { message: e.message, line: e.line });
  }
  const again = T.utf8(J.dump(b) + '\n');
  if (!T.equalBytes(again, bytes)) run.fail('canonical');
  const logObj = J.get(b, 'log');
  if (!J.exactKeys(b, ['format', 'order', 'log', 'checkpoint', 'witnesses', 'records', 'blobs']) ||
      J.str(b, 'format') !== BUNDLE_FORMAT || J.str(b, 'order') === undefined || !J.exactKeys(logObj, ['origin', 'vkey']) ||
      J.str(logObj, 'origin') === undefined || J.str(logObj, 'vkey') === undefined ||
      J.str(b, 'checkpoint') === undefined || !J.isArray(J.get(b, 'witnesses')) || !J.isArray(J.get(b, 'records')) ||
      !J.isArray(J.get(b, 'blobs')))
    run.fail('shape');
  const trusted = T.formatVerifier(log);
  if (J.str(logObj, 'vkey') !== trusted) run.fail('vkey', { key: J.str(logObj, 'vkey'), trusted });
  if (J.str(logObj, 'origin') !== log.name) run.fail('origin', { origin: J.str(logObj, 'origin'), name: log.name });
  run.say('log_key', { key: trusted });
  const all = [];
  const required = [];
  const listed = J.items(J.get(b, 'witnesses'));
  for (let i = 0; i < listed.length; i++) {
    let w = null;
    try {
      w = typeof listed[i] === 'string' ? await T.parseVerifier(listed[i]) : null;
    } catch {
      w = null;
    }
    if (!w || w.type !== T.KEY_COSIG || all.length >= 64) run.fail('witness_key', { i });
    all.push(w);
    required.push({ key: w, origin: 'listed' });
  }
  for (const w of cliWitnesses) {
    const same = required.find((x) => x.key.id === w.id && x.key.name === w.name && T.equalBytes(x.key.pub, w.pub));
    if (same) {
      same.origin = 'given';
      continue;
    }
    all.push(w);
    required.push({ key: w, origin: 'given' });
  }
  const { checkpoint: c, note } = await openCheckpoint(run, J.str(b, 'checkpoint'), log, all);
  checkNote(run, note, log, required, true);
  run.say('checkpoint', { size: c.size, root: T.b64encode(c.root) });
  const records = J.items(J.get(b, 'records'));
  if (records.length === 0) run.fail('no_records');
  const order = J.str(b, 'order');
  const hashes = [];
  const total = { disclosed: 0, withheld: 0, shredded: 0 };
  let haveOrder = false;
  let havePayment = false;
  for (let i = 0; i < records.length; i++) {
    const x = records[i];
    const counts = { disclosed: 0, withheld: 0, shredded: 0 };
    hashes.push(await verifyRecord(run, x, i, c, counts));
    for (let j = 0; j < i; j++) {
      if (J.get(records[j], 'leaf_index') === J.get(x, 'leaf_index')) run.fail('same_leaf', { j, i });
    }
    total.disclosed += counts.disclosed;
    total.withheld += counts.withheld;
    total.shredded += counts.shredded;
    if (J.str(x, 'id') === order) {
      haveOrder ||= J.str(x, 'type') === 'order';
      havePayment ||= J.str(x, 'type') === 'payment';
    }
    run.say(counts.shredded ? 'record_shredded' : 'record', {
      type: J.str(x, 'type'), id: J.str(x, 'id'), time: J.str(x, 'time'), leaf: J.get(x, 'leaf_index'),
      disclosed: counts.disclosed, withheld: counts.withheld, shredded: counts.shredded,
    });
  }
  if (!haveOrder || !havePayment) run.fail('no_order', { order });
  verifyChain(run, order, records, hashes);
  const blobs = J.items(J.get(b, 'blobs'));
  for (let i = 0; i < blobs.length; i++) await verifyBlobEntry(run, blobs[i], i, records);
  let masked = 0;
  for (const x of records) if (J.str(x, 'type') === 'disclosure_event') masked += verifyMasked(run, x, records);
  if (masked) run.say('masked', { n: masked }, 'note');
  if (total.shredded) run.say('shredded', { n: total.shredded }, 'note');
  run.say('valid', { n: records.length, order, disclosed: total.disclosed, withheld: total.withheld });
  const orderRecord = records.find((r) => J.str(r, 'type') === 'order' && J.str(r, 'id') === order);
  const amount = disclosed(orderRecord, 'total.amount');
  return {
    order, records: records.length, size: c.size,
    total: amount === undefined ? null : { amount, currency: disclosed(orderRecord, 'total.currency') },
  };
}

async function verifyCheckpointFile(run, text, log, witnesses) {
  run.say('file_checkpoint', {}, 'note');
  const { checkpoint: c, note } = await openCheckpoint(run, text, log, witnesses);
  checkNote(run, note, log, witnesses.map((key) => ({ key, origin: 'given' })), false);
  run.say('checkpoint_file', { origin: c.origin, size: c.size, root: T.b64encode(c.root) });
  for (const s of note.sigs) if (!s.verified) run.say('unchecked_signature', { name: s.name }, 'note');
  run.say('valid_checkpoint', { origin: c.origin, size: c.size });
  return { size: c.size };
}

const latin1 = new TextDecoder('latin1');

/*
 * Verify a file's bytes against the trusted log key `vkey` (text) and the
 * witness keys `witnesses` (texts) that must have cosigned. Never throws
 * for bad input: a key that is not a key is an 'unusable' verdict.
 */
export async function verifyFile(bytes, { vkey, witnesses = [] }) {
  const run = new Run();
  let summary = null;
  try {
    let log;
    try {
      log = await T.parseVerifier((vkey || '').trim());
    } catch {
      log = null;
    }
    if (!log || log.type !== T.KEY_ED25519) run.unusable('vkey');
    const ws = [];
    for (const text of witnesses) {
      let w = null;
      try {
        w = await T.parseVerifier(text.trim());
      } catch {
        w = null;
      }
      if (!w || w.type !== T.KEY_COSIG) run.unusable('witness', { key: text });
      ws.push(w);
    }
    if (bytes.length === 0) run.unusable('empty');
    const raw = latin1.decode(bytes);
    const first = raw.match(/^[ \n\t\r]*(.)/s);
    let text = null;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      text = null;
    }
    if (raw.startsWith(PROOF_HEADER)) {
      run.say('file_proof', {}, 'note');
      run.unusable('proof');
    } else if ((first && first[1] === '{') || raw.includes(BUNDLE_FORMAT)) {
      if (text === null) {
        run.say('file_bundle', {}, 'note');
        run.fail('json', { message: 'unable to decode byte', line: 1 });
      }
      summary = await verifyBundle(run, text, bytes, log, ws);
    } else if (raw.includes('\n') && raw.includes('\n\n')) {
      if (text === null) {
        run.say('file_checkpoint', {}, 'note');
        run.fail('checkpoint_note', { message: 'note is not UTF-8 text without control characters' });
      }
      summary = await verifyCheckpointFile(run, text, log, ws);
    } else {
      run.unusable('unknown');
    }
  } catch (e) {
    if (!(e instanceof Failed)) throw e;
  }
  const last = run.items[run.items.length - 1];
  const verdict = last.status === 'fail' ? 'invalid' : last.status === 'unusable' ? 'unusable' : 'valid';
  return { verdict, items: run.items, failure: verdict === 'valid' ? null : last, summary };
}
