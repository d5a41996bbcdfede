import { startRefusal } from './start-guard.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { tagAuthority, type IdTagInfo } from './tag-authority.ts';
import { normaliseMeterValues, type NormalisedSample, type SampledValueIn } from './meter.ts';
import type { SessionRow } from './session-row.ts';
export type { SessionRow };
import { writeMeterBatch, type MeterInput, type MeterSession } from './meter-writer.ts';
import { findRemoteStart, claimRemoteStart } from './remote-start.ts';
import { resolveTariffVersion } from './tariff-hook.ts';
import { enqueueSettle, settleKey, STALE_SESSION_MS } from './settle-job.ts';


/** A message delivered this much later than its own timestamp was queued offline by the charger. */
export const OFFLINE_LATE_MS = 5 * 60_000;

/** A charger clock that runs ahead, or never got set (1970, 2000), makes durations and time-of-use prices wrong. */
export function clockSuspect(chargerTime: Date, receivedAt: Date): boolean {
  return chargerTime.getTime() > receivedAt.getTime() + OFFLINE_LATE_MS || chargerTime.getUTCFullYear() < 2015;
}

type MeterValue = { timestamp: string; sampledValue: SampledValueIn[] };
type IdTagAnswer = { status: string; expiryDate?: string; parentIdTag?: string };

const ocppIdTagInfo = (i: IdTagInfo | (Omit<IdTagInfo, 'status'> & { status: 'ConcurrentTx' })): IdTagAnswer => (i.expiryDate && i.status === 'Accepted' ? { status: i.status, expiryDate: i.expiryDate } : { status: i.status });

const TAG_FLAG: Record<string, string> = { Invalid: 'unknown_id_tag', Blocked: 'blocked_id_tag', Expired: 'expired_id_tag', ConcurrentTx: 'concurrent_tx' };

/**
 * The card's session still running on another connector (one that has not been flagged no_stop and
 * started within the last day), if any. Only a start the platform Accepted counts: a start answered
 * ConcurrentTx/Invalid still gets a transactionId, and a charger may abandon it without a
 * StopTransaction; counting it would lock the card out (and every retry would add another one).
 */
export async function activeSessionWithTag(q: Queryable, operatorId: string, idTag: string, except?: { chargerId: string; connectorId: number }): Promise<{ id: number; charger_id: string; connector_id: number } | null> {
  const r = await q.query<{ id: number; charger_id: string; connector_id: number }>(
    `SELECT id, charger_id, connector_id FROM sessions
     WHERE operator_id = $1 AND id_tag = $2 AND status = 'active' AND id_tag_status = 'Accepted' AND NOT ('no_stop' = ANY(flags))
       AND started_at > now() - interval '24 hours'
       AND NOT (charger_id = $3 AND connector_id = $4)
     ORDER BY id DESC LIMIT 1`,
    [operatorId, idTag, except?.chargerId ?? '', except?.connectorId ?? -1],
  );
  return r.rows[0] ?? null;
}

async function addFlag(q: Queryable, sessionId: number, flag: string) {
  await q.query(`UPDATE sessions SET flags = array_append(flags, $2), updated_at = now() WHERE id = $1 AND NOT ($2 = ANY(flags))`, [sessionId, flag]);
}

export async function recordAnomaly(
  q: Queryable,
  a: { operatorId: string; chargerId: string; connectorId?: number | null; sessionId?: number | null; kind: string; transactionId?: number | null; details?: unknown },
) {
  await q.query(
    `INSERT INTO session_anomalies (operator_id, charger_id, connector_id, session_id, kind, transaction_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [a.operatorId, a.chargerId, a.connectorId ?? null, a.sessionId ?? null, a.kind, a.transactionId ?? null, a.details === undefined ? null : JSON.stringify(a.details)],
  );
}

export async function insertSamples(q: Queryable, s: { operatorId: string; chargerId: string; connectorId: number; sessionId: number | null }, samples: NormalisedSample[]) {
  if (!samples.length) return;
  await q.query(
    `INSERT INTO meter_samples (operator_id, session_id, charger_id, connector_id, at, measurand, phase, location, context, unit, value)
     SELECT $1, $2, $3, $4, t.at, t.measurand, t.phase, t.location, t.context, t.unit, t.value::numeric
     FROM unnest($5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS t(at, measurand, phase, location, context, unit, value)`,
    [
      s.operatorId,
      s.sessionId,
      s.chargerId,
      s.connectorId,
      samples.map((x) => x.at.toISOString()),
      samples.map((x) => x.measurand),
      samples.map((x) => x.phase),
      samples.map((x) => x.location),
      samples.map((x) => x.context),
      samples.map((x) => x.unit),
      samples.map((x) => x.value),
    ],
  );
}

export interface StartInput {
  operatorId: string;
  stationId: string | null;
  chargerId: string;
  connectorId: number;
  idTag: string;
  meterStartWh: number;
  startedAt: Date;
  reservationId?: number;
  /** When the platform received the frame (server time, from ctx.clock): used only for "received", never for prices. */
  receivedAt: Date;
}

/**
 * StartTransaction: the session id is the transactionId. A retried identical start gets the same id and
 * the same answer. A tag that is unknown, blocked or expired is answered so, but the session is still
 * recorded (the charger may deliver energy anyway) and flagged for the anomaly rules.
 */
export async function recordStart(q: Queryable, input: StartInput): Promise<{ sessionId: number; idTagInfo: IdTagAnswer; created: boolean; abandoned?: SessionRow[] }> {
  const receivedAt = input.receivedAt;
  const key = `${input.chargerId}|${input.connectorId}|${input.idTag}|${input.startedAt.toISOString()}|${input.meterStartWh}`;
  const existing = async () => {
    const r = await q.query<SessionRow>(`SELECT * FROM sessions WHERE start_dedupe_key = $1`, [key]);
    return r.rows[0];
  };
  const prior = await existing();
  if (prior) return { sessionId: prior.id, idTagInfo: { status: prior.id_tag_status ?? 'Invalid' }, created: false };

  const remote = await findRemoteStart(q, input.chargerId, input.idTag, input.connectorId, true);
  // A remote start was authorised by the platform itself (app, partner, staff): its idTag needs no card.
  let info: IdTagInfo | (Omit<IdTagInfo, 'status'> & { status: 'ConcurrentTx' }) = remote
    ? { status: 'Accepted', driverPhone: remote.driver_phone }
    : await tagAuthority().startTagInfo(q, input.operatorId, input.idTag, receivedAt);
  // One card, two connectors at once: a shared or cloned card. Answered ConcurrentTx (the charger
  // should not deliver), still recorded and flagged for review.
  if (!remote && info.status === 'Accepted' && info.kind === 'card' && (await activeSessionWithTag(q, input.operatorId, input.idTag, { chargerId: input.chargerId, connectorId: input.connectorId })))
    info = { ...info, status: 'ConcurrentTx' };
  const flags: string[] = [];
  // A quarantined charger (security incidents) starts nothing, whoever asked: Blocked tells it to stop.
  if (await startRefusal(q, input.operatorId, input.chargerId)) {
    info = { ...info, status: 'Blocked' };
    flags.push('start_refused');
  }
  if (TAG_FLAG[info.status]) flags.push(TAG_FLAG[info.status]);
  if (clockSuspect(input.startedAt, receivedAt)) flags.push('clock_suspect');
  else if (receivedAt.getTime() - input.startedAt.getTime() > OFFLINE_LATE_MS) flags.push('offline_late');
  const tariffVersionId = await resolveTariffVersion(q, input.operatorId, input.chargerId, input.startedAt);

  const ins = await q.query<{ id: number }>(
    `INSERT INTO sessions (operator_id, station_id, charger_id, connector_id, origin, id_tag, id_tag_status, driver_phone, partner_id, start_charge_seq,
       meter_start_wh, started_at, tariff_version_id, flags, start_dedupe_key, start_received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (start_dedupe_key) DO NOTHING RETURNING id`,
    [
      input.operatorId,
      input.stationId,
      input.chargerId,
      input.connectorId,
      remote?.origin ?? 'charger',
      input.idTag,
      info.status,
      info.driverPhone ?? null,
      remote?.partner_id ?? null,
      remote?.start_charge_seq ?? null,
      input.meterStartWh,
      input.startedAt,
      tariffVersionId,
      flags,
      key,
      receivedAt,
    ],
  );
  if (!ins.rows[0]) {
    const raced = (await existing())!;
    return { sessionId: raced.id, idTagInfo: { status: raced.id_tag_status ?? 'Invalid' }, created: false };
  }
  const sessionId = ins.rows[0].id;
  if (remote) await claimRemoteStart(q, remote.id, sessionId);
  // an accepted start paid from a balance reserves part of it, in this transaction (issue 11, point 5)
  if (info.status === 'Accepted' && info.driverPhone && remote?.origin !== 'partner') await tagAuthority().holdForSession(q, input.operatorId, sessionId, info.driverPhone, receivedAt);
  // An older session still open on this connector never got its StopTransaction: a refused one was
  // abandoned (closed now), an accepted one is flagged (its StopTransaction may still come, late).
  const abandoned = await closeAbandoned(q, input.chargerId, input.connectorId, input.startedAt, receivedAt, sessionId);
  await q.query(
    `UPDATE sessions SET flags = array_append(flags, 'no_stop'), updated_at = now()
     WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' AND id <> $3 AND started_at <= $4 AND NOT ('no_stop' = ANY(flags))`,
    [input.chargerId, input.connectorId, sessionId, input.startedAt],
  );
  // a session nobody stops gets its placeholder order after 24 h (server time: how long we have known it)
  await enqueueSettle(q, { operatorId: input.operatorId, sessionId, cause: 'stale' }, receivedAt, new Date(receivedAt.getTime() + STALE_SESSION_MS));
  return { sessionId, idTagInfo: ocppIdTagInfo(info), created: true, abandoned };
}

/**
 * MeterValues: every sampled value is stored normalised, with or without a transaction (connectorId 0
 * is the main meter). Returns the session the values belong to, with its latest readings (null when
 * the readings were older than the session's). The OCPP gateway writes many frames at once through
 * `meterWriter(db)`.
 */
export async function recordMeterValues(q: Queryable, input: MeterInput): Promise<{ session: MeterSession | null; stored: number; skipped: number }> {
  const n = normaliseMeterValues(input.meterValue);
  const [session] = await writeMeterBatch(q, [input]);
  return { session, stored: n.samples.length, skipped: n.skipped.length };
}

export interface StopInput {
  operatorId: string;
  chargerId: string;
  transactionId: number;
  meterStopWh: number;
  stoppedAt: Date;
  reason?: string;
  idTag?: string;
  transactionData?: MeterValue[];
  receivedAt: Date;
}

export type StopOutcome = 'finished' | 'duplicate' | 'mismatch' | 'unknown';

/**
 * StopTransaction, idempotent: the first stop finishes the session; an identical retry gets the same
 * answer and changes nothing; a different second stop is an anomaly (flag stop_mismatch), never an
 * overwrite. An unknown transactionId (chargers send -1 or 0 after refusing a start) is acknowledged
 * and recorded. meterStop < meterStart is flagged meter_rollback; billing never sees negative energy.
 */
export async function recordStop(q: Queryable, input: StopInput): Promise<{ outcome: StopOutcome; session: SessionRow | null; answer: Record<string, unknown> }> {
  const receivedAt = input.receivedAt;
  const tagAnswer = async (s: SessionRow | null) => {
    if (!input.idTag) return {};
    if (s && s.id_tag === input.idTag && s.id_tag_status) return { idTagInfo: { status: s.id_tag_status } };
    return { idTagInfo: ocppIdTagInfo(await tagAuthority().idTagInfo(q, input.operatorId, input.idTag, receivedAt)) };
  };
  // An id no session can have (beyond bigint) is simply unknown; it must not turn into an error answer.
  const plausible = Number.isSafeInteger(input.transactionId);
  const found = plausible
    ? await q.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1 AND charger_id = $2 FOR UPDATE`, [input.transactionId, input.chargerId])
    : { rows: [] as SessionRow[] };
  const s = found.rows[0] ?? null;
  const stopDetails = { meterStop: input.meterStopWh, timestamp: input.stoppedAt.toISOString(), reason: input.reason ?? null, idTag: input.idTag ?? null };

  if (!s) {
    await recordAnomaly(q, {
      operatorId: input.operatorId,
      chargerId: input.chargerId,
      kind: 'unknown_transaction',
      transactionId: plausible ? input.transactionId : null,
      details: { ...stopDetails, transactionId: String(input.transactionId) },
    });
    if (input.transactionData?.length) {
      const n = normaliseMeterValues(input.transactionData);
      await insertSamples(q, { operatorId: input.operatorId, chargerId: input.chargerId, connectorId: 0, sessionId: null }, n.samples);
    }
    return { outcome: 'unknown', session: null, answer: await tagAnswer(null) };
  }
  if (s.status === 'finished') {
    const same = Number(s.meter_stop_wh) === input.meterStopWh && s.stopped_at?.getTime() === input.stoppedAt.getTime();
    if (!same) {
      await addFlag(q, s.id, 'stop_mismatch');
      await recordAnomaly(q, { operatorId: s.operator_id, chargerId: s.charger_id, connectorId: s.connector_id, sessionId: s.id, kind: 'stop_mismatch', transactionId: s.id, details: stopDetails });
    }
    return { outcome: same ? 'duplicate' : 'mismatch', session: s, answer: s.stop_answer ?? {} };
  }

  const answer = await tagAnswer(s);
  const flags = new Set(s.flags);
  if (input.meterStopWh < Number(s.meter_start_wh)) flags.add('meter_rollback');
  if (clockSuspect(input.stoppedAt, receivedAt) || input.stoppedAt.getTime() < s.started_at.getTime()) flags.add('clock_suspect');
  else if (receivedAt.getTime() - input.stoppedAt.getTime() > OFFLINE_LATE_MS) flags.add('offline_late');
  if (flags.delete('no_stop')) flags.add('late_stop');
  // charging cannot have gone on after the car left (an Available before this late stop)
  const u = await q.query<SessionRow>(
    `UPDATE sessions SET status = 'finished', meter_stop_wh = $2, stopped_at = $3, charging_ended_at = COALESCE(charging_ended_at, LEAST(unplugged_at, $3), $3),
       stop_reason = $4, stop_id_tag = $5, transaction_data = $6, stop_received_at = $7, stop_answer = $8, flags = $9, updated_at = now()
     WHERE id = $1 RETURNING *`,
    [
      s.id,
      input.meterStopWh,
      input.stoppedAt,
      input.reason ?? 'Local',
      input.idTag ?? null,
      input.transactionData ? JSON.stringify(input.transactionData) : null,
      receivedAt,
      JSON.stringify(answer),
      [...flags],
    ],
  );
  if (input.transactionData?.length) {
    const n = normaliseMeterValues(input.transactionData);
    await insertSamples(q, { operatorId: s.operator_id, chargerId: s.charger_id, connectorId: s.connector_id, sessionId: s.id }, n.samples);
  }
  // settlement runs from this job, written with the stop: a crash after this commit loses nothing;
  // the 24 h placeholder timer of the start is not needed any more
  await enqueueSettle(q, { operatorId: s.operator_id, sessionId: s.id, cause: 'stop' }, receivedAt);
  await q.query(`UPDATE outbox SET status = 'cancelled' WHERE dedupe_key = $1 AND status = 'pending'`, [settleKey(s.operator_id, s.id, 'stale')]);
  return { outcome: 'finished', session: u.rows[0], answer };
}

/**
 * Closes the sessions on a connector whose start was not Accepted (ConcurrentTx, Invalid, ...) and that
 * the charger left without a StopTransaction: the connector went Available at `at` or started another
 * transaction. Finished at `at` with the last energy reading (none delivered: no energy, nothing to
 * bill) and flagged `abandoned`, so the order is held for review rather than charged.
 */
export async function closeAbandoned(q: Queryable, chargerId: string, connectorId: number, at: Date, receivedAt: Date, exceptId = 0): Promise<SessionRow[]> {
  const r = await q.query<SessionRow>(
    `UPDATE sessions SET status = 'finished', meter_stop_wh = GREATEST(meter_start_wh, COALESCE(last_energy_wh, meter_start_wh)), stopped_at = GREATEST(started_at, $3),
       charging_ended_at = COALESCE(charging_ended_at, GREATEST(started_at, $3)), unplugged_at = GREATEST(started_at, $3), stop_reason = 'Abandoned', stop_received_at = $4,
       flags = array_append(flags, 'abandoned'), updated_at = now()
     WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' AND id <> $5 AND id_tag_status IS DISTINCT FROM 'Accepted'
       AND id_tag_status IS NOT NULL AND started_at <= $3
     RETURNING *`,
    [chargerId, connectorId, at, receivedAt, exceptId],
  );
  // each closed session is settled (held for review) from its own job, written with the close
  for (const x of r.rows) await enqueueSettle(q, { operatorId: x.operator_id, sessionId: x.id, cause: 'stop' }, receivedAt);
  return r.rows;
}

/**
 * What a connector's status says about its sessions: Available ends the idle time (unplugged_at, at
 * the status's own timestamp), also when it comes before a late StopTransaction; Finishing/SuspendedEV
 * with no power ends charging; Available after a reboot with a session still open marks it no_stop
 * (the StopTransaction may still come, late). An unplug after the stop writes a settle job in the
 * same transaction (the idle fee is final now).
 */
export async function applyConnectorStatus(
  q: Queryable,
  input: { chargerId: string; connectorId: number; status: string; at: Date; lastBootAt: Date | null; receivedAt?: Date },
): Promise<{ unplugged: SessionRow | null; abandoned: SessionRow[] }> {
  let unplugged: SessionRow | null = null;
  let abandoned: SessionRow[] = [];
  if (input.status === 'Available') {
    abandoned = await closeAbandoned(q, input.chargerId, input.connectorId, input.at, input.receivedAt ?? input.at);
    const last = await q.query<SessionRow>(`SELECT * FROM sessions WHERE charger_id = $1 AND connector_id = $2 ORDER BY id DESC LIMIT 1`, [input.chargerId, input.connectorId]);
    const s = last.rows[0];
    const after = (t: Date | null) => !t || t.getTime() <= input.at.getTime();
    if (s && !s.unplugged_at && after(s.started_at) && (s.status === 'active' || after(s.stopped_at))) {
      const u = await q.query<SessionRow>(`UPDATE sessions SET unplugged_at = $2, updated_at = now() WHERE id = $1 AND unplugged_at IS NULL RETURNING *`, [s.id, input.at]);
      unplugged = u.rows[0] ?? null;
      if (unplugged && unplugged.status === 'finished')
        await enqueueSettle(q, { operatorId: unplugged.operator_id, sessionId: unplugged.id, cause: 'unplug' }, input.receivedAt ?? input.at);
    }
    if (input.lastBootAt)
      await q.query(
        `UPDATE sessions SET flags = array_append(flags, 'no_stop'), updated_at = now()
         WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' AND start_received_at < $3 AND NOT ('no_stop' = ANY(flags))`,
        [input.chargerId, input.connectorId, input.lastBootAt],
      );
  } else if (input.status === 'Finishing' || input.status === 'SuspendedEV') {
    await q.query(
      `UPDATE sessions SET charging_ended_at = $3, updated_at = now()
       WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' AND charging_ended_at IS NULL AND COALESCE(last_power_w, 0) = 0`,
      [input.chargerId, input.connectorId, input.at],
    );
  } else if (input.status === 'Charging') {
    await q.query(`UPDATE sessions SET charging_ended_at = NULL, updated_at = now() WHERE charger_id = $1 AND connector_id = $2 AND status = 'active' AND charging_ended_at IS NOT NULL`, [
      input.chargerId,
      input.connectorId,
    ]);
  }
  return { unplugged, abandoned };
}
