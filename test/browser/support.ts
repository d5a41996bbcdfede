import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { ensureWebBuilt } from '../../src/modules/web/build.ts';
import { SimulatedCharger } from '../../src/modules/ocpp/simulator/charger.ts';
import { startFakeWechatpay, type FakeWechatpay } from '../../src/modules/payments/index.ts';
import { freePort } from '../payments/helpers.ts';

export const SHOTS = join(process.cwd(), 'artifacts', 'screenshots');
export const DC = '44030700030000200016';

export interface World {
  p: TestPlatform;
  fake: FakeWechatpay;
  sim: SimulatedCharger;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * One platform (fresh database, minimal provisioning with an H5 brand), one simulated DC charger
 * in real time, and Debian's Chromium. The web apps are built once per run (shared by test files).
 */
export async function startWorld(opts: { doc?: (doc: any) => void } = {}): Promise<World> {
  mkdirSync(SHOTS, { recursive: true });
  await ensureWebBuilt();
  // the local fake WeChat Pay; the platform on a known port so PUBLIC_BASE_URL (notify_url, the H5 return URL) reaches it
  const fake = await startFakeWechatpay({ timeScale: 0.01 });
  const doc: any = minimalDoc();
  doc.operators[0].settings = { brand: { name: '永湖充电', color: '#0a7d4f' } };
  doc.operators[0].payments = { wechatpay: fake.operatorSettings() };
  opts.doc?.(doc);
  const port = await freePort();
  const p = await startTestPlatform({ provisioning: doc, env: { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, timeScale: 0.01 });
  // real-time physics, a MeterValues frame every simulated (= real) second
  const sim = new SimulatedCharger({
    url: p.url.replace(/^http/, 'ws') + '/ocpp',
    id: DC,
    authKey: 'key-0000000000000016',
    connectors: [
      { id: 1, type: 'DC', maxPowerKw: 60 },
      { id: 2, type: 'DC', maxPowerKw: 60 },
    ],
    speed: 1 / 60,
    meterIntervalS: 1,
  });
  let browser: Browser;
  try {
    await sim.connect();
    await sim.boot();
    await sim.sendStatus(1, 'Available');
    await sim.sendStatus(2, 'Available');
    browser = await launchChromium();
  } catch (e) {
    await sim.close().catch(() => {});
    await p.close();
    await fake.close();
    throw e;
  }
  return {
    p,
    fake,
    sim,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await sim.close().catch(() => {});
      await p.close();
      await fake.close();
    },
  };
}

/** Debian's Chromium with the flags this machine needs; Playwright gives every launch a fresh temporary user-data-dir. */
export function launchChromium(opts: { env?: Record<string, string> } = {}): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new Error(`browser tests need Debian's Chromium at ${executablePath} and CJK fonts: apt-get install chromium fonts-wqy-zenhei (.ci/run installs them), or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath,
    headless: true,
    // TZ=UTC here runs the browser process in another zone than the operator's (issue 18.5)
    ...(opts.env ? { env: { ...process.env, ...opts.env } as Record<string, string> } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that fails the test on any uncaught page error. */
export async function newPage(browser: Browser, opts: { width: number; height: number; mobile?: boolean; timezoneId?: string }): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({
    viewport: { width: opts.width, height: opts.height },
    deviceScaleFactor: 1,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    locale: 'zh-CN',
    timezoneId: opts.timezoneId ?? 'Asia/Shanghai',
    acceptDownloads: true,
  });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // generous: on a slow or shared machine the server's answer behind a click can take seconds (CI
  // saw a modal's action outlast 15 s while another test file ran beside it)
  page.setDefaultTimeout(30_000);
  return { ctx, page, errors };
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

/** A finished, unplugged session on the simulator: becomes a settled order (or held, if abnormal). */
export async function chargeOnce(sim: SimulatedCharger, connectorId: number, idTag: string, ms: number) {
  await sim.plugIn(connectorId);
  await sim.startSession(connectorId, idTag, { startSoc: 30 });
  await new Promise((r) => setTimeout(r, ms));
  await sim.stopSession(connectorId, 'Local');
  await sim.unplug(connectorId);
}

export async function waitFor<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Types a value into an antd date(-range) picker input and confirms it with OK. On a slow machine the
 * OK click can land before the picker has taken the typed text (CI saw the value never arrive), so
 * the whole gesture is retried, up to three times, until the input shows the value.
 */
export async function fillPicker(page: Page, input: Locator, value: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if ((await input.inputValue()) === value) return;
    await input.click();
    await input.fill(value);
    await page.locator('.ant-picker-dropdown:visible .ant-picker-ok button').click();
    try {
      await waitFor(`the picker to show ${value}`, async () => (await input.inputValue()) === value, 7_000);
      return;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Clicks a modal's OK button (its data-testid) and waits until the modal has closed. On a slow CI
 * machine a click can be lost while the modal is still opening (CI on Node 22: the enterprise limits
 * modal stayed open and the new cap never showed), so the click is repeated, up to three times,
 * while the modal stays open; a modal that stays open anyway (a form error, a refused request) fails
 * with its text and the messages on the page.
 * Only for idempotent actions (a PUT of the same caps), where a repeated click that the first one
 * did reach changes nothing more; not for one that creates something (adding a department).
 */
export async function confirmModal(page: Page, okTestId: string): Promise<void> {
  const ok = page.getByTestId(okTestId);
  const modal = page.locator('.ant-modal').filter({ has: ok });
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1 && !(await modal.isVisible())) return;
    await ok.click();
    try {
      await modal.waitFor({ state: 'hidden', timeout: 7_000 });
      return;
    } catch {
      if (attempt >= 3) {
        const text = async (l: Locator) => ((await l.allTextContents().catch(() => [])) as string[]).join(' | ').slice(0, 300);
        throw new Error(`the modal of ${okTestId} stayed open: ${await text(modal)}; messages shown: ${(await text(page.locator('.ant-message'))) || 'none'}`);
      }
    }
  }
}
