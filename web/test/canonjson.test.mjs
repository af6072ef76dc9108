// canonjson.test.mjs - the parser refuses what jansson refuses, and the dump is jansson's JSON_INDENT(2) byte for byte.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parse, dump, dumpReal, ParseError } from '../assets/js/canonjson.js';
import { b64decode } from '../assets/js/tlog.js';
import { timeCanonical } from '../assets/js/verifier.js';

test('key order, integers and reals survive a round trip', () => {
  const text = '{\n  "b": 1,\n  "0": [],\n  "a": {},\n  "r": 1.0,\n  "s": "é\\u001F\\n/"\n}';
  assert.equal(dump(parse(text)), text);
});

test('reals are written as C writes %.17g, then as jansson adjusts it', () => {
  // the outputs of jansson 2.14 for the same doubles
  assert.equal(dumpReal(1), '1.0');
  assert.equal(dumpReal(1e21), '1e21');
  assert.equal(dumpReal(0.0001), '0.0001');
  assert.equal(dumpReal(1e-5), '1.0000000000000001e-5');
  assert.equal(dumpReal(123456789.123456789), '123456789.12345679');
  assert.equal(dumpReal(-0), '-0.0');
  assert.equal(dump(parse('{"a": 1E2}')), '{\n  "a": 100.0\n}');
  assert.equal(dump(parse('{"a": -0}')), '{\n  "a": 0\n}');
});

test('what jansson refuses is refused', () => {
  for (const bad of ['{"a":1,"a":2}', '{"a":01}', '{"a":1e400}', '{"a":99999999999999999999}', '"a"',
    '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":"x\ty"}', '{"a":1}x', '{"a":tru}', '[1,]', '{']) {
    assert.throws(() => parse(bad), ParseError, bad);
  }
  assert.equal(parse('{"a":9223372036854775807}').map.get('a'), 9223372036854775807n);
});

test('base64 is decoded strictly, as libsodium does', () => {
  assert.deepEqual([...b64decode('AQI=')], [1, 2]);
  for (const bad of ['AQJ=', 'AQI', 'AQI==', 'A QI=', 'AQ\nI=', '====']) assert.equal(b64decode(bad), null, bad);
});

test('a time is canonical only in the one spelling disputed writes', () => {
  assert.ok(timeCanonical('2025-11-01T10:00:02.417Z'));
  assert.ok(timeCanonical('2024-02-29T00:00:00Z'));
  for (const bad of ['2025-11-01T10:00:02.000Z', '2025-11-01T10:00:02+00:00', '2025-02-29T00:00:00Z',
    '1969-12-31T23:59:59Z', '2025-11-01T10:00:60Z', '2025-11-01 10:00:02Z', '2025-11-01T10:00:02.41Z']) {
    assert.equal(timeCanonical(bad), false, bad);
  }
});
