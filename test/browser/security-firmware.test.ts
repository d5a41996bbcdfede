/**
 * The incidents and firmware screens in Chromium (issue 13): a case-1 incident (an Invalid start that
 * keeps charging) raised live is listed, opened, its evidence link shows the frame, and it is
 * confirmed with a note; operator staff are not offered the charger actions the API refuses them; a
 * campaign over four firmware-capable chargers shows its waves (halted in wave 3, then resumed); the
 * inventory by version; the dashboard card shows this month's unbilled energy as the API sums it;
 * zh-CN then English. Screenshots go to artifacts/screenshots/security-*.png.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { ensureWebBuilt } from '../../src/modules/web/build.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { EVASION_SCENARIOS } from '../../src/modules/ocpp/simulator/evasion.ts';
import { freePort } from '../payments/helpers.ts';
import { launchChromium, newPage, shot, waitFor } from './support.ts';

const EV = '44030700030000930001';
const FW = (i: number) => `FWUI${String(i).padStart(4, '0')}`;
const doc: any = minimalDoc();
doc.operators[0].stations[0].chargers.push({ id: EV, authKey: 'key-ui-evasion-0001', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });
for (let i = 0; i < 4; i++) doc.operators[0].stations[0].chargers.push({ id: FW(i), authKey: `key-ui-firmware-${i}000`, connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }] });

let p: TestPlatform;
let browser: Browser;
let page: Page;
let errors: string[];
let admin: string;
let incidentId: number;
let campaignId: number;
const sims: SimulatedCharger[] = [];

before(async () => {
  await ensureWebBuilt();
  const port = await freePort();
  p = await startTestPlatform({ provisioning: doc, env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` } });
  admin = await p.login('op1-admin', 'op1-admin-pass');
  const url = p.url.replace(/^http/, 'ws') + '/ocpp';
  const ev = new SimulatedCharger({ url, id: EV, authKey: 'key-ui-evasion-0001', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }], vendor: 'Sinexcel', model: 'STM32-DC60', firmware: '1.0.7' });
  sims.push(ev);
  await ev.connect();
  // the case-1 sequence, in this month (charger time 25 minutes ago)
  await EVASION_SCENARIOS.invalid_tag_energy(ev, { t0: Date.now() - 25 * 60_000 });
  await p.ctx.services.incidents!.drain();
  incidentId = (await p.api('GET', '/api/v1/incidents', undefined, admin)).body.items[0].id;
  // four upgradable chargers; the last fails its install: wave 3 (2 chargers) is 50 % failed
  for (let i = 0; i < 4; i++) {
    const s = new SimulatedCharger({ url, id: FW(i), authKey: `key-ui-firmware-${i}000`, connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }], vendor: 'Sinexcel', model: 'STM32-DC60', firmware: '1.0.7', firmwareUpdate: i === 3 ? 'install_fail' : 'succeed' });
    sims.push(s);
    await s.connect();
  }
  const up = await fetch(`${p.url}/api/v1/firmware/files?name=sx-2.0.1.bin&version=2.0.1`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/octet-stream' }, body: 'SINEXCEL FIRMWARE version=2.0.1\n' });
  const c = await p.api('POST', '/api/v1/firmware/campaigns', { fileId: (await up.json()).id, target: { chargerIds: [0, 1, 2, 3].map(FW) } }, admin);
  assert.equal(c.status, 201, JSON.stringify(c.body));
  campaignId = c.body.id;
  await waitFor('the campaign to halt with wave 3 settled', async () => {
    const x = (await p.api('GET', `/api/v1/firmware/campaigns/${campaignId}`, undefined, admin)).body;
    return x.status === 'halted' && x.progress[2].inProgress === 0;
  }, 60_000);
  browser = await launchChromium();
  ({ page, errors } = await newPage(browser, { width: 1440, height: 900 }));
});
after(async () => {
  await browser?.close().catch(() => {});
  await Promise.allSettled(sims.map((s) => s.close()));
  await p?.close();
});

async function login(pg: Page, user: string) {
  await pg.goto(`${p.url}/console`);
  await pg.getByTestId('login-username').fill(user);
  await pg.getByTestId('login-password').fill(`${user}-pass`);
  await pg.getByTestId('login-submit').click();
  await pg.getByTestId('nav').waitFor();
}

test('the dashboard card shows this month’s unbilled energy as the API sums it', async () => {
  await login(page, 'op1-admin');
  const sum = (await p.api('GET', '/api/v1/incidents/summary', undefined, admin)).body;
  assert.equal(sum.incidents, 1);
  assert.equal(sum.unbilledWh, 15_200);
  await waitFor('the card', async () => ((await page.getByTestId('stat-unbilled').textContent().catch(() => '')) ?? '').includes('15.200'));
  const detail = (await page.getByTestId('stat-unbilled-detail').textContent()) ?? '';
  assert.match(detail, /1 起事件/);
  assert.ok(detail.includes(`¥${Math.floor(sum.estimatedAmount / 100)}.${String(sum.estimatedAmount % 100).padStart(2, '0')}`), detail);
  await shot(page, 'security-1-dashboard');
});

test('an incident is listed, its evidence opens the frame, and it is confirmed with a note (zh-CN)', async () => {
  await page.getByTestId('nav').getByText('计费异常事件', { exact: true }).click();
  const rows = page.locator('[data-testid="inc-list"] tbody tr.ant-table-row');
  await waitFor('the incident row', async () => (await rows.count()) === 1);
  assert.match((await rows.first().textContent()) ?? '', /无效卡仍在充电.*15\.200.*待处理/);
  // the kind filter narrows the list
  await page.getByTestId('inc-filter-kind').click();
  await page.getByTitle('两次会话间电表跳变').click();
  await waitFor('no meter gap', async () => (await page.locator('[data-testid="inc-list"] .ant-table-placeholder').count()) === 1);
  await page.locator('[data-testid="inc-filter-kind"] .ant-select-clear').click();
  await waitFor('the row again', async () => (await rows.count()) === 1);
  await rows.first().click();
  await waitFor('the detail', async () => ((await page.getByTestId('inc-status').textContent().catch(() => '')) ?? '') === '待处理');
  assert.equal(await page.getByTestId('inc-unbilled').textContent(), '15.200');
  await shot(page, 'security-2-incident');

  // the first evidence link: the charger's messages, that exchange highlighted
  await page.getByTestId('inc-evidence-link-0').click();
  await page.getByTestId('history-highlight').first().waitFor();
  // the log answers that exchange only (the CALL and its answer), whatever the charger's clock said
  const ev0 = (await p.api('GET', `/api/v1/incidents/${incidentId}`, undefined, admin)).body.evidence[0];
  const frames = (await p.api('GET', `/api/v1/chargers/${EV}/messages?messageId=${encodeURIComponent(ev0.messageId)}`, undefined, admin)).body.items as any[];
  assert.deepEqual([...new Set(frames.map((f) => f.messageId))], [ev0.messageId]);
  assert.equal(frames.length, 2);
  assert.match((await page.getByTestId('history-messages').textContent()) ?? '', /StartTransaction/);
  await page.goBack();

  await page.getByTestId('inc-action-confirm').click();
  await page.getByTestId('inc-note-input').fill('案例1：无效卡启动后持续充电，已联系厂商升级固件');
  await page.getByTestId('inc-action-ok').click();
  await waitFor('confirmed', async () => ((await page.getByTestId('inc-status').textContent().catch(() => '')) ?? '') === '已确认');
  assert.equal(await page.getByTestId('inc-note').textContent(), '案例1：无效卡启动后持续充电，已联系厂商升级固件');
  assert.equal(await page.getByTestId('inc-action-confirm').count(), 0, 'a decided incident offers no decision');
  assert.match((await page.getByTestId('inc-history').textContent()) ?? '', /op1-admin/);
  const api = (await p.api('GET', `/api/v1/incidents/${incidentId}`, undefined, admin)).body;
  assert.equal(api.status, 'confirmed');
  assert.equal(api.decidedBy, 'op1-admin');
  await shot(page, 'security-3-confirmed');
});

test('operator staff see the incident without the charger actions the API refuses them', async () => {
  const staff = await newPage(browser, { width: 1280, height: 800 });
  try {
    await login(staff.page, 'op1-staff');
    await staff.page.goto(`${p.url}/console/incidents/${incidentId}`);
    await staff.page.getByTestId('inc-actions').waitFor();
    await staff.page.getByTestId('inc-action-remote_stop').waitFor();
    for (const a of ['set_inoperative', 'quarantine', 'release']) assert.equal(await staff.page.getByTestId(`inc-action-${a}`).count(), 0, a);
    await staff.page.goto(`${p.url}/console/firmware/campaigns/${campaignId}`);
    await staff.page.getByTestId('fw-status').waitFor();
    assert.equal(await staff.page.getByTestId('fw-resume').count(), 0);
    assert.deepEqual(staff.errors, []);
  } finally {
    await staff.ctx.close();
  }
});

test('a campaign shows its waves, halted at the threshold, and resumes; the inventory by version', async () => {
  await page.getByTestId('nav').getByText('固件升级', { exact: true }).click();
  const rows = page.locator('[data-testid="fw-campaigns"] tbody tr.ant-table-row');
  await waitFor('the campaign row', async () => (await rows.count()) === 1);
  assert.match((await rows.first().textContent()) ?? '', /sx-2\.0\.1\.bin → 2\.0\.1.*已中止/);
  await rows.first().click();
  await page.getByTestId('fw-status').waitFor();
  assert.equal(await page.getByTestId('fw-wave-1').textContent(), '成功 1 · 失败 0 · 进行中 0 / 共 1');
  assert.equal(await page.getByTestId('fw-wave-2').textContent(), '成功 1 · 失败 0 · 进行中 0 / 共 1');
  assert.equal(await page.getByTestId('fw-wave-3').textContent(), '成功 1 · 失败 1 · 进行中 0 / 共 2');
  assert.match((await page.getByTestId('fw-halted-reason').textContent()) ?? '', /wave 3: 1 of 2 failed/);
  assert.match((await page.getByTestId('fw-chargers').textContent()) ?? '', new RegExp(`${FW(3)}.*失败`));
  await shot(page, 'security-4-campaign');
  await page.getByTestId('fw-resume').click();
  await waitFor('completed', async () => ((await page.getByTestId('fw-status').textContent().catch(() => '')) ?? '') === '已完成');

  // an advisory edited in the console flags the old version
  await page.getByTestId('nav').getByText('固件升级', { exact: true }).click();
  await page.getByRole('tab', { name: '固件公告' }).click();
  const form = page.getByTestId('fw-adv-form');
  await form.getByPlaceholder('编号').fill('SX-1');
  await form.getByPlaceholder('厂商').fill('Sinexcel');
  await form.getByPlaceholder('型号（正则）').fill('STM32');
  await form.getByPlaceholder('版本（正则）').fill('^1\\.');
  await form.getByPlaceholder('说明').fill('扫码启动序列可绕过计费（案例1）');
  await form.getByRole('button', { name: '添加公告' }).click();
  await page.getByTestId('fw-adv-save').click();
  await waitFor('saved', async () => (await p.api('GET', '/api/v1/firmware/advisories', undefined, admin)).body.items.length === 1);
  await page.getByRole('tab', { name: '固件清单' }).click();
  const byVersion = page.locator('[data-testid="fw-by-version"] tbody tr.ant-table-row');
  // (the fixture's other chargers never booted: a row without vendor or version)
  const text = await waitFor('the new version', async () => {
    const t = await byVersion.allTextContents();
    return t.some((r) => r.includes('2.0.1')) && t;
  });
  assert.ok(text.some((r) => /^SinexcelSTM32-DC601\.0\.72SX-1/.test(r)), text.join(' | ')); // the failed one and the evasion charger, flagged
  assert.ok(text.some((r) => /^SinexcelSTM32-DC602\.0\.13-$/.test(r)), text.join(' | '));
  await shot(page, 'security-5-inventory');
});

test('English', async () => {
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('nav').getByText('Incidents', { exact: true }).click();
  const rows = page.locator('[data-testid="inc-list"] tbody tr.ant-table-row');
  await waitFor('the row', async () => /Energy on an invalid tag.*confirmed/.test((await rows.first().textContent().catch(() => '')) ?? ''));
  await page.getByTestId('nav').getByText('Firmware', { exact: true }).click();
  await waitFor('the campaign', async () => /completed/.test((await page.locator('[data-testid="fw-campaigns"] tbody tr.ant-table-row').first().textContent().catch(() => '')) ?? ''));
  await page.getByTestId('nav').getByText('Dashboard', { exact: true }).click();
  await waitFor('the card in English', async () => /1 incidents, est\. ¥/.test((await page.getByTestId('stat-unbilled-detail').textContent().catch(() => '')) ?? ''));
  await shot(page, 'security-6-en');
  assert.deepEqual(errors, []);
});
