import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import QRCode from 'qrcode';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';

let p: TestPlatform;
before(async () => (p = await startTestPlatform({ provisioning: minimalDoc(), env: { PUBLIC_BASE_URL: 'https://cloud.example.com/' } })));
after(async () => p.close());

test('each gun’s QR code carries the H5 URL on PUBLIC_BASE_URL (case 4), never the host the request came in on', async () => {
  const t = await p.login('op1-staff', 'op1-staff-pass');
  const r = await p.api('GET', '/api/v1/chargers/44030700030000200016/qr-codes', undefined, t);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(
    r.body.items.map((i: any) => i.url),
    ['https://cloud.example.com/h5/op1?c=44030700030000200016&g=1', 'https://cloud.example.com/h5/op1?c=44030700030000200016&g=2'],
  );
  const res = await fetch(p.url + r.body.items[1].svg, { headers: { authorization: `Bearer ${t}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /image\/svg\+xml/);
  const svg = await res.text();
  assert.equal(svg, await QRCode.toString('https://cloud.example.com/h5/op1?c=44030700030000200016&g=2', { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
});

test('QR codes: an unknown gun is 404, another operator’s charger is 404, no token is 401', async () => {
  const t = await p.login('op1-staff', 'op1-staff-pass');
  assert.equal((await fetch(p.url + '/api/v1/chargers/44030700030000200016/connectors/9/qr.svg', { headers: { authorization: `Bearer ${t}` } })).status, 404);
  const t2 = await p.login('op2-admin', 'op2-admin-pass');
  assert.equal((await p.api('GET', '/api/v1/chargers/44030700030000200016/qr-codes', undefined, t2)).status, 404);
  assert.equal((await p.api('GET', '/api/v1/chargers/44030700030000200016/qr-codes')).status, 401);
});
