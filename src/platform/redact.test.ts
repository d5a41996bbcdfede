import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskPayload, scrubSecrets } from './redact.ts';
import { createLogger } from './log.ts';

test('error text: tokens in URLs, bearer tokens, PEM keys, secret fields and sealed values are scrubbed', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
  const s = scrubSecrets(
    `POST https://api.weixin.qq.com/cgi-bin/message/template/send?access_token=AT-123456&x=1 failed; Authorization: Bearer eyJhbGciOi.abc; ${pem}; {"OperatorSecret":"op-secret-1","sigSecret":"sig-2"} k1.0a1b2c3d.aaaa.bbbb.cccc`,
  );
  for (const leak of ['AT-123456', 'eyJhbGciOi', 'MIIEvQIBADAN', 'op-secret-1', 'sig-2', 'k1.0a1b2c3d.aaaa']) assert.ok(!s.includes(leak), `${leak} in ${s}`);
  assert.match(s, /template\/send\?access_token=/, 'what failed stays readable');
  assert.equal(scrubSecrets('partner answered HTTP 503'), 'partner answered HTTP 503');
});

test('payloads shown to staff: credential fields masked, the rest intact', () => {
  assert.deepEqual(maskPayload({ text: '验证码 ******', sealedText: 'k1.x', dedupeKey: 'd', data: { accessToken: 't', orderNo: 'o' } }), {
    text: '验证码 ******',
    sealedText: '***',
    dedupeKey: 'd',
    data: { accessToken: '***', orderNo: 'o' },
  });
});

test('logs: credential fields redacted by name, error messages scrubbed', () => {
  const lines: string[] = [];
  const log = createLogger('info', { write: (l: string) => void lines.push(l) });
  log.info({ partner: { operatorSecret: 'op-s3cret', name: 'p' }, headers: { authorization: 'Bearer tok-abcdef' }, apiV3Key: 'k' }, 'partner saved');
  log.error({ err: new Error('POST https://x.example.com/hook?access_token=AT-999 failed') }, 'delivery failed');
  const out = lines.join('\n');
  for (const leak of ['op-s3cret', 'tok-abcdef', 'AT-999', '"apiV3Key":"k"']) assert.ok(!out.includes(leak), leak);
  assert.match(out, /partner saved/);
  assert.match(out, /"name":"p"/);
});
