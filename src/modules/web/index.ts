/**
 * Contract of the web module: serves the console and the driver H5 apps and their API helpers.
 * Owns: driver_login_codes.
 * Offers: the built apps (web/dist), driver login, H5 and console summary routes.
 * Needs: registry; sessions, tariffs, wallet, orders when installed (looked up at run time, so a
 *   smaller installation works); ctx.services.ocpp for live connector state.
 */
import type { Module } from '../../platform/context.ts';
import { staticRoutes } from './static.ts';
import { driverAuthRoutes } from './driver-auth.ts';
import { h5Routes } from './h5-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isCurrent, ROOT } from './build.ts';

export { ensureWebBuilt, buildWeb } from './build.ts';
export { peekDriverCode, operatorBrand } from './driver-auth.ts';

/** Test processes (node --test sets NODE_TEST_CONTEXT) never build on start: test/browser builds once per run. */
const buildOnStart = () => !process.env.NODE_TEST_CONTEXT && process.env.WEB_BUILD !== 'off';

let building: ReturnType<typeof spawn> | null = null;

export const webModule: Module = {
  name: 'web',
  async register(app, ctx) {
    await staticRoutes(app);
    driverAuthRoutes(app, ctx);
    await h5Routes(app, ctx);
    consoleRoutes(app, ctx);
  },
  start(ctx) {
    if (!buildOnStart() || isCurrent()) return;
    // In the background: the API and OCPP endpoint serve at once, the console shows "building" meanwhile.
    // In a child process that exits: vite and its bundler hold ~600 MiB the server would keep for good.
    const log = ctx.log.child({ part: 'web' });
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'chargeops.mjs'), 'build-web'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WEB_BUILD: 'off' } });
    let errText = '';
    child.stdout.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => log.info(l)));
    child.stderr.on('data', (b: Buffer) => (errText = (errText + b.toString()).slice(-4000)));
    child.on('error', (err) => log.error({ err }, 'building the web apps failed; run npm run build:web to see why'));
    child.on('exit', (code) => {
      if (code !== 0) log.error({ exitCode: code, stderr: errText.trim().split('\n').slice(-5).join('\n') }, 'building the web apps failed; run npm run build:web to see why');
    });
    building = child;
  },
  stop() {
    building?.kill();
  },
};
