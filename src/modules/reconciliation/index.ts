/**
 * Partner reconciliation (issue 12, case 7): a month with a partner compared, every difference
 * classified, explained by computed hints and resolved; scheduled monthly per partner. docs/reconciliation.md.
 *
 * Owns: recon_runs, recon_items, recon_partner_settings.
 * Offers: reconciliation runs, resolutions, exports. Needs: orders, roaming, sessions, tariffs.
 */
import type { Cron } from 'croner';
import type { Module } from '../../platform/context.ts';
import { reconciliationRoutes } from './routes.ts';
import { pendingRuns, runJob, scheduleMonthlyRuns, TOPIC_RUN } from './service.ts';

export { reconcile, classify, summarize, CLASSES, type ItemClass, type Rec } from './match.ts';
export { enqueueMonthlyRuns, startRun, previousMonth } from './service.ts';

const running = new WeakMap<object, Cron>();

export const reconciliationModule: Module = {
  name: 'reconciliation',
  register(app, ctx) {
    reconciliationRoutes(app, ctx);
    ctx.outbox.register(TOPIC_RUN, (row) => runJob(ctx, row), { backoff: [60, 300, 900, 3600], maxAttempts: 12 });
  },
  async start(ctx) {
    // a statement run cut short by a restart cannot resume (the file was not kept): say so
    await ctx.db.query(
      `UPDATE recon_runs SET status = 'failed', error = 'interrupted by a restart: start it again' WHERE status = 'running' AND source = 'statement' AND (progress->>'at')::timestamptz < $1`,
      [new Date(ctx.clock.now() - 15 * 60_000)],
    );
    running.set(ctx, scheduleMonthlyRuns(ctx));
  },
  async stop(ctx) {
    running.get(ctx)?.stop();
    running.delete(ctx);
    await Promise.allSettled([...pendingRuns(ctx)]);
  },
};
