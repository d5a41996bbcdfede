import type { Db, Queryable } from '../../platform/db/index.ts';
import { normaliseMeterValues, latestReadings, type NormalisedSample, type SampledValueIn } from './meter.ts';
import type { SessionRow } from './session-row.ts';

/** What a MeterValues write returns of its session: only what the 'session.meter' event needs (the hot path parses every column it returns). */
export type MeterSession = Pick<SessionRow, 'id' | 'charger_id' | 'connector_id' | 'last_energy_wh' | 'meter_start_wh'>;
import { GroupCommit } from '../../platform/group-commit.ts';

export interface MeterInput {
  operatorId: string;
  chargerId: string;
  connectorId: number;
  transactionId?: number;
  meterValue: { timestamp: string; sampledValue: SampledValueIn[] }[];
}

/**
 * MeterValues from many chargers written together: one statement per batch (insert every sample,
 * move each session's readings forward). What arrives while a batch is written
 * goes into the next one, so the cost per frame falls as the load rises. `write` resolves once the
 * frame's samples are committed, with the session they belong to.
 */
export class MeterWriter {
  private writer: GroupCommit<MeterInput, MeterSession | null>;

  /** `parallel` batches may be written at once: a batch waiting on the database does not hold up the next. */
  constructor(db: Db, maxBatch = 300, parallel = 3) {
    // One bad frame must not fail its neighbours: a failed batch is written again one by one.
    this.writer = new GroupCommit({ writeBatch: (inputs) => writeMeterBatch(db, inputs), maxBatch, parallel, onBatchError: 'one-by-one' });
  }

  write(input: MeterInput): Promise<MeterSession | null> {
    return this.writer.write(input);
  }

  drain() {
    return this.writer.drain();
  }
}

/**
 * Writes several MeterValues frames in ONE statement (atomic without an explicit transaction, and one
 * round trip however many frames): store every sample (attached to its session when the transactionId
 * is a session of that charger) and move each session's latest readings forward (never back: batches
 * may arrive out of order). Returns, per frame, its session after the update (or null).
 */
export async function writeMeterBatch(q: Queryable, inputs: MeterInput[]): Promise<(MeterSession | null)[]> {
  // one array per column, filled directly: no object per sample (the gateway's hot path; garbage was its main cost)
  const col = { op: [] as string[], tx: [] as (number | null)[], cid: [] as string[], con: [] as number[], at: [] as string[], measurand: [] as string[], phase: [] as (string | null)[], location: [] as (string | null)[], context: [] as (string | null)[], unit: [] as string[], value: [] as string[] };
  const perSession = new Map<string, { id: number; cid: string; samples: NormalisedSample[] }>();
  for (const i of inputs) {
    const samples = normaliseMeterValues(i.meterValue).samples;
    const tx = i.transactionId !== undefined && Number.isSafeInteger(i.transactionId) ? i.transactionId : null;
    for (const s of samples) {
      col.op.push(i.operatorId);
      col.tx.push(tx);
      col.cid.push(i.chargerId);
      col.con.push(i.connectorId);
      col.at.push(s.at.toISOString());
      col.measurand.push(s.measurand);
      col.phase.push(s.phase);
      col.location.push(s.location);
      col.context.push(s.context);
      col.unit.push(s.unit);
      col.value.push(s.value);
    }
    if (tx !== null) {
      const k = `${tx}|${i.chargerId}`;
      const e = perSession.get(k);
      if (e) e.samples.push(...samples);
      else perSession.set(k, { id: tx, cid: i.chargerId, samples });
    }
  }
  const updates = [...perSession.values()].map((e) => ({ id: e.id, cid: e.cid, ...latestReadings(e.samples) })).filter((u) => u.at !== null);
  const r = await q.query<MeterSession>(
    `WITH t AS (
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         WITH ORDINALITY AS t(op, tx, cid, con, at, measurand, phase, location, context, unit, value, ord)
     ), ins AS (
       -- a transactionId only counts on the charger that owns the session
       INSERT INTO meter_samples (operator_id, session_id, charger_id, connector_id, at, measurand, phase, location, context, unit, value)
       SELECT t.op, s.id, t.cid, t.con, t.at, t.measurand, t.phase, t.location, t.context, t.unit, t.value::numeric
       FROM t LEFT JOIN sessions s ON s.id = t.tx AND s.charger_id = t.cid
       ORDER BY t.ord -- ids in the order the charger sent the values
     )
     UPDATE sessions s SET last_energy_wh = COALESCE(u.energy, s.last_energy_wh), last_power_w = COALESCE(u.power, s.last_power_w),
       soc_end = COALESCE(u.soc, s.soc_end), soc_start = COALESCE(s.soc_start, u.first_soc), last_sample_at = u.at, updated_at = now()
     FROM unnest($12::bigint[], $13::text[], $14::bigint[], $15::bigint[], $16::int[], $17::int[], $18::timestamptz[]) AS u(id, cid, energy, power, soc, first_soc, at)
     WHERE s.id = u.id AND s.charger_id = u.cid AND (s.last_sample_at IS NULL OR s.last_sample_at <= u.at)
     RETURNING s.id, s.charger_id, s.connector_id, s.last_energy_wh, s.meter_start_wh`,
    [
      col.op,
      col.tx,
      col.cid,
      col.con,
      col.at,
      col.measurand,
      col.phase,
      col.location,
      col.context,
      col.unit,
      col.value,
      updates.map((u) => u.id),
      updates.map((u) => u.cid),
      updates.map((u) => u.energyWh),
      updates.map((u) => u.powerW),
      updates.map((u) => u.soc),
      updates.map((u) => u.firstSoc),
      updates.map((u) => u.at!.toISOString()),
    ],
  );
  const updated = new Map(r.rows.map((s) => [`${s.id}|${s.charger_id}`, s]));
  return inputs.map((i) => (i.transactionId === undefined ? null : (updated.get(`${i.transactionId}|${i.chargerId}`) ?? null)));
}

const writers = new WeakMap<Db, MeterWriter>();
/** The batching writer of this database (one per process and database). */
export function meterWriter(db: Db): MeterWriter {
  let w = writers.get(db);
  if (!w) writers.set(db, (w = new MeterWriter(db)));
  return w;
}
