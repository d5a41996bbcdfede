import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  encrypt, decrypt, requestSig, responseSig, sealRequest, sealResponse, openRequest, openResponse, checkRequestShape,
  envelopeTimestamp, parseEnvelopeTimestamp, seqCounter, Ret,
} from './envelope.ts';

const vectors = JSON.parse(readFileSync(new URL('./tcec-crypto-vectors.json', import.meta.url), 'utf8')).vectors as any[];

test('every published vector: Data and Sig byte for byte, and decryption back to the plaintext', () => {
  assert.equal(vectors.length, 3);
  for (const v of vectors) {
    const keys = { dataSecret: v.dataSecret, dataSecretIv: v.dataSecretIv, sigSecret: v.sigSecret };
    if (v.kind === 'request') {
      assert.equal(encrypt(v.plaintext, keys), v.Data, v.name);
      assert.equal(decrypt(v.Data, keys), v.plaintext, v.name);
      assert.equal(requestSig(v.sigSecret, v), v.Sig, v.name);
    } else {
      assert.equal(responseSig(v.sigSecret, v), v.Sig, v.name);
      const o = openResponse({ Ret: v.Ret, Msg: v.Msg, Data: v.Data, Sig: v.Sig }, keys);
      assert.ok(o.ok, v.name);
      if (o.ok) {
        assert.equal(o.value.json!.SuccStat, 0);
        assert.equal(o.value.json!.TokenAvailableTime, 7200);
        assert.equal(o.value.json!.AccessToken, 'kVnStIRknCCOBdXgJrmu8rb3pcccifKW2NcQrysKKIzb7iQBxkkjeq3WoGdjgrIL');
      }
    }
  }
});

test('the Xiaoju query_token request vector opens (lower-case Sig accepted) inside its time window', () => {
  const v = vectors[1];
  const keys = { dataSecret: v.dataSecret, dataSecretIv: v.dataSecretIv, sigSecret: v.sigSecret };
  const at = parseEnvelopeTimestamp(v.TimeStamp)!;
  for (const Sig of [v.Sig, v.Sig.toLowerCase()]) {
    const o = openRequest({ ...v, Sig }, keys, at + 60_000);
    assert.ok(o.ok);
    if (o.ok) assert.deepEqual(o.value.json, { OperatorID: '123456789', OperatorSecret: '1234567890abcdef' });
  }
});

test('a bad signature is 4001 and is found before decryption is tried', () => {
  const v = vectors[1];
  const keys = { dataSecret: 'wrongwrongwrong!', dataSecretIv: v.dataSecretIv, sigSecret: v.sigSecret };
  const at = parseEnvelopeTimestamp(v.TimeStamp)!;
  const bad = openRequest({ ...v, Sig: '0'.repeat(32) }, keys, at);
  assert.deepEqual(bad.ok ? null : bad.ret, Ret.SIGNATURE);
  // signature fine but Data under another key: 4003, never a crash
  const undecryptable = openRequest(v, keys, at);
  assert.equal(undecryptable.ok ? null : undecryptable.ret, Ret.ENVELOPE);
});

test('timestamp window ±5 minutes and timestamp format in Beijing time', () => {
  const v = vectors[1];
  const keys = { dataSecret: v.dataSecret, dataSecretIv: v.dataSecretIv, sigSecret: v.sigSecret };
  const at = parseEnvelopeTimestamp(v.TimeStamp)!;
  assert.equal(envelopeTimestamp(new Date(at)), v.TimeStamp);
  assert.equal(envelopeTimestamp(new Date('2026-01-01T00:00:00Z')), '20260101080000');
  const late = openRequest(v, keys, at + 6 * 60_000);
  assert.equal(late.ok ? null : late.ret, Ret.ENVELOPE);
  assert.equal(parseEnvelopeTimestamp('20260230120000'), null);
});

test('missing envelope fields are named (4003)', () => {
  const r = checkRequestShape({ OperatorID: '123456789', Data: 'x', TimeStamp: '20260101080000' });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.ret, Ret.ENVELOPE);
    assert.match(r.msg, /Seq/);
    assert.match(r.msg, /Sig/);
  }
  assert.equal(checkRequestShape(null).ok, false);
  assert.equal(checkRequestShape({ OperatorID: 'a', Data: 'x', TimeStamp: '2026', Seq: '0001', Sig: 'x' }).ok, false);
});

test('seal/open round trip for any payload and any 16-character keys (property)', () => {
  const key = fc.string({ minLength: 16, maxLength: 16, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split('')) });
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())), key, key, key, (payload, a, b, c) => {
      const keys = { dataSecret: a, dataSecretIv: b, sigSecret: c };
      const now = new Date('2026-03-01T10:00:00Z');
      const e = sealRequest('MA5DAR123', payload, keys, now, '0001');
      assert.equal(e.Sig, e.Sig.toUpperCase());
      const o = openRequest(e, keys, now.getTime());
      assert.ok(o.ok);
      if (o.ok) assert.deepEqual(o.value.json, JSON.parse(JSON.stringify(payload)));
      const r = sealResponse(0, '', payload, keys);
      const or = openResponse(r, keys);
      assert.ok(or.ok);
      const tampered = openResponse({ ...r, Msg: 'x' }, keys);
      assert.equal(tampered.ok, false);
    }),
    { numRuns: 100 },
  );
});

test('Seq counts up within a second and restarts each second', () => {
  const next = seqCounter();
  const t = new Date('2026-03-01T10:00:00.100Z');
  assert.equal(next(t), '0001');
  assert.equal(next(new Date(t.getTime() + 500)), '0002');
  assert.equal(next(new Date(t.getTime() + 1000)), '0001');
});
