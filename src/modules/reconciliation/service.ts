/**
 * Starting runs: by hand (API, console upload) or by the monthly schedule. A statement is parsed and
 * checked inside the request (a bad one is refused with its row and column, and nothing is stored);
 * matching and storing then go on in the background while the run shows its progress. A run from
 * check_charge_orders answers is an outbox job (it calls the partner: retried, never lost).
 */
import { Cron } from 'croner';
import { Temporal } from 'temporal-polyfill';
import type { Ctx } from '../../platform/context.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import type { OutboxRow } from '../../platform/outbox.ts';
import { getPartner, listPartners } from '../roaming/index.ts';
import { operatorTimeZone } from '../tariffs/index.ts';
import { executeRun, type RunOptions } from './execute.ts';
import { createRun, partnerSettings, savePartnerSettings } from './runs.ts';
import { claimPart, dropStagedOfFinishedRuns } from './stage.ts';
import { stageStatement } from './stage-statement.ts';
import { type Mapping, type StatementFormat } from './statement.ts';

export const TOPIC_RUN = 'reconciliation.run';
/** A period longer than this is refused (a month is the usual run). */
const MAX_PERIOD_MS = 93 * 86_400_000;

export interface StartInput {
  partnerId: string;
  from: Date;
  to: Date;
  statement?: { format: StatementFormat; content: string | Buffer; mapping?: Mapping };
}

const background = new WeakMap<Ctx, Set<Promise<unknown>>>();
export const pendingRuns = (ctx: Ctx) => background.get(ctx) ?? (background.set(ctx, new Set()), background.get(ctx)!);

export async function startRun(ctx: Ctx, operatorId: string, input: StartInput, startedBy: string) {
  if (!(await getPartner(ctx.db, operatorId, input.partnerId))) throw notFound(`partner ${input.partnerId}`);
  if (!(input.to.getTime() > input.from.getTime())) throw badRequest('to must be after from');
  if (input.to.getTime() - input.from.getTime() > MAX_PERIOD_MS) throw badRequest('a period is at most 93 days');
  const tz = await operatorTimeZone(ctx.db, operatorId);
  if (!input.statement) {
    const id = await ctx.db.tx(async (q) => {
      const id = (await createRun(q, { operatorId, partnerId: input.partnerId, from: input.from, to: input.to, startedBy, source: 'check_charge_orders' }))!;
      await ctx.outbox.enqueue(q, { operatorId, topic: TOPIC_RUN, payload: { operatorId, runId: id }, dedupeKey: `reconciliation:run:${id}` });
      return id;
    });
    return id;
  }
  const saved = await partnerSettings(ctx.db, operatorId, input.partnerId);
  const mapping = input.statement.mapping ?? saved.mapping ?? undefined;
  const statement = input.statement;
  // parsed as a stream and stored a chunk at a time with the run, in one transaction: a bad file
  // rolls it all back (nothing stored); a good one is there for a run that must resume after a crash
  const id = await ctx.db.tx(async (q) => {
    const id = (await createRun(q, { operatorId, partnerId: input.partnerId, from: input.from, to: input.to, startedBy, source: 'statement' }))!;
    let parsed;
    try {
      parsed = await stageStatement(q, id, {
        format: statement.format,
        content: statement.content,
        mapping,
        check: { partnerId: input.partnerId, from: input.from.getTime(), to: input.to.getTime(), timeZone: tz },
      });
    } catch (e) {
      throw new AppError(400, 'bad_statement', `the statement cannot be read as ${statement.format.toUpperCase()}: ${(e as Error).message.slice(0, 200)}`);
    }
    if (parsed.problems.length)
      throw new AppError(
        400,
        'bad_statement',
        `the statement has ${parsed.problems.length + parsed.moreProblems} problem(s); first: row ${parsed.problems[0].row}, column ${parsed.problems[0].column}: ${parsed.problems[0].message}`,
        { problems: parsed.problems, moreProblems: parsed.moreProblems },
      );
    await claimPart(q, id, 'stage', 0, parsed.count);
    // a mapping that read the file cleanly is remembered for this partner's next statement
    if (statement.mapping) await savePartnerSettings(q, operatorId, input.partnerId, { mapping: statement.mapping }, startedBy);
    return id;
  });
  runInBackground(ctx, id);
  return id;
}

/** Runs (or resumes) a run in this process; the request that started it does not wait. */
export function runInBackground(ctx: Ctx, id: number, opts?: RunOptions) {
  const task: Promise<unknown> = executeRun(ctx, id, opts)
    .catch((err: unknown) => ctx.log.error({ err, runId: id }, 'reconciliation run failed'))
    .finally(() => pendingRuns(ctx).delete(task));
  pendingRuns(ctx).add(task);
  return task;
}

/**
 * At start: statement runs that were running when the process stopped go on where they stopped
 * (their statement is stored with them; each finished partition is marked). check_charge_orders
 * runs are outbox jobs and are retried by the outbox. A run from before statements were stored
 * cannot resume and is marked failed.
 */
export async function resumeInterrupted(ctx: Ctx) {
  await ctx.db.query(
    `UPDATE recon_runs r SET status = 'failed', error = 'interrupted by a restart: start it again' WHERE status = 'running' AND source = 'statement'
       AND NOT EXISTS (SELECT 1 FROM recon_run_parts p WHERE p.run_id = r.id AND p.phase = 'stage')`,
  );
  await dropStagedOfFinishedRuns(ctx.db);
  const r = await ctx.db.query<{ id: number }>(`SELECT id FROM recon_runs WHERE status = 'running' AND source = 'statement' ORDER BY id`);
  return r.rows.map((x) => runInBackground(ctx, Number(x.id)));
}

/** The outbox job of a check_charge_orders run; a failed attempt (partner down) is retried. */
export async function runJob(ctx: Ctx, row: OutboxRow<{ operatorId: string; runId: number }>) {
  await ctx.db.query(`UPDATE recon_runs SET status = 'running', error = NULL WHERE id = $1 AND operator_id = $2 AND status = 'failed'`, [row.payload.runId, row.payload.operatorId]);
  return executeRun(ctx, row.payload.runId);
}

/** The previous local month of `now` in the zone: [first of last month, first of this month). */
export function previousMonth(now: Date, tz: string) {
  const z = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(tz);
  const first = Temporal.PlainDate.from({ year: z.year, month: z.month, day: 1 });
  const prev = first.subtract({ months: 1 });
  const at = (d: Temporal.PlainDate) => new Date(d.toZonedDateTime(tz).epochMilliseconds);
  return { month: prev.toString().slice(0, 7), from: at(prev), to: at(first), dayOfMonth: z.day };
}

/**
 * From the 2nd of each month (local time), the previous month's run of every partner, once (the
 * schedule key), so a node that was down on the 2nd catches up and several nodes make one run.
 */
export async function enqueueMonthlyRuns(ctx: Ctx, now: Date) {
  let made = 0;
  for (const p of await listPartners(ctx.db, null)) {
    const tz = await operatorTimeZone(ctx.db, p.operatorId);
    const m = previousMonth(now, tz);
    if (m.dayOfMonth < 2) continue;
    await ctx.db.tx(async (q) => {
      const id = await createRun(q, { operatorId: p.operatorId, partnerId: p.id, from: m.from, to: m.to, startedBy: 'schedule', source: 'check_charge_orders', scheduleKey: `${p.operatorId}:${p.id}:${m.month}` });
      if (id === null) return;
      made++;
      await ctx.outbox.enqueue(q, { operatorId: p.operatorId, topic: TOPIC_RUN, payload: { operatorId: p.operatorId, runId: id }, dedupeKey: `reconciliation:run:${id}` });
    });
  }
  return made;
}

/** Hourly: is a month's run due? (croner only wakes us; what is due is decided on ctx.clock.) */
export function scheduleMonthlyRuns(ctx: Ctx): Cron {
  return new Cron('0 17 * * * *', { protect: true, catch: (e) => ctx.log.error({ err: e }, 'reconciliation scheduler failed') }, async () => {
    await enqueueMonthlyRuns(ctx, ctx.clock.date());
  });
}
