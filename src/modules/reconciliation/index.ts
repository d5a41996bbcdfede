/**
 * Partner reconciliation (issue 12, case 7): a month with a partner compared, every difference
 * classified, explained by computed hints and resolved; scheduled monthly per partner. docs/reconciliation.md.
 *
 * Owns: recon_runs, recon_items, recon_matched (the view recon_items_all reads both), recon_partner_settings, recon_statement_rows, recon_run_parts.
 * Offers: reconciliation runs, resolutions, exports. Needs: orders, roaming, sessions, tariffs.
 */
import type { Cron } from 'croner';
import type { Module } from '../../platform/context.ts';
import { reconciliationRoutes } from './routes.ts';
import { pendingRuns, resumeInterrupted, runJob, scheduleMonthlyRuns, TOPIC_RUN } from './service.ts';

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
    // statement runs cut short by a restart go on where they stopped
    await resumeInterrupted(ctx);
    running.set(ctx, scheduleMonthlyRuns(ctx));
  },
  async stop(ctx) {
    running.get(ctx)?.stop();
    running.delete(ctx);
    await Promise.allSettled([...pendingRuns(ctx)]);
  },
};
