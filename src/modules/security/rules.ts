/**
 * Billing-evasion detection rules (issue 13, support case 1): a deterministic reducer over what a
 * charger reports, with no I/O, no clock and no database. The live path (the OCPP observer) and the
 * history scan feed it the same observations, so a finding gets the same key either way and the
 * store keeps one incident per occurrence however often the traffic is evaluated.
 *
 * `observe(state, obs, th)` mutates the plain-data `state` it is given (the live path runs it per
 * frame: allocating a new state per MeterValues would cost more than the rules) and returns the
 * findings the observation raised or moved forward. A finding with a key seen before is the same
 * incident, grown (its `to` and unbilled energy only move forward).
 */

export const INCIDENT_KINDS = [
  'meter_gap',
  'energy_without_transaction',
  'invalid_tag_energy',
  'stop_meter_mismatch',
  'main_meter_excess',
  'tag_multi_connector',
  'duplicate_connection',
  'security_event',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Per-operator settings (operator settings `securityThresholds`); every energy in Wh. */
export interface Thresholds {
  /** meter_gap, stop_meter_mismatch, main_meter_excess: the tolerance in Wh */
  thresholdWh: number;
  /** energy_without_transaction: register rise with no open transaction before it counts */
  noTransactionWh: number;
  /** energy_without_transaction: how long a connector may say Charging before its StartTransaction */
  chargingGraceMs: number;
  /** invalid_tag_energy: energy a refused transaction may still show (0: any rise) */
  invalidTagWh: number;
  /** main_meter_excess: the charger's own losses, in percent of the connectors' billed energy */
  mainMeterLossPct: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { thresholdWh: 500, noTransactionWh: 100, chargingGraceMs: 120_000, invalidTagWh: 0, mainMeterLossPct: 3 };

/** Where a finding's evidence lives: the frame (live) or the stored row (history). */
export interface Ref {
  at: number;
  action: string;
  messageId?: string;
  sessionId?: number;
}

export type Obs =
  | { type: 'start'; chargerId: string; at: number; connectorId: number; txId: number; idTag: string; status: string; meterStart: number; ref: Ref }
  | { type: 'stop'; chargerId: string; at: number; txId: number; meterStop: number; ref: Ref }
  /** one energy register reading (Energy.Active.Import.Register, phase-less, in Wh); connector 0 is the main meter */
  | { type: 'meter'; chargerId: string; at: number; connectorId: number; txId: number | null; registerWh: number; ref: Ref }
  | { type: 'status'; chargerId: string; at: number; connectorId: number; status: string; ref: Ref }
  /** any frame at all: lets time-based rules (Charging without a transaction) conclude */
  | { type: 'tick'; chargerId: string; at: number }
  | { type: 'connected'; chargerId: string; at: number; previousAlive: boolean; ref: Ref }
  | { type: 'security'; chargerId: string; at: number; eventType: string; ref: Ref };

export interface Finding {
  kind: IncidentKind;
  /** the occurrence: the same key from live and history evaluation */
  key: string;
  chargerId: string;
  connectorId: number | null;
  sessionId: number | null;
  from: number;
  to: number;
  unbilledWh: number;
  evidence: Ref[];
  details: Record<string, unknown>;
}

interface Tx {
  id: number;
  connectorId: number;
  idTag: string;
  status: string;
  meterStart: number;
  startAt: number;
  last: number;
  lastAt: number;
  /** Wh per ms from the last two readings: what the register could add before the stop */
  rate: number;
  refs: Ref[];
}

interface NoTx {
  from: number;
  base: number | null;
  last: number | null;
  lastAt: number;
  chargingSince: number | null;
  refs: Ref[];
  raised: boolean;
}

interface ConnectorState {
  tx: Tx | null;
  /** the last register known outside a transaction (a stop's meterStop, or a reading with none open) */
  idleRegister: number | null;
  noTx: NoTx | null;
}

interface MainDay {
  day: string;
  first: number;
  firstAt: number;
  last: number;
  lastAt: number;
  billedWh: number;
  refs: Ref[];
}

interface ChargerState {
  connectors: Map<number, ConnectorState>;
  main: MainDay | null;
}

export interface DetectorState {
  chargers: Map<string, ChargerState>;
  /** open transactions by id tag, operator-wide (tag_multi_connector) */
  tags: Map<string, Set<Tx>>;
  /** transaction id → its charger (a StopTransaction names only the id) */
  txs: Map<number, { chargerId: string; tx: Tx }>;
  /** local calendar day of an instant (the operator's time zone) for main_meter_excess */
  dayOf: (ms: number) => string;
}

export const REFUSED = new Set(['Invalid', 'Blocked', 'Expired']);
const MAX_REFS = 20;

export function createState(dayOf: (ms: number) => string = (ms) => new Date(ms).toISOString().slice(0, 10)): DetectorState {
  return { chargers: new Map(), tags: new Map(), txs: new Map(), dayOf };
}

/** What a live state learns from the database when it first sees a charger (after a restart). */
export interface Seed {
  chargerId: string;
  connectorId: number;
  /** an open transaction */
  tx?: { id: number; idTag: string; status: string; meterStart: number; startAt: number; last: number | null; lastAt: number | null };
  /** the previous session's meterStop */
  idleRegister?: number | null;
}

export function seed(state: DetectorState, s: Seed) {
  const c = connector(state, s.chargerId, s.connectorId);
  if (s.idleRegister !== undefined && s.idleRegister !== null && c.idleRegister === null) c.idleRegister = s.idleRegister;
  if (s.tx && !state.txs.has(s.tx.id)) {
    const t = s.tx;
    openTx(state, s.chargerId, { id: t.id, connectorId: s.connectorId, idTag: t.idTag, status: t.status, meterStart: t.meterStart, startAt: t.startAt, last: t.last ?? t.meterStart, lastAt: t.lastAt ?? t.startAt, rate: 0, refs: [] });
  }
}

export function knowsCharger(state: DetectorState, chargerId: string) {
  return state.chargers.has(chargerId);
}

function charger(state: DetectorState, id: string): ChargerState {
  let c = state.chargers.get(id);
  if (!c) state.chargers.set(id, (c = { connectors: new Map(), main: null }));
  return c;
}

function connector(state: DetectorState, chargerId: string, id: number): ConnectorState {
  const ch = charger(state, chargerId);
  let c = ch.connectors.get(id);
  if (!c) ch.connectors.set(id, (c = { tx: null, idleRegister: null, noTx: null }));
  return c;
}

/** Keeps the first half and the latest half of a finding's frames (a long occurrence stays readable). */
function addRef(refs: Ref[], r: Ref) {
  if (refs.length >= MAX_REFS) refs.splice(MAX_REFS / 2, 1);
  refs.push(r);
}

function openTx(state: DetectorState, chargerId: string, tx: Tx) {
  connector(state, chargerId, tx.connectorId).tx = tx;
  state.txs.set(tx.id, { chargerId, tx });
  let set = state.tags.get(tx.idTag);
  if (!set) state.tags.set(tx.idTag, (set = new Set()));
  set.add(tx);
}

function closeTx(state: DetectorState, chargerId: string, tx: Tx) {
  const c = connector(state, chargerId, tx.connectorId);
  if (c.tx === tx) c.tx = null;
  state.txs.delete(tx.id);
  const set = state.tags.get(tx.idTag);
  set?.delete(tx);
  if (set && !set.size) state.tags.delete(tx.idTag);
}

const refused = (tx: Tx) => REFUSED.has(tx.status);

function invalidFinding(chargerId: string, tx: Tx, upTo: number, at: number, th: Thresholds, ended: boolean): Finding | null {
  const wh = upTo - tx.meterStart;
  if (wh <= th.invalidTagWh) return null;
  return {
    kind: 'invalid_tag_energy',
    key: `invalid_tag_energy:${chargerId}:${tx.id}`,
    chargerId,
    connectorId: tx.connectorId,
    sessionId: tx.id,
    from: tx.startAt,
    to: at,
    unbilledWh: wh,
    evidence: [...tx.refs],
    details: { idTag: tx.idTag, idTagStatus: tx.status, meterStart: tx.meterStart, register: upTo, ended },
  };
}

function noTxFinding(chargerId: string, connectorId: number, w: NoTx): Finding {
  const wh = w.base !== null && w.last !== null ? Math.max(0, w.last - w.base) : 0;
  return {
    kind: 'energy_without_transaction',
    key: `energy_without_transaction:${chargerId}:${connectorId}:${w.from}`,
    chargerId,
    connectorId,
    sessionId: null,
    from: w.from,
    to: Math.max(w.lastAt, w.from),
    unbilledWh: wh,
    evidence: [...w.refs],
    details: { registerFrom: w.base, registerTo: w.last, chargingSince: w.chargingSince },
  };
}

/** An open no-transaction window concludes when it is big enough, or Charging lasted past the grace. */
function judgeNoTx(chargerId: string, connectorId: number, w: NoTx, at: number, th: Thresholds): Finding | null {
  const wh = w.base !== null && w.last !== null ? w.last - w.base : 0;
  const energy = wh > th.noTransactionWh;
  const charging = w.chargingSince !== null && at - w.chargingSince > th.chargingGraceMs;
  if (!energy && !charging && !w.raised) return null;
  w.raised = true;
  return noTxFinding(chargerId, connectorId, w);
}

function mainFinding(chargerId: string, d: MainDay, th: Thresholds): Finding | null {
  const growth = d.last - d.first;
  const allowed = d.billedWh + Math.ceil((d.billedWh * th.mainMeterLossPct) / 100) + th.thresholdWh;
  if (growth <= allowed) return null;
  return {
    kind: 'main_meter_excess',
    key: `main_meter_excess:${chargerId}:${d.day}`,
    chargerId,
    connectorId: 0,
    sessionId: null,
    from: d.firstAt,
    to: d.lastAt,
    unbilledWh: growth - d.billedWh,
    evidence: [...d.refs],
    details: { day: d.day, mainMeterWh: growth, billedWh: d.billedWh, lossPct: th.mainMeterLossPct },
  };
}

/** Energy a transaction's register moved by: billed energy for the main-meter balance of the day. */
function billed(state: DetectorState, chargerId: string, tx: Tx, delta: number, at: number) {
  if (delta <= 0 || refused(tx)) return;
  const m = charger(state, chargerId).main;
  if (m && m.day === state.dayOf(at)) m.billedWh += delta;
}

/** Adds a finding if there is one (a module function, not a closure per observation: the scan makes millions). */
function put(out: Finding[], f: Finding | null) {
  if (f) out.push(f);
}

export function observe(state: DetectorState, o: Obs, th: Thresholds): Finding[] {
  const out: Finding[] = [];
  switch (o.type) {
    case 'start': {
      const c = connector(state, o.chargerId, o.connectorId);
      // A transaction still open on this connector ended without its StopTransaction (lost): forget it.
      if (c.tx) closeTx(state, o.chargerId, c.tx);
      if (c.noTx) {
        put(out, judgeNoTx(o.chargerId, o.connectorId, c.noTx, o.at, { ...th, chargingGraceMs: Infinity }));
        if (c.noTx.last !== null) c.idleRegister = Math.max(c.idleRegister ?? 0, c.noTx.last);
        c.noTx = null;
      }
      if (c.idleRegister !== null && o.meterStart - c.idleRegister > th.thresholdWh)
        put(out, {
          kind: 'meter_gap',
          key: `meter_gap:${o.chargerId}:${o.txId}`,
          chargerId: o.chargerId,
          connectorId: o.connectorId,
          sessionId: o.txId,
          from: o.at,
          to: o.at,
          unbilledWh: o.meterStart - c.idleRegister,
          evidence: [o.ref],
          details: { previousRegister: c.idleRegister, meterStart: o.meterStart },
        });
      const tx: Tx = { id: o.txId, connectorId: o.connectorId, idTag: o.idTag, status: o.status, meterStart: o.meterStart, startAt: o.at, last: o.meterStart, lastAt: o.at, rate: 0, refs: [o.ref] };
      for (const other of state.tags.get(o.idTag) ?? [])
        if (other.id !== tx.id)
          put(out, {
            kind: 'tag_multi_connector',
            key: `tag_multi_connector:${Math.min(other.id, tx.id)}:${Math.max(other.id, tx.id)}`,
            chargerId: o.chargerId,
            connectorId: o.connectorId,
            sessionId: tx.id,
            from: o.at,
            to: o.at,
            unbilledWh: 0,
            evidence: [...other.refs.slice(0, 1), o.ref],
            details: { idTag: o.idTag, otherSessionId: other.id, otherChargerId: state.txs.get(other.id)?.chargerId, otherConnectorId: other.connectorId, idTagStatus: o.status },
          });
      openTx(state, o.chargerId, tx);
      return out;
    }
    case 'stop': {
      const e = state.txs.get(o.txId);
      if (!e || e.chargerId !== o.chargerId) return out;
      const tx = e.tx;
      addRef(tx.refs, o.ref);
      if (refused(tx)) put(out, invalidFinding(o.chargerId, tx, Math.max(o.meterStop, tx.last), o.at, th, true));
      else {
        billed(state, o.chargerId, tx, o.meterStop - tx.last, o.at);
        // below the last reading: billed less than measured. Above it: more than the register could have added since.
        const expected = o.meterStop < tx.last ? tx.last : tx.last + Math.max(0, tx.rate * (o.at - tx.lastAt));
        if (tx.lastAt > tx.startAt && Math.abs(o.meterStop - expected) > th.thresholdWh)
          put(out, {
            kind: 'stop_meter_mismatch',
            key: `stop_meter_mismatch:${o.chargerId}:${tx.id}`,
            chargerId: o.chargerId,
            connectorId: tx.connectorId,
            sessionId: tx.id,
            from: tx.lastAt,
            to: o.at,
            unbilledWh: Math.max(0, tx.last - o.meterStop),
            evidence: [...tx.refs],
            details: { meterStop: o.meterStop, lastRegister: tx.last, lastRegisterAt: new Date(tx.lastAt).toISOString(), expected: Math.round(expected) },
          });
      }
      closeTx(state, o.chargerId, tx);
      connector(state, o.chargerId, tx.connectorId).idleRegister = Math.max(o.meterStop, tx.last);
      return out;
    }
    case 'meter': {
      if (o.connectorId === 0) {
        const ch = charger(state, o.chargerId);
        const day = state.dayOf(o.at);
        if (ch.main && ch.main.day !== day) {
          ch.main.last = Math.max(ch.main.last, o.registerWh); // the day ends at this reading
          put(out, mainFinding(o.chargerId, ch.main, th));
          ch.main = null;
        }
        if (!ch.main) ch.main = { day, first: o.registerWh, firstAt: o.at, last: o.registerWh, lastAt: o.at, billedWh: 0, refs: [o.ref] };
        else if (o.at >= ch.main.lastAt) {
          ch.main.last = o.registerWh;
          ch.main.lastAt = o.at;
          addRef(ch.main.refs, o.ref);
        }
        return out;
      }
      const c = connector(state, o.chargerId, o.connectorId);
      const tx = c.tx && (o.txId === null || o.txId === c.tx.id) ? c.tx : o.txId !== null ? (state.txs.get(o.txId)?.tx ?? null) : null;
      if (tx) {
        if (o.at < tx.lastAt) return out; // late, out of order: the register only moves forward
        const delta = o.registerWh - tx.last;
        if (delta > 0 && o.at > tx.lastAt) tx.rate = delta / (o.at - tx.lastAt);
        billed(state, o.chargerId, tx, delta, o.at);
        if (o.registerWh > tx.last) tx.last = o.registerWh;
        tx.lastAt = o.at;
        addRef(tx.refs, o.ref);
        if (refused(tx) && delta > 0) put(out, invalidFinding(o.chargerId, tx, tx.last, o.at, th, false));
        return out;
      }
      // No open transaction on this connector.
      const prev = c.noTx?.last ?? c.idleRegister;
      if (prev !== null && o.registerWh > prev) {
        if (!c.noTx) c.noTx = { from: o.at, base: prev, last: o.registerWh, lastAt: o.at, chargingSince: null, refs: [o.ref], raised: false };
        else {
          c.noTx.base ??= prev;
          c.noTx.last = o.registerWh;
          c.noTx.lastAt = o.at;
          addRef(c.noTx.refs, o.ref);
        }
        put(out, judgeNoTx(o.chargerId, o.connectorId, c.noTx, o.at, th));
      } else if (c.noTx) {
        c.noTx.base ??= o.registerWh;
        c.noTx.last = Math.max(c.noTx.last ?? o.registerWh, o.registerWh);
        put(out, judgeNoTx(o.chargerId, o.connectorId, c.noTx, o.at, th));
      } else c.idleRegister = Math.max(c.idleRegister ?? 0, o.registerWh);
      return out;
    }
    case 'status': {
      if (o.connectorId === 0) return out;
      const c = connector(state, o.chargerId, o.connectorId);
      if (o.status === 'Charging' && !c.tx) {
        if (!c.noTx) c.noTx = { from: o.at, base: c.idleRegister, last: c.idleRegister, lastAt: o.at, chargingSince: o.at, refs: [o.ref], raised: false };
        else {
          c.noTx.chargingSince ??= o.at;
          addRef(c.noTx.refs, o.ref);
        }
      } else if (c.noTx && o.status !== 'Charging' && o.status !== 'SuspendedEV' && o.status !== 'SuspendedEVSE') {
        // Charging ended with no transaction: the occurrence is over (raised, or too short to matter).
        put(out, judgeNoTx(o.chargerId, o.connectorId, c.noTx, Math.max(o.at, c.noTx.lastAt), { ...th, chargingGraceMs: c.noTx.raised ? 0 : th.chargingGraceMs }));
        if (c.noTx.last !== null) c.idleRegister = c.noTx.last;
        c.noTx = null;
      }
      return out;
    }
    case 'tick': {
      const ch = state.chargers.get(o.chargerId);
      if (!ch) return out;
      for (const [id, c] of ch.connectors) if (c.noTx && !c.noTx.raised && c.noTx.chargingSince !== null) put(out, judgeNoTx(o.chargerId, id, c.noTx, o.at, th));
      return out;
    }
    case 'connected':
      if (o.previousAlive)
        put(out, { kind: 'duplicate_connection', key: `duplicate_connection:${o.chargerId}:${o.at}`, chargerId: o.chargerId, connectorId: null, sessionId: null, from: o.at, to: o.at, unbilledWh: 0, evidence: [o.ref], details: {} });
      return out;
    case 'security':
      if (/tamper|firmware/i.test(o.eventType))
        put(out, {
          kind: 'security_event',
          key: `security_event:${o.chargerId}:${o.eventType}:${o.at}`,
          chargerId: o.chargerId,
          connectorId: null,
          sessionId: null,
          from: o.at,
          to: o.at,
          unbilledWh: 0,
          evidence: [o.ref],
          details: { type: o.eventType },
        });
      return out;
  }
}

/** Ends every day still open (a history scan at its end): the main-meter balance of the last day. */
export function finish(state: DetectorState, th: Thresholds): Finding[] {
  const out: Finding[] = [];
  for (const [id, ch] of state.chargers) {
    if (ch.main) {
      const f = mainFinding(id, ch.main, th);
      if (f) out.push(f);
    }
  }
  return out;
}

/** The energy register of one MeterValues frame's sampled values (phase-less import register, Wh or kWh), per timestamp. */
export function energyReadings(meterValue: { timestamp: string; sampledValue: { value: string; measurand?: string; phase?: string; unit?: string; format?: string }[] }[]): { at: number; wh: number }[] {
  const out: { at: number; wh: number }[] = [];
  for (const mv of meterValue) {
    for (const sv of mv.sampledValue) {
      if ((sv.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || sv.phase || sv.format === 'SignedData') continue;
      const n = Number(sv.value);
      if (!Number.isFinite(n)) continue;
      const unit = sv.unit ?? 'Wh';
      const wh = unit === 'kWh' ? Math.round(n * 1000) : unit === 'Wh' ? Math.round(n) : NaN;
      if (Number.isFinite(wh)) out.push({ at: Date.parse(mv.timestamp), wh });
      break;
    }
  }
  return out;
}
