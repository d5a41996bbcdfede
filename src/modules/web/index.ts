import type { Module } from '../../platform/context.ts';
import { staticRoutes } from './static.ts';
import { driverAuthRoutes } from './driver-auth.ts';
import { h5Routes } from './h5-routes.ts';
import { consoleRoutes } from './console-routes.ts';
import { buildWeb, isCurrent } from './build.ts';

export { ensureWebBuilt, buildWeb } from './build.ts';
export { peekDriverCode, operatorBrand } from './driver-auth.ts';

/** Test processes (node --test sets NODE_TEST_CONTEXT) never build on start: test/browser builds once per run. */
const buildOnStart = () => !process.env.NODE_TEST_CONTEXT && process.env.WEB_BUILD !== 'off';

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
    const log = ctx.log.child({ part: 'web' });
    buildWeb((m) => log.info(m)).catch((err) => log.error({ err }, 'building the web apps failed; run npm run build:web to see why'));
  },
};
