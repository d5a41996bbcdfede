import { createHash, randomBytes } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { badRequest, conflict, notFound } from '../../platform/errors.ts';
import { publicUrl } from '../../platform/public-url.ts';
import { sealSecret, openSecret } from '../../platform/secrets.ts';
import { listChargers } from '../registry/index.ts';
import { ChargerOffline, CommandTimeout } from '../ocpp/index.ts';
import { assignWaves, nextStep, progress, validWaves, advisoryMatches, DEFAULT_WAVES, DEFAULT_FAILURE_THRESHOLD_PCT, FAILED_STATUSES, TERMINAL } from './waves.ts';
import { listAdvisories } from './inventory.ts';

export interface CampaignTarget {
  advisoryId?: string;
  model?: string;
  version?: string;
  chargerIds?: string[];
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

export async function addFile(q: Queryable, operatorId: string, f: { name: string; version: string; content: Buffer }, by: string, now: Date) {
  const digest = sha(f.content);
  const r = await q.query<{ id: number }>(
    `INSERT INTO firmware_files (operator_id, name, version, sha256, size_bytes, content, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [operatorId, f.name, f.version, digest, f.content.length, f.content, by, now],
  );
  return { id: Number(r.rows[0].id), name: f.name, version: f.version, sha256: digest, sizeBytes: f.content.length };
}

export async function listFiles(q: Queryable, operatorId: string) {
  const r = await q.query<{ id: number; name: string; version: string; sha256: string; size_bytes: number; created_at: Date }>(
    `SELECT id, name, version, sha256, size_bytes, created_at FROM firmware_files WHERE operator_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`,
    [operatorId],
  );
  return r.rows.map((x) => ({ id: Number(x.id), name: x.name, version: x.version, sha256: x.sha256, sizeBytes: x.size_bytes, createdAt: x.created_at.toISOString() }));
}

/** The file of a campaign, for a charger presenting the campaign's token (anything else: null, a 404). */
export async function download(q: Queryable, campaignId: number, token: string) {
  const r = await q.query<{ name: string; content: Buffer; sha256: string }>(
    `SELECT f.name, f.content, f.sha256 FROM firmware_campaigns c JOIN firmware_files f ON f.id = c.file_id WHERE c.id = $1 AND c.token_sha256 = $2`,
    [campaignId, sha(token)],
  );
  return r.rows[0] ?? null;
}

async function resolveTargets(q: Queryable, operatorId: string, t: CampaignTarget) {
  const chargers = await listChargers(q, { operatorId });
  const given = [t.advisoryId, t.model, t.version, t.chargerIds].filter((x) => x !== undefined).length;
  if (given !== 1) throw badRequest('target names exactly one of advisoryId, model, version or chargerIds');
  if (t.chargerIds) {
    const known = new Set(chargers.map((c) => c.id));
    const unknown = t.chargerIds.filter((id) => !known.has(id));
    if (unknown.length) throw badRequest(`not chargers of this operator: ${unknown.slice(0, 10).join(', ')}`);
    return chargers.filter((c) => t.chargerIds!.includes(c.id));
  }
  if (t.advisoryId) {
    const a = (await listAdvisories(q, operatorId)).find((x) => x.id === t.advisoryId);
    if (!a) throw badRequest(`no advisory ${t.advisoryId}`);
    return chargers.filter((c) => advisoryMatches(a, c));
  }
  if (t.model) return chargers.filter((c) => c.model === t.model);
  return chargers.filter((c) => c.firmwareVersion === t.version);
}

export async function createCampaign(ctx: Ctx, operatorId: string, body: { fileId: number; target: CampaignTarget; waves?: number[]; failureThreshold?: number }, by: string) {
  const waves = body.waves ?? DEFAULT_WAVES;
  const bad = validWaves(waves);
  if (bad) throw badRequest(bad);
  const now = ctx.clock.date();
  const token = randomBytes(24).toString('base64url');
  const id = await ctx.db.tx(async (q) => {
    const f = await q.query(`SELECT id FROM firmware_files WHERE operator_id = $1 AND id = $2`, [operatorId, body.fileId]);
    if (!f.rows.length) throw badRequest(`no firmware file ${body.fileId}`);
    const targets = (await resolveTargets(q, operatorId, body.target)).sort((a, b) => a.id.localeCompare(b.id));
    if (!targets.length) throw badRequest('the target names no charger');
    const c = await q.query<{ id: number }>(
      `INSERT INTO firmware_campaigns (operator_id, file_id, target, waves, failure_threshold_pct, token_sealed, token_sha256, status, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8, $9, $9) RETURNING id`,
      [operatorId, body.fileId, JSON.stringify(body.target), waves, body.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD_PCT, sealSecret(token), sha(token), by, now],
    );
    const cid = Number(c.rows[0].id);
    const w = assignWaves(targets.length, waves);
    await q.query(
      `INSERT INTO firmware_campaign_targets (campaign_id, operator_id, charger_id, wave, state, from_version, updated_at)
       SELECT $1, $2, t.charger_id, t.wave, 'waiting', t.version, $3 FROM unnest($4::text[], $5::int[], $6::text[]) AS t(charger_id, wave, version)`,
      [cid, operatorId, now, targets.map((t) => t.id), w, targets.map((t) => t.firmwareVersion)],
    );
    return cid;
  });
  await startWave(ctx, id, 1);
  return getCampaign(ctx.db, operatorId, id);
}

/** UpdateFirmware to one charger; an offline one stays waiting and gets it when it boots again. */
async function send(ctx: Ctx, campaignId: number, chargerId: string) {
  const c = (await ctx.db.query<{ token_sealed: string; name: string }>(`SELECT c.token_sealed, f.name FROM firmware_campaigns c JOIN firmware_files f ON f.id = c.file_id WHERE c.id = $1`, [campaignId])).rows[0];
  const location = publicUrl(ctx, `/api/v1/firmware/download/${campaignId}/${openSecret(c.token_sealed)}/${encodeURIComponent(c.name)}`);
  const gw = ctx.services.ocpp;
  const set = (state: string, err: string | null, attempt: boolean) =>
    ctx.db.query(`UPDATE firmware_campaign_targets SET state = $3, last_error = $4, attempts = attempts + $5, updated_at = $6 WHERE campaign_id = $1 AND charger_id = $2`, [
      campaignId,
      chargerId,
      state,
      err,
      attempt ? 1 : 0,
      ctx.clock.date(),
    ]);
  if (!gw) return set('waiting', 'the OCPP gateway is not running', false);
  try {
    await gw.call(chargerId, 'UpdateFirmware', { location, retrieveDate: ctx.clock.date().toISOString(), retries: 3 });
    await set('sent', null, true);
  } catch (e) {
    if (e instanceof ChargerOffline || e instanceof CommandTimeout) await set('waiting', 'offline: sent when it connects again', false);
    else await set('failed', `UpdateFirmware refused: ${(e as Error).message}`, true);
  }
}

async function startWave(ctx: Ctx, campaignId: number, wave: number) {
  const ts = await ctx.db.query<{ charger_id: string }>(`SELECT charger_id FROM firmware_campaign_targets WHERE campaign_id = $1 AND wave = $2 AND state = 'waiting' ORDER BY charger_id`, [campaignId, wave]);
  await Promise.all(ts.rows.map((t) => send(ctx, campaignId, t.charger_id)));
  await evaluate(ctx, campaignId);
}

/** After any change: halt, advance to the next wave or complete (waves.ts nextStep). */
export async function evaluate(ctx: Ctx, campaignId: number): Promise<void> {
  const step = await ctx.db.tx(async (q) => {
    const c = (await q.query<{ status: string; current_wave: number; waves: number[]; failure_threshold_pct: number }>(`SELECT * FROM firmware_campaigns WHERE id = $1 FOR UPDATE`, [campaignId])).rows[0];
    if (!c || c.status !== 'running') return null;
    const ts = (await q.query<{ wave: number; state: string }>(`SELECT wave, state FROM firmware_campaign_targets WHERE campaign_id = $1`, [campaignId])).rows;
    const s = nextStep(progress(ts, c.waves.length), c.current_wave, c.failure_threshold_pct);
    const now = ctx.clock.date();
    if (s.action === 'halt') await q.query(`UPDATE firmware_campaigns SET status = 'halted', halted_reason = $2, updated_at = $3 WHERE id = $1`, [campaignId, s.reason, now]);
    else if (s.action === 'complete') await q.query(`UPDATE firmware_campaigns SET status = 'completed', updated_at = $2 WHERE id = $1`, [campaignId, now]);
    else if (s.action === 'advance') await q.query(`UPDATE firmware_campaigns SET current_wave = $2, updated_at = $3 WHERE id = $1`, [campaignId, s.wave, now]);
    return s;
  });
  if (step?.action === 'advance') await startWave(ctx, campaignId, step.wave);
}

/** A FirmwareStatusNotification: the state of this charger in its running campaign. */
export async function onFirmwareStatus(ctx: Ctx, chargerId: string, status: string) {
  const state = FAILED_STATUSES.has(status) ? 'failed' : status;
  const r = await ctx.db.query<{ campaign_id: number }>(
    `UPDATE firmware_campaign_targets t SET state = $2, last_error = CASE WHEN $2 = 'failed' THEN $3 ELSE t.last_error END, updated_at = $4
     FROM firmware_campaigns c WHERE c.id = t.campaign_id AND t.charger_id = $1 AND t.state NOT IN ('succeeded', 'failed', 'waiting') RETURNING t.campaign_id`,
    [chargerId, state, `the charger reported ${status}`, ctx.clock.date()],
  );
  for (const x of r.rows) await evaluate(ctx, Number(x.campaign_id));
}

/**
 * A BootNotification: success is the new version reported here (and only here); a charger that
 * installed and boots with another version failed; a waiting charger whose wave has started gets
 * its UpdateFirmware now (it was offline).
 */
export async function onBoot(ctx: Ctx, chargerId: string, firmwareVersion: string | null) {
  const ts = await ctx.db.query<{ campaign_id: number; state: string; wave: number; version: string; status: string; current_wave: number }>(
    `SELECT t.campaign_id, t.state, t.wave, f.version, c.status, c.current_wave FROM firmware_campaign_targets t JOIN firmware_campaigns c ON c.id = t.campaign_id JOIN firmware_files f ON f.id = c.file_id
     WHERE t.charger_id = $1 AND t.state NOT IN ('succeeded', 'failed')`,
    [chargerId],
  );
  for (const t of ts.rows) {
    const id = Number(t.campaign_id);
    if (t.state === 'waiting') {
      if (t.status === 'running' && t.wave <= t.current_wave) await send(ctx, id, chargerId);
      continue;
    }
    const state = firmwareVersion === t.version ? 'succeeded' : t.state === 'Installed' || t.state === 'Installing' ? 'failed' : null;
    if (!state) continue;
    await ctx.db.query(`UPDATE firmware_campaign_targets SET state = $3, last_error = $4, updated_at = $5 WHERE campaign_id = $1 AND charger_id = $2`, [
      id,
      chargerId,
      state,
      state === 'failed' ? `booted with ${firmwareVersion ?? 'no version'} after installing, not ${t.version}` : null,
      ctx.clock.date(),
    ]);
    await evaluate(ctx, id);
  }
}

export async function getCampaign(q: Queryable, operatorId: string, id: number) {
  const c = (await q.query<any>(`SELECT c.*, f.name AS file_name, f.version AS file_version, f.sha256 FROM firmware_campaigns c JOIN firmware_files f ON f.id = c.file_id WHERE c.operator_id = $1 AND c.id = $2`, [operatorId, id])).rows[0];
  if (!c) throw notFound(`campaign ${id}`);
  const ts = (await q.query<any>(`SELECT * FROM firmware_campaign_targets WHERE campaign_id = $1 ORDER BY wave, charger_id`, [id])).rows;
  return {
    id: Number(c.id),
    file: { id: Number(c.file_id), name: c.file_name, version: c.file_version, sha256: c.sha256 },
    target: c.target,
    waves: c.waves,
    failureThreshold: c.failure_threshold_pct,
    currentWave: c.current_wave,
    status: c.status as 'running' | 'paused' | 'halted' | 'completed',
    haltedReason: c.halted_reason,
    createdAt: c.created_at.toISOString(),
    progress: progress(ts, c.waves.length),
    chargers: ts.map((t) => ({ chargerId: t.charger_id, wave: t.wave, state: t.state, fromVersion: t.from_version, attempts: t.attempts, lastError: t.last_error, updatedAt: t.updated_at.toISOString() })),
  };
}

export async function listCampaigns(q: Queryable, operatorId: string) {
  const r = await q.query<{ id: number }>(`SELECT id FROM firmware_campaigns WHERE operator_id = $1 ORDER BY id DESC LIMIT 50`, [operatorId]);
  return Promise.all(r.rows.map((x) => getCampaign(q, operatorId, Number(x.id))));
}

/** Pause a running campaign by hand: no wave advances and no waiting charger gets UpdateFirmware until resumed. */
export async function pause(ctx: Ctx, operatorId: string, id: number, by: string) {
  const r = await ctx.db.query(`UPDATE firmware_campaigns SET status = 'paused', halted_reason = $3, updated_at = $4 WHERE operator_id = $1 AND id = $2 AND status = 'running'`, [
    operatorId,
    id,
    `paused by ${by}`,
    ctx.clock.date(),
  ]);
  if (!r.rowCount) throw conflict(`campaign ${id} is ${(await getCampaign(ctx.db, operatorId, id)).status}, not running`);
  return getCampaign(ctx.db, operatorId, id);
}

/**
 * Resume a campaign. Paused: it runs again where it stopped (the current wave's waiting chargers
 * get their command, then the usual evaluation). Halted: the operator accepts the failures so far
 * and the next wave starts.
 */
export async function resume(ctx: Ctx, operatorId: string, id: number) {
  const c = await getCampaign(ctx.db, operatorId, id);
  if (c.status === 'paused') {
    const r = await ctx.db.query(`UPDATE firmware_campaigns SET status = 'running', halted_reason = NULL, updated_at = $2 WHERE id = $1 AND status = 'paused'`, [id, ctx.clock.date()]);
    if (r.rowCount) await startWave(ctx, id, c.currentWave);
    return getCampaign(ctx.db, operatorId, id);
  }
  if (c.status !== 'halted') throw conflict(`campaign ${id} is ${c.status}, not halted or paused`);
  const next = c.currentWave + 1;
  await ctx.db.query(`UPDATE firmware_campaigns SET status = $2, halted_reason = NULL, current_wave = LEAST($3, array_length(waves, 1)), updated_at = $4 WHERE id = $1`, [
    id,
    next > c.waves.length ? 'completed' : 'running',
    next,
    ctx.clock.date(),
  ]);
  if (next <= c.waves.length) await startWave(ctx, id, next);
  return getCampaign(ctx.db, operatorId, id);
}

/** Send UpdateFirmware again to one charger that failed (or is stuck). */
export async function retry(ctx: Ctx, operatorId: string, id: number, chargerId: string) {
  const c = await getCampaign(ctx.db, operatorId, id);
  const t = c.chargers.find((x) => x.chargerId === chargerId);
  if (!t) throw notFound(`charger ${chargerId} in campaign ${id}`);
  if (t.state === 'succeeded') throw conflict(`charger ${chargerId} already runs ${c.file.version}`);
  await send(ctx, id, chargerId);
  return getCampaign(ctx.db, operatorId, id);
}

/** GetDiagnostics from a charger of the campaign (to see why it failed); answers the file name it will upload. */
export async function diagnostics(ctx: Ctx, operatorId: string, id: number, chargerId: string, location: string) {
  const c = await getCampaign(ctx.db, operatorId, id);
  if (!c.chargers.some((x) => x.chargerId === chargerId)) throw notFound(`charger ${chargerId} in campaign ${id}`);
  const gw = ctx.services.ocpp;
  if (!gw) throw conflict('the OCPP gateway is not running');
  return gw.call(chargerId, 'GetDiagnostics', { location });
}

export { TERMINAL };
