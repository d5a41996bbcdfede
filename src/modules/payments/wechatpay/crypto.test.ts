import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import fc from 'fast-check';
import { rsaKeyPair, serialFor } from '../fake/keys.ts';
import {
  buildAuthorization,
  decryptResource,
  encryptResource,
  jsapiPayParams,
  parseAuthorization,
  requestMessage,
  rsaVerify,
  signAsPlatform,
  verifyWechatSignature,
} from './crypto.ts';

const merchant = rsaKeyPair();
const platform = rsaKeyPair();
const other = rsaKeyPair();
const apiV3Key = '0123456789abcdefABCDEF0123456789';

test('the Authorization header signs METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n with the merchant key', () => {
  const body = '{"a":1}';
  const h = buildAuthorization({ mchid: '1900000109', serialNo: 'ABC123', privateKeyPem: merchant.privateKey, method: 'post', urlPath: '/v3/pay/transactions/jsapi', body, now: 0 }, 'NONCE1', '1554208460');
  assert.match(h, /^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="NONCE1",signature="[^"]+",timestamp="1554208460",serial_no="ABC123"$/);
  const p = parseAuthorization(h)!;
  assert.equal(requestMessage('POST', '/v3/pay/transactions/jsapi', '1554208460', 'NONCE1', body), 'POST\n/v3/pay/transactions/jsapi\n1554208460\nNONCE1\n{"a":1}\n');
  // the same signature as an independent SHA256withRSA over the documented message
  const expected = createSign('RSA-SHA256').update('POST\n/v3/pay/transactions/jsapi\n1554208460\nNONCE1\n{"a":1}\n').sign(merchant.privateKey, 'base64');
  assert.equal(p.signature, expected);
  assert.ok(rsaVerify(requestMessage('POST', '/v3/pay/transactions/jsapi', p.timestamp, p.nonce_str, body), p.signature, merchant.publicKey));
  assert.ok(!rsaVerify(requestMessage('POST', '/v3/pay/transactions/jsapi', p.timestamp, p.nonce_str, body + ' '), p.signature, merchant.publicKey));
  assert.equal(parseAuthorization('Bearer x'), null);
  assert.equal(parseAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="1"'), null);
});

test('JSAPI pay params: package prepay_id=…, signType RSA, paySign over appId\\ntimeStamp\\nnonceStr\\npackage\\n', () => {
  const p = jsapiPayParams('wx8888888888888888', 'wx201410272009395522657a690389285100', merchant.privateKey, 0, 'N', '1414561699');
  assert.equal(p.package, 'prepay_id=wx201410272009395522657a690389285100');
  assert.equal(p.signType, 'RSA');
  assert.ok(rsaVerify('wx8888888888888888\n1414561699\nN\nprepay_id=wx201410272009395522657a690389285100\n', p.paySign, merchant.publicKey));
});

test('callback signatures: verified on the raw bytes with the key chosen by Wechatpay-Serial (certificate serial or PUB_KEY_ID_)', () => {
  const certSerial = serialFor('cert');
  const pubSerial = serialFor('pubkey');
  assert.match(pubSerial, /^PUB_KEY_ID_\d{32}$/);
  const keys = [
    { serial: certSerial, publicKey: other.publicKey },
    { serial: pubSerial, publicKey: platform.publicKey },
  ];
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';
  const now = Date.UTC(2026, 2, 1, 8, 0, 0);
  const h = signAsPlatform(body, { serial: pubSerial, privateKeyPem: platform.privateKey }, now, 'n1');
  assert.equal(h['wechatpay-timestamp'], String(now / 1000));
  assert.deepEqual(verifyWechatSignature(h, body, keys, { now }), { ok: true, serial: pubSerial });
  // both keys are live during WeChat's migration: a callback signed with the certificate key verifies too
  const h2 = signAsPlatform(body, { serial: certSerial, privateKeyPem: other.privateKey }, now);
  assert.equal(verifyWechatSignature(h2, body, keys, { now }).ok, true);
  // re-serialised JSON (one space) breaks it
  assert.equal(verifyWechatSignature(h, body.replace(':', ': '), keys, { now }).ok, false);
  // a key that is not the platform's
  const forged = signAsPlatform(body, { serial: pubSerial, privateKeyPem: other.privateKey }, now);
  assert.deepEqual((verifyWechatSignature(forged, body, keys, { now }) as any).reason, 'bad_signature');
  // unknown serial, stale timestamp, missing headers, signature probe
  assert.equal((verifyWechatSignature({ ...h, 'wechatpay-serial': 'NOPE' }, body, keys, { now }) as any).reason, 'unknown_serial');
  assert.equal((verifyWechatSignature(h, body, keys, { now: now + 301_000 }) as any).reason, 'stale_timestamp');
  assert.equal((verifyWechatSignature({ 'wechatpay-nonce': 'x' }, body, keys, { now }) as any).reason, 'missing_headers');
  assert.equal((verifyWechatSignature({ ...h, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/abc' }, body, keys, { now }) as any).reason, 'bad_signature');
});

test('AES-256-GCM resource: decrypts what the platform encrypted; a wrong key, AAD or tampered byte fails', () => {
  const plain = JSON.stringify({ out_trade_no: 'TU1', amount: { total: 100 } });
  const r = encryptResource(plain, apiV3Key, 'transaction', 'transaction', 'fdasflkja484');
  assert.equal(r.algorithm, 'AEAD_AES_256_GCM');
  assert.equal(decryptResource(r, apiV3Key), plain);
  assert.throws(() => decryptResource(r, 'X'.repeat(32)));
  assert.throws(() => decryptResource({ ...r, associated_data: 'refund' }, apiV3Key));
  const bad = Buffer.from(r.ciphertext, 'base64');
  bad[0] ^= 1;
  assert.throws(() => decryptResource({ ...r, ciphertext: bad.toString('base64') }, apiV3Key));
  assert.throws(() => decryptResource(r, 'short'), /32 bytes/);
  assert.throws(() => decryptResource({ ...r, algorithm: 'AES' }, apiV3Key), /unsupported/);
});

test('property: any body round-trips through encrypt/decrypt and sign/verify', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 15 }), (s, aad) => {
      const r = encryptResource(s, apiV3Key, 'transaction', aad);
      assert.equal(decryptResource(r, apiV3Key), s);
      const h = signAsPlatform(s, { serial: 'S', privateKeyPem: platform.privateKey }, 1_700_000_000_000);
      assert.equal(verifyWechatSignature(h, s, [{ serial: 'S', publicKey: platform.publicKey }], { now: 1_700_000_000_000 }).ok, true);
    }),
    { numRuns: 30 },
  );
});
