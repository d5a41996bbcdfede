/**
 * Statements issued on the 1st (issue 17 point 4): an hourly croner tick finds, per operator, the
 * month that ended (operator time zone) and enqueues one outbox job per enterprise that existed
 * before its end and has no statement for it yet; the job builds the statement and keeps it
 * (enterprise_statements) in the same transaction as its `delivered` mark. The enterprise's staff
 * and its enterprise admin list and download it (routes-issued.ts). Several nodes, a node that was
 * down on the 1st, or a redelivered job make exactly one statement (dedupe key, primary key).
 */
import { Cron } from 'croner';
import { Temporal } from 'temporal-polyfill';
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import type { OutboxRow } from '../../platform/outbox.ts';
import { notFound } from '../../platform/errors.ts';
import { buildStatement, type StatementData } from './statement.ts';
import { getOperator } from './service.ts';

export const TOPIC_ISSUE = 'enterprise.statement';
type IssuePayload = { operatorId: string; enterpriseId: string; month: string };

/** The local month that ended before `now`, and the instant it ended. */
export function monthEnded(now: Date, timeZone: string) {
  const z = Temporal.Instant.fromEpochMilliseconds(now.getTime()).toZonedDateTimeISO(timeZone);
  const first = Temporal.PlainDate.from({ year: z.year, month: z.month, day: 1 });
  return { month: first.subtract({ months: 1 }).toString().slice(0, 7), end: new Date(first.toZonedDateTime(timeZone).epochMilliseconds) };
}

export const issueKey = (p: IssuePayload) => `enterprise-statement:${p.operatorId}:${p.enterpriseId}:${p.month}`;

/** Enqueues the statement jobs due at `now`; answers how many were enqueued. */
export async function issueDueStatements(ctx: Pick<Ctx, 'db' | 'outbox'>, now: Date): Promise<number> {
  const ops = await ctx.db.query<{ operator_id: string }>(`SELECT DISTINCT operator_id FROM enterprises ORDER BY operator_id`);
  let made = 0;
  for (const { operator_id: operatorId } of ops.rows) {
    const { month, end } = monthEnded(now, (await getOperator(ctx.db, operatorId))?.timezone ?? 'Asia/Shanghai');
    const due = await ctx.db.query<{ id: string }>(
      `SELECT e.id FROM enterprises e WHERE e.operator_id = $1 AND e.created_at < $2
         AND NOT EXISTS (SELECT 1 FROM enterprise_statements s WHERE s.operator_id = e.operator_id AND s.enterprise_id = e.id AND s.month = $3) ORDER BY e.id`,
      [operatorId, end, month],
    );
    for (const { id } of due.rows) {
      const payload: IssuePayload = { operatorId, enterpriseId: id, month };
      if ((await ctx.db.tx((q) => ctx.outbox.enqueue(q, { operatorId, topic: TOPIC_ISSUE, payload, dedupeKey: issueKey(payload) }))) !== null) made++;
    }
  }
  return made;
}

/** The job: build the month's statement and keep it, once. */
export async function issueStatement(ctx: Pick<Ctx, 'clock'>, row: OutboxRow<IssuePayload>, q: Queryable) {
  const { operatorId, enterpriseId, month } = row.payload;
  const s = await buildStatement(q, operatorId, enterpriseId, month);
  const r = await q.query(
    `INSERT INTO enterprise_statements (operator_id, enterprise_id, month, issued_at, amount_fen, line_count, data) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (operator_id, enterprise_id, month) DO NOTHING RETURNING month`,
    [operatorId, enterpriseId, month, ctx.clock.date(), s.totals.amountFen, s.lines.length, JSON.stringify(s)],
  );
  return { issued: r.rows.length > 0, amountFen: s.totals.amountFen, lines: s.lines.length };
}

export async function listIssued(q: Queryable, operatorId: string, enterpriseId: string) {
  const r = await q.query(
    `SELECT month, issued_at, amount_fen, line_count, data->'totals' AS totals FROM enterprise_statements WHERE operator_id = $1 AND enterprise_id = $2 ORDER BY month DESC`,
    [operatorId, enterpriseId],
  );
  return r.rows.map((x: any) => ({ month: x.month as string, issuedAt: x.issued_at.toISOString() as string, amountFen: Number(x.amount_fen), lines: x.line_count as number, sessions: Number(x.totals?.sessions ?? 0), corrections: Number(x.totals?.corrections ?? 0) }));
}

export async function issuedStatement(q: Queryable, operatorId: string, enterpriseId: string, month: string): Promise<StatementData> {
  const r = await q.query(`SELECT data FROM enterprise_statements WHERE operator_id = $1 AND enterprise_id = $2 AND month = $3`, [operatorId, enterpriseId, month]);
  if (!r.rows[0]) throw notFound(`statement ${month} of enterprise ${enterpriseId} (issued on the 1st of the month after)`);
  return r.rows[0].data as StatementData;
}

/** Hourly: is a month's statement due? (croner only wakes us; what is due is decided on ctx.clock.) */
export function scheduleStatements(ctx: Ctx): Cron {
  return new Cron('0 7 * * * *', { protect: true, catch: (e) => ctx.log.error({ err: e }, 'enterprise statement scheduler failed') }, async () => {
    const n = await issueDueStatements(ctx, ctx.clock.date());
    if (n) ctx.log.info({ statements: n }, 'enterprise statements enqueued');
  });
}
