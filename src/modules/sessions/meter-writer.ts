import type { Db, Queryable } from '../../platform/db/index.ts';
import { normaliseMeterValues, latestReadings, type NormalisedSample, type SampledValueIn } from './meter.ts';
import type { SessionRow } from './service.ts';

export interface MeterInput {
  operatorId: string;
  chargerId: string;
  connectorId: number;
  transactionId?: number;
  meterValue: { timestamp: string; sampledValue: SampledValueIn[] }[];
}

/**
 * MeterValues from many chargers written together: one transaction per batch (look up the sessions,
 * insert every sample, move each session's readings forward). What arrives while a batch is written
 * goes into the next one, so the cost per frame falls as the load rises. `write` resolves once the
 * frame's samples are committed, with the session they belong to.
 */
export class MeterWriter {
  private queue: { input: MeterInput; done: (s: SessionRow | null) => void; fail: (e: unknown) => void }[] = [];
  private inFlight = 0;

  /** `parallel` batches may be written at once: a batch waiting on the database does not hold up the next. */
  constructor(private db: Db, private maxBatch = 300, private parallel = 3) {}

  write(input: MeterInput): Promise<SessionRow | null> {
    return new Promise((done, fail) => {
      this.queue.push({ input, done, fail });
      if (this.inFlight < this.parallel) {
        this.inFlight++;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush() {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const rows = await this.db.tx((q) => writeMeterBatch(q, batch.map((b) => b.input)));
        batch.forEach((b, i) => b.done(rows[i]));
      } catch {
        // One bad frame must not fail its neighbours: write them one by one.
        for (const b of batch) {
          try {
            b.done((await this.db.tx((q) => writeMeterBatch(q, [b.input])))[0]);
          } catch (e) {
            b.fail(e);
          }
        }
      }
    }
    this.inFlight--;
  }

  async drain() {
    while (this.inFlight || this.queue.length) await new Promise((r) => setTimeout(r, 5));
  }
}

/** Writes several MeterValues frames; returns, per frame, its session after the update (or null). */
export async function writeMeterBatch(q: Queryable, inputs: MeterInput[]): Promise<(SessionRow | null)[]> {
  const txIds = [...new Set(inputs.flatMap((i) => (i.transactionId === undefined ? [] : [i.transactionId])))];
  const owner = new Map<number, string>();
  if (txIds.length) {
    const r = await q.query<{ id: number; charger_id: string }>(`SELECT id, charger_id FROM sessions WHERE id = ANY($1::bigint[])`, [txIds]);
    for (const s of r.rows) owner.set(Number(s.id), s.charger_id);
  }
  // A transactionId only counts on the charger that owns the session.
  const sessionOf = (i: MeterInput) => (i.transactionId !== undefined && owner.get(i.transactionId) === i.chargerId ? i.transactionId : null);

  const rows: (NormalisedSample & { op: string; sid: number | null; cid: string; con: number })[] = [];
  const perSession = new Map<number, NormalisedSample[]>();
  for (const i of inputs) {
    const sid = sessionOf(i);
    const samples = normaliseMeterValues(i.meterValue).samples;
    for (const s of samples) rows.push({ ...s, op: i.operatorId, sid, cid: i.chargerId, con: i.connectorId });
    if (sid !== null) perSession.set(sid, [...(perSession.get(sid) ?? []), ...samples]);
  }
  if (rows.length)
    await q.query(
      `INSERT INTO meter_samples (operator_id, session_id, charger_id, connector_id, at, measurand, phase, location, context, unit, value)
       SELECT t.op, t.sid, t.cid, t.con, t.at, t.measurand, t.phase, t.location, t.context, t.unit, t.value::numeric
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS t(op, sid, cid, con, at, measurand, phase, location, context, unit, value)`,
      [
        rows.map((r) => r.op),
        rows.map((r) => r.sid),
        rows.map((r) => r.cid),
        rows.map((r) => r.con),
        rows.map((r) => r.at.toISOString()),
        rows.map((r) => r.measurand),
        rows.map((r) => r.phase),
        rows.map((r) => r.location),
        rows.map((r) => r.context),
        rows.map((r) => r.unit),
        rows.map((r) => r.value),
      ],
    );

  const updates = [...perSession].map(([id, samples]) => ({ id, ...latestReadings(samples) })).filter((u) => u.at !== null);
  const updated = new Map<number, SessionRow>();
  if (updates.length) {
    // Readings only move forward: batches may arrive out of order.
    const r = await q.query<SessionRow>(
      `UPDATE sessions s SET last_energy_wh = COALESCE(u.energy, s.last_energy_wh), last_power_w = COALESCE(u.power, s.last_power_w),
         soc_end = COALESCE(u.soc, s.soc_end), soc_start = COALESCE(s.soc_start, u.first_soc), last_sample_at = u.at, updated_at = now()
       FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::timestamptz[]) AS u(id, energy, power, soc, first_soc, at)
       WHERE s.id = u.id AND (s.last_sample_at IS NULL OR s.last_sample_at <= u.at)
       RETURNING s.*`,
      [
        updates.map((u) => u.id),
        updates.map((u) => u.energyWh),
        updates.map((u) => u.powerW),
        updates.map((u) => u.soc),
        updates.map((u) => u.firstSoc),
        updates.map((u) => u.at!.toISOString()),
      ],
    );
    for (const s of r.rows) updated.set(Number(s.id), s);
  }
  return inputs.map((i) => {
    const sid = sessionOf(i);
    return sid === null ? null : (updated.get(sid) ?? null);
  });
}

const writers = new WeakMap<Db, MeterWriter>();
/** The batching writer of this database (one per process and database). */
export function meterWriter(db: Db): MeterWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new MeterWriter(db)));
  return w;
}
