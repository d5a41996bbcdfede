// npm run screenshots: every console and H5 screen, zh-CN and English, on the demo data, as PNGs in
// artifacts/screens/ (git-ignored) with an index.html to look at the whole product in a minute.
// Runs its own platform (in-memory database, examples/demo.json, simulated chargers) on a free port
// and Debian's Chromium (CHROMIUM_PATH to use another).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '../test/support/platform.ts';
import { launchChromium } from '../test/browser/support.ts';
import { ensureWebBuilt } from '../src/modules/web/build.ts';
import { peekDriverCode } from '../src/modules/web/driver-auth.ts';
import { loadDemo, demoRunning } from '../src/demo.ts';

const OUT = join(process.cwd(), 'artifacts', 'screens');
const LANGS = [
  { key: 'zh', locale: 'zh-CN', console: 'zh-CN', h5: 'zh' },
  { key: 'en', locale: 'en-US', console: 'en', h5: 'en' },
] as const;

async function settle(page: Page) {
  await page.waitForLoadState('networkidle', { timeout: 8000 }).catch(() => {});
  await page.waitForTimeout(300); // charts animate in; a screenshot is not a test
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await ensureWebBuilt();
  const doc = JSON.parse(readFileSync('examples/demo.json', 'utf8'));
  const p: TestPlatform = await startTestPlatform({ provisioning: doc, env: { DEMO_SIMULATE: 'true', DEMO_DATA: 'true', OUTBOUND_ALLOW_PRIVATE: 'true' } });
  let browser: Browser | null = null;
  const shots: { file: string; title: string }[] = [];
  try {
    await loadDemo(p, doc);
    await demoRunning(p, doc);
    const op = doc.operators[0];
    const admin = p.generated.users.find((u) => u.username === `${op.id}-admin`) ?? p.generated.users.find((u) => u.operatorId === op.id)!;
    const token = await p.login(admin.username, admin.password);
    const get = async (path: string) => (await p.api('GET', path, undefined, token)).body;
    const charger = op.stations[0].chargers[0].id;
    const orders = await get('/api/v1/orders?pageSize=5');
    const orderNo = orders.items?.[0]?.orderNo;
    const held = (await get('/api/v1/orders?status=held')).items?.[0]?.orderNo;
    const ent = (await get('/api/v1/enterprises'))?.items?.[0]?.id;
    const cases = await get('/api/v1/support/cases');
    const caseId = cases?.items?.[0]?.id;
    const routes: [string, string][] = [
      ['dashboard', '/'],
      ['stations', '/stations'],
      ['charger', `/chargers/${charger}`],
      ['orders', '/orders'],
      ...(orderNo ? ([['order', `/orders/${orderNo}`]] as [string, string][]) : []),
      ...(held ? ([['order-held', `/orders/${held}`]] as [string, string][]) : []),
      ['abnormal', '/abnormal'],
      ['tariffs', '/tariffs'],
      ['drivers', '/drivers'],
      ['enterprises', '/enterprises'],
      ...(ent ? ([['enterprise', `/enterprises/${ent}`]] as [string, string][]) : []),
      ['payments', '/payments'],
      ['roaming', '/roaming'],
      ['reconciliation', '/reconciliation'],
      ['jobs', '/jobs'],
      ['settings', '/settings'],
      ['support-lookup', '/support/lookup'],
      ...(orderNo ? ([['support-story', `/support/story/${orderNo}`]] as [string, string][]) : []),
      ['support-who-charged', '/support/who-charged'],
      ['support-cases', '/support/cases'],
      ...(caseId ? ([['support-case', `/support/cases/${caseId}`]] as [string, string][]) : []),
      ['support-reveals', '/support/reveals'],
    ];
    const driver = op.drivers[0].phone;
    await p.api('POST', '/api/v1/driver-auth/code', { operatorId: op.id, phone: driver });
    const driverToken = (await p.api('POST', '/api/v1/driver-auth/login', { operatorId: op.id, phone: driver, code: peekDriverCode(op.id, driver) })).body.token;

    browser = await launchChromium();
    for (const lang of LANGS) {
      // console, 1440 px
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang.locale, timezoneId: 'Asia/Shanghai' });
      const page = await ctx.newPage();
      await page.goto(`${p.url}/console`);
      await page.evaluate((l) => localStorage.setItem('chargeops.lang', l), lang.console);
      await page.goto(`${p.url}/console`);
      await page.screenshot({ path: join(OUT, `console-${lang.key}-00-login.png`) });
      shots.push({ file: `console-${lang.key}-00-login.png`, title: `console ${lang.key}: login` });
      await page.getByTestId('login-username').fill(admin.username);
      await page.getByTestId('login-password').fill(admin.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('nav').waitFor();
      for (const [i, [name, path]] of routes.entries()) {
        await page.goto(`${p.url}/console${path}`);
        await settle(page);
        const file = `console-${lang.key}-${String(i + 1).padStart(2, '0')}-${name}.png`;
        await page.screenshot({ path: join(OUT, file), fullPage: true });
        shots.push({ file, title: `console ${lang.key}: ${name} (${path})` });
        process.stdout.write(`${file}\n`);
      }
      await ctx.close();
      // driver H5, 360 px
      const h5 = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: lang.locale, timezoneId: 'Asia/Shanghai' });
      const hp = await h5.newPage();
      await hp.goto(`${p.url}/h5/${op.id}`);
      await hp.evaluate((l) => localStorage.setItem('chargeops.h5.lang', l), lang.h5);
      const h5Screens: [string, string, boolean][] = [
        ['charge', '', false],
        ['gun', `?c=${charger}&g=1`, false],
        ['login', '/login', false],
        ['charge-logged-in', `?c=${charger}&g=1`, true],
        ['session', '/session', true],
        ['orders', '/orders', true],
        ['wallet', '/wallet', true],
      ];
      for (const [i, [name, path, authed]] of h5Screens.entries()) {
        if (authed) await hp.evaluate(([k, t]) => localStorage.setItem(k, t), [`chargeops.h5.token.${op.id}`, driverToken]);
        await hp.goto(`${p.url}/h5/${op.id}${path}`);
        await settle(hp);
        const file = `h5-${lang.key}-${String(i + 1).padStart(2, '0')}-${name}.png`;
        await hp.screenshot({ path: join(OUT, file), fullPage: true });
        shots.push({ file, title: `H5 ${lang.key}: ${name}` });
        process.stdout.write(`${file}\n`);
      }
      await h5.close();
    }
    const html = `<!doctype html><meta charset="utf-8"><title>ChargeOps screens</title>
<style>body{font:14px sans-serif;margin:16px}figure{display:inline-block;margin:8px;vertical-align:top}img{max-width:480px;border:1px solid #ddd}figcaption{color:#555}</style>
<h1>ChargeOps: every screen (${shots.length})</h1>
${shots.map((s) => `<figure><a href="${s.file}"><img src="${s.file}" loading="lazy"></a><figcaption>${s.title}</figcaption></figure>`).join('\n')}`;
    writeFileSync(join(OUT, 'index.html'), html);
    console.log(`\n${shots.length} screenshots in ${OUT} (open index.html)`);
  } finally {
    await browser?.close().catch(() => {});
    await p.stop().catch(() => {});
    await p.close();
  }
}

await main();
process.exit(0);
