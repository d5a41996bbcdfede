import type { Ctx } from '../../platform/context.ts';
import { touchCharger } from '../registry/index.ts';
import { OPEN, has16Schema, validate16, type RPCServerClient } from './rpc.ts';
import type { Connection } from './connection.ts';
import { parseFrame, type MessageLog, type FrameEntry, type ParsedFrame } from './message-log.ts';
import type { MeterFrameWriter } from './meter-frames.ts';
import { checkValues, checkConnector } from './v16/constraints.ts';
import { storableJson } from '../../platform/safe-text.ts';
import { connectorIdsOf } from '../registry/index.ts';
import { errorCode16 } from './errors.ts';
import { MAX_JSON_DEPTH } from '../../platform/json-limits.ts';
import { ocppObservers } from './observers.ts';
import { meterRecorded } from './v16/meter-values.ts';
import type { MeterSession } from '../sessions/index.ts';

/** A metrics label: the charger chooses action names, so only the 1.6 ones become label values (bounded cardinality). */
const actionLabel = (a: string | null) => (a && has16Schema(`urn:${a}.req`) ? a : 'unknown');

/**
 * A frame's action: a CALL names its own and is remembered by its id among this side's `calls`; an
 * answer takes the action of the other side's CALL it answers (forgotten then).
 */
function frameAction(f: Pick<ParsedFrame, 'messageType' | 'messageId' | 'action'>, calls: Map<string, string>, answered: Map<string, string>): string | null {
  if (f.messageType === 2 && f.messageId && f.action) calls.set(f.messageId, f.action);
  if ((f.messageType !== 3 && f.messageType !== 4) || !f.messageId) return f.action;
  const action = answered.get(f.messageId) ?? null;
  answered.delete(f.messageId);
  return action;
}

/** Sends a CALLERROR for a CALL the gateway answers itself (never handed to ocpp-rpc). */
export function answerError(conn: Connection, messageId: string | null, code: string, description: string) {
  if (conn.client.state !== OPEN) return;
  conn.client.sendRaw(JSON.stringify([4, messageId ?? '-1', code, description, {}]));
}

/**
 * Store before act: every inbound frame is written to the message log before ocpp-rpc sees it, in
 * arrival order; every outbound frame is logged as it is sent, and CALLERROR codes get their 1.6
 * spelling. This reaches into ocpp-rpc's per-client `_onMessage` (the one hook that runs before any
 * processing); the e2e suite fails loudly should a new ocpp-rpc version change it.
 *
 * Every CALL is answered: a frame nested too deep to parse safely gets FormationViolation, and a
 * frame the log cannot store even in its escaped text form (the database is down) gets InternalError
 * — the charger retries it later — instead of silence.
 */
export function interceptFrames(ctx: Ctx, log: MessageLog, conn: Connection, meter: MeterFrameWriter | null = null) {
  const client = conn.client as RPCServerClient & { _onMessage: (b: Buffer) => void };
  if (typeof client._onMessage !== 'function') throw new Error('ocpp-rpc changed: RPCServerClient._onMessage is gone');
  const onMessage = client._onMessage.bind(client);
  let chain: Promise<unknown> = Promise.resolve();
  client._onMessage = (buf: Buffer) => {
    const text = buf.toString('utf8');
    if (!text.length) return onMessage(buf);
    const f = parseFrame(text);
    const action = frameAction(f, conn.inbound, conn.outbound);
    ctx.metrics.framesTotal.inc({ direction: 'in', action: actionLabel(action) });
    const { tooDeep, ...rest } = f;
    const entry: FrameEntry = { ...rest, action, operatorId: conn.operatorId, chargerId: conn.chargerId, direction: 'in', at: ctx.clock.date(), text };
    // A valid MeterValues is stored with its samples in one commit (meter-frames.ts); anything else (an
    // invalid one included: ocpp-rpc answers it) goes to the message log alone.
    const stored: Promise<MeterStored | void> = meter && f.messageType === 2 && action === 'MeterValues' && f.messageId && !tooDeep ? storeMeterValues(ctx, log, meter, conn, entry) : log.write(entry);
    stored.catch(() => {}); // handled below, once the frames before it are acted on
    // An answer to our command waits for its own row only, not for the charger's calls before it.
    const after = f.messageType === 3 || f.messageType === 4 ? Promise.resolve() : chain;
    const acted = after
      .then(() => Promise.all([stored, conn.ready]))
      .then(
        ([m]) => (tooDeep ? answerError(conn, f.messageId, 'FormationViolation', `the frame is nested deeper than ${MAX_JSON_DEPTH} levels`) : m ? answerMeterValues(ctx, conn, m, sendFrame) : onMessage(buf)),
        (err) => {
          // Not stored means not acted on; a CALL still gets an answer, so the charger knows to retry.
          ctx.log.error({ err, chargerId: conn.chargerId, messageId: f.messageId, action }, 'OCPP frame not stored; not acted on');
          if (f.messageType === 2 || tooDeep) answerError(conn, f.messageId, 'InternalError', 'the frame could not be stored; send it again later');
        },
      );
    if (after === chain) chain = acted;
    if (conn.lastTouch < ctx.clock.now() - 60_000) {
      conn.lastTouch = ctx.clock.now();
      touchCharger(ctx.db, conn.chargerId).catch(() => {});
    }
  };
  const sendRaw = client.sendRaw.bind(client);
  /** Logs an outbound frame whose parts are known, then sends its text. */
  const sendFrame = (text: string, f: Omit<ParsedFrame, 'tooDeep'>) => {
    const action = frameAction(f, conn.outbound, conn.inbound);
    ctx.metrics.framesTotal.inc({ direction: 'out', action: actionLabel(action) });
    log
      .write({ ...f, action, operatorId: conn.operatorId, chargerId: conn.chargerId, direction: 'out', at: ctx.clock.date(), text })
      .catch(() => {}); // already logged by the writer
    return sendRaw(text);
  };
  // what ocpp-rpc sends is parsed back to be logged; the gateway's own MeterValues answers are not (sendFrame)
  client.sendRaw = (message: string) => {
    let text = typeof message === 'string' ? message : String(message);
    const { tooDeep: _deep, ...f } = parseFrame(text);
    if (f.messageType === 4 && f.errorCode) {
      const code = errorCode16(f.errorCode);
      if (code !== f.errorCode) {
        const frame = JSON.parse(text);
        frame[2] = code;
        text = JSON.stringify(frame);
        f.errorCode = code;
      }
    }
    return sendFrame(text, f);
  };
}

interface MeterStored {
  messageId: string;
  params: { connectorId: number; transactionId?: number; meterValue: never[] };
  session: MeterSession | null;
  receivedAt: Date;
}

/**
 * A MeterValues CALL that passes the checks ocpp-rpc and the handler would make is written with its
 * samples and its session's totals in one commit, then answered here, without ocpp-rpc parsing and
 * validating it a second time (the bulk of the gateway's traffic: issue 15's profile). One that fails
 * the checks is logged alone and answered with its CALLERROR by ocpp-rpc, as before.
 */
async function storeMeterValues(ctx: Ctx, log: MessageLog, meter: MeterFrameWriter, conn: Connection, entry: FrameEntry): Promise<MeterStored | void> {
  const p = entry.payload as { connectorId: number; transactionId?: number; meterValue: never[] };
  try {
    validate16('urn:MeterValues.req', p);
  } catch {
    return log.write(entry);
  }
  if (checkValues('MeterValues', p) || (await checkConnector('MeterValues', p, conn, () => connectorIdsOf(ctx.db, conn.chargerId)))) return log.write(entry);
  const params = storableJson(p) as typeof p;
  try {
    const session = await meter.write(conn, entry, { operatorId: conn.operatorId, chargerId: conn.chargerId, connectorId: params.connectorId, transactionId: params.transactionId, meterValue: params.meterValue });
    return { messageId: entry.messageId!, params, session, receivedAt: entry.at };
  } catch (err) {
    // Not written: the frame is still logged if it can be, and the charger is told to send it again.
    await log.write(entry).catch(() => {});
    throw err;
  }
}

type SendFrame = (text: string, f: Omit<ParsedFrame, 'tooDeep'>) => void;

/**
 * The CALLRESULT of a committed MeterValues, and what the handler would have done after it (events,
 * observers). Sent with its parts as known here: the bulk of the gateway's frames is not parsed back to be logged.
 */
function answerMeterValues(ctx: Ctx, conn: Connection, m: MeterStored, send: SendFrame) {
  meterRecorded(ctx, conn, m.session);
  const observers = ocppObservers(ctx);
  if (observers.size) observers.notify({ kind: 'call', operatorId: conn.operatorId, chargerId: conn.chargerId, action: 'MeterValues', params: m.params, result: {}, messageId: m.messageId, receivedAt: m.receivedAt });
  if (conn.client.state === OPEN) send(JSON.stringify([3, m.messageId, {}]), { messageType: 3, messageId: m.messageId, action: null, payload: {}, raw: null, errorCode: null });
}
