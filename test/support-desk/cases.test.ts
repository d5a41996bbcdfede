/** Support cases: numbering, editing, analysis, Chinese full-text search and filters, attachments, exports and who sees full phones. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { orderForSession } from '../../src/modules/orders/index.ts';
import { chargeSession, ordersDoc } from '../orders/support.ts';
import { addUsers, logins } from './setup.ts';

const PHONE = '18475511853';
let p: TestPlatform;
let t: Awaited<ReturnType<typeof logins>>;
let orderNo: string;
let made: any; // the case made from the order
let hand: any; // a case by hand

before(async () => {
  const doc: any = ordersDoc();
  const u = addUsers(doc, 'sc');
  p = await startTestPlatform({ provisioning: doc });
  t = await logins(p, u, { phone: PHONE, operatorId: 'op1' });
  const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  const s = await chargeSession(p.ctx.db, { start: at(3), stop: at(2), meterStartWh: 0, meterStopWh: 20_000, unplug: at(1.9) });
  orderNo = (await orderForSession(p.ctx, 'op1', s))!;
  const a = await p.api('POST', '/api/v1/support/cases', { orderNo, description: '异常账单修正后占桩费显示不正确', assignees: ['何倩怡'] }, t.staff);
  assert.equal(a.status, 201, JSON.stringify(a.body));
  made = a.body;
  const b = await p.api('POST', '/api/v1/support/cases', { description: '充值不到账', operatorFindings: '回调url配置失误', status: 'on_hold', fields: { city: '深圳' } }, t.staff);
  assert.equal(b.status, 201, JSON.stringify(b.body));
  hand = b.body;
});
after(async () => p?.close());

const list = async (qs: string, token = t.staff) => {
  const r = await p.api('GET', `/api/v1/support/cases?${qs}`, undefined, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.map((c: any) => c.caseNo);
};

test('cases are numbered per operator with the date in the operator’s time zone', async () => {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  assert.equal(made.caseNo, `op1_case#1_${day}`);
  assert.equal(hand.caseNo, `op1_case#2_${day}`);
  assert.equal(hand.fields.date, day);
  assert.equal(hand.fields.operator, 'op1');
  assert.equal(hand.fields.city, '深圳');
  assert.equal(hand.statusLabel, '暂搁置');
  // another operator counts from 1, and cannot see op1's cases
  const other = await p.api('POST', '/api/v1/support/cases', { description: 'op2 的第一个案例' }, t.other);
  assert.equal(other.status, 201);
  assert.equal(other.body.caseNo, `op2_case#1_${day}`);
  assert.equal((await p.api('GET', `/api/v1/support/cases/${made.id}`, undefined, t.other)).status, 404);
  assert.equal((await p.api('PATCH', `/api/v1/support/cases/${made.id}`, { status: 'resolved' }, t.other)).status, 404);
  assert.deepEqual(await list('', t.other), [`op2_case#1_${day}`]);
});

test('full-text search finds Chinese text anywhere on a case (description, fields, analysis, assignees); filters narrow', async () => {
  assert.deepEqual(await list('q=占桩费'), [made.caseNo]);
  assert.deepEqual(await list('q=' + encodeURIComponent('桩费显示')), [made.caseNo]);
  assert.deepEqual(await list('q=永湖'), [made.caseNo], 'the station name filled from the order');
  assert.deepEqual(await list('q=费'), [made.caseNo], 'a single character');
  assert.deepEqual(await list('q=' + encodeURIComponent('回调URL')), [hand.caseNo], 'case-insensitive words');
  assert.deepEqual(await list('q=' + encodeURIComponent('何倩怡')), [made.caseNo]);
  assert.deepEqual(await list('q=' + encodeURIComponent('显示占桩')), [], 'bigrams that occur apart are not a match');
  assert.deepEqual(await list('q=' + encodeURIComponent('充值 深圳')), [hand.caseNo]);
  assert.deepEqual(await list('q=44030700030000'), [made.caseNo], 'a charger id typed in part');
  assert.deepEqual(await list('q=1853'), [made.caseNo], 'the visible digits of the masked phone');
  assert.deepEqual(await list('q=84755'), [], 'the hidden digits are not searchable');
  assert.deepEqual(await list('q=%25'), [], 'nothing searchable');
  assert.deepEqual(await list('status=on_hold'), [hand.caseNo]);
  assert.deepEqual(await list(`orderNo=${orderNo}`), [made.caseNo]);
  assert.deepEqual(await list('assignee=' + encodeURIComponent('何倩怡')), [made.caseNo]);
  assert.deepEqual(await list('stationId=s1'), [made.caseNo]);
  assert.deepEqual(await list(`from=2019-01-01&to=2019-12-31`), []);
  assert.equal((await p.api('GET', '/api/v1/support/cases?from=2019-02-30', undefined, t.staff)).status, 400);
});

test('editing a case: status, texts, assignees, a hand-typed field; analysis entries by author and time; all searchable', async () => {
  const r = await p.api('PATCH', `/api/v1/support/cases/${hand.id}`, { status: 'resolved', resolution: '修复回调url,补回金额', assignees: ['施文俊'], fields: { stationName: '翠岭华庭站' }, phone: '13501238000' }, t.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.statusLabel, '已解决');
  assert.equal(r.body.fields.stationName, '翠岭华庭站');
  assert.equal(r.body.fields.phone, '135****8000');
  assert.equal((await p.api('PATCH', `/api/v1/support/cases/${hand.id}`, { fields: { date: '20200101' } }, t.staff)).status, 400, 'the date is the case’s own');
  assert.equal((await p.api('PATCH', `/api/v1/support/cases/${hand.id}`, { status: 'closed' }, t.staff)).status, 400);
  const a1 = await p.api('POST', `/api/v1/support/cases/${hand.id}/analysis`, { author: '令', text: 'bo系统升级2.0,回调url配置失误,导致期间充值丢失。' }, t.staff);
  assert.equal(a1.status, 201, JSON.stringify(a1.body));
  const a2 = await p.api('POST', `/api/v1/support/cases/${hand.id}/analysis`, { text: '已补回金额' }, t.admin);
  assert.deepEqual(
    a2.body.analysis.map((a: any) => [a.author, a.text]),
    [
      ['令', 'bo系统升级2.0,回调url配置失误,导致期间充值丢失。'],
      [a2.body.analysis[1].createdBy, '已补回金额'],
    ],
  );
  assert.ok(a2.body.analysis.every((a: any) => a.createdAt));
  assert.equal((await p.api('POST', `/api/v1/support/cases/${hand.id}/analysis`, { text: '' }, t.staff)).status, 400);
  assert.deepEqual(await list('q=' + encodeURIComponent('系统升级')), [hand.caseNo]);
  assert.deepEqual(await list('q=' + encodeURIComponent('翠岭')), [hand.caseNo]);
  assert.deepEqual(await list('q=' + encodeURIComponent('施文俊')), [hand.caseNo]);
});

test('attachments: an image and a file, size-limited, served safely, another operator gets 404', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const up = (body: Buffer, type: string, name: string, token = t.staff) =>
    fetch(`${p.url}/api/v1/support/cases/${made.id}/attachments?filename=${encodeURIComponent(name)}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });
  const r = await up(png, 'image/png', '现场照片.png');
  assert.equal(r.status, 201, await r.clone().text());
  const { attachment } = await r.json();
  assert.deepEqual([attachment.filename, attachment.contentType, attachment.size], ['现场照片.png', 'image/png', png.length]);
  const html = await up(Buffer.from('<script>alert(1)</script>'), 'text/html', 'x.html');
  const h = (await html.json()).attachment;
  const get = (id: number, token = t.staff) => fetch(`${p.url}/api/v1/support/cases/${made.id}/attachments/${id}`, { headers: { authorization: `Bearer ${token}` } });
  const img = await get(attachment.id);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.match(img.headers.get('content-disposition') ?? '', /^inline; .*filename\*=UTF-8''%E7%8E%B0/);
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), png);
  const file = await get(h.id);
  assert.equal(file.headers.get('content-type'), 'application/octet-stream', 'never served as a page');
  assert.match(file.headers.get('content-disposition') ?? '', /^attachment;/);
  assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
  assert.equal((await get(attachment.id, t.other)).status, 404);
  assert.equal((await up(Buffer.alloc(5 * 1024 * 1024 + 1), 'application/pdf', 'big.pdf')).status, 413);
  assert.equal((await up(Buffer.from('{"a":1}'), 'application/json', 'data.json')).status, 201, 'a JSON file is a file too');
  const c = (await p.api('GET', `/api/v1/support/cases/${made.id}`, undefined, t.staff)).body;
  assert.deepEqual(
    c.attachments.map((a: any) => a.filename),
    ['现场照片.png', 'x.html', 'data.json'],
  );
  const del = await fetch(`${p.url}/api/v1/support/cases/${made.id}/attachments/${h.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${t.staff}` } });
  assert.equal(del.status, 204);
  assert.equal((await get(h.id)).status, 404);
});

const download = (path: string, token: string) => fetch(`${p.url}/api/v1/support${path}`, { headers: { authorization: `Bearer ${token}` } });

test('exports: staff get masked phones and reveal nothing; an admin gets full phones and each counts as a reveal', async () => {
  const reveals = async () => (await p.api('GET', '/api/v1/support/reveals', undefined, t.admin)).body.items.filter((r: any) => r.via === 'case_export');
  const staffMd = await download(`/cases/${made.id}/export?format=md`, t.staff);
  assert.equal(staffMd.headers.get('x-full-phones'), 'false');
  const text = await staffMd.text();
  assert.ok(text.includes('手机号:184****1853'));
  assert.ok(!text.includes(PHONE));
  assert.deepEqual(await reveals(), []);
  const adminMd = await (await download(`/cases/${made.id}/export?format=md&reason=${encodeURIComponent('交保险公司')}`, t.admin)).text();
  assert.ok(adminMd.includes(`手机号:${PHONE}`));
  assert.deepEqual(
    (await reveals()).map((r: any) => [r.phone, r.caseId, r.reason]),
    [[PHONE, made.id, '交保险公司']],
  );
  // an admin may choose masked phones, and then nothing is revealed
  assert.ok((await (await download(`/cases/${made.id}/export?format=md&phones=masked`, t.admin)).text()).includes('手机号:184****1853'));
  assert.equal((await reveals()).length, 1);
});

test('a period’s cases as Markdown (newest first) and XLSX (one row per case)', async () => {
  const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const md = await (await download(`/cases/export?from=${day}&to=${day}&format=md`, t.staff)).text();
  const heads = md.split('\n').filter((l) => l.startsWith('## '));
  assert.deepEqual(heads, [`## ${hand.caseNo}`, `## ${made.caseNo}`]);
  assert.ok(md.includes('状态(√表示选定 ): √已解决 | 处理中 | 暂搁置'));
  assert.ok(md.includes('【令】:bo系统升级2.0,回调url配置失误,导致期间充值丢失。'));
  assert.ok(md.includes('跟进:施文俊'));
  const x = await download(`/cases/export?from=${day}&to=${day}&format=xlsx`, t.staff);
  assert.equal(x.status, 200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as any);
  const ws = wb.getWorksheet('案例')!;
  const header = (ws.getRow(1).values as string[]).slice(1);
  assert.deepEqual(header.slice(0, 17), ['案例编号', '日期', '城市', '运营商', '桩站名称', '手机号', '订单号', '充电桩号', '充电枪号', '开始充电时间', '充电结束时间', '充电时长', '充电电量', '订单金额', '现场网络连接状态', '近期故障状态', '问题描述']);
  assert.equal(ws.rowCount, 3);
  const row = Object.fromEntries(header.map((h, i) => [h, (ws.getRow(3).values as unknown[])[i + 1]]));
  assert.equal(row['案例编号'], made.caseNo);
  assert.equal(row['手机号'], '184****1853');
  assert.equal(row['订单号'], orderNo);
  assert.equal(row['状态'], '处理中');
  assert.equal((await download(`/cases/export?from=2019-01-01&to=2019-01-31&format=md`, t.staff)).status, 200);
  assert.equal((await download(`/cases/export?format=pdf`, t.staff)).status, 400);
  assert.equal((await download(`/cases/export?format=md`, t.driver)).status, 403);
});
