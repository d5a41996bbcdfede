import type { Db, Queryable } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/log.ts';
import { GroupCommit } from '../../platform/group-commit.ts';
import { storableJson, storableOrNull } from '../../platform/safe-text.ts';
import { jsonTooDeep } from '../../platform/json-limits.ts';

export interface FrameEntry {
  operatorId: string;
  chargerId: string;
  direction: 'in' | 'out';
  messageType: number | null;
  messageId: string | null;
  action: string | null;
  /** the parsed frame's payload (params, result or error details); null when unparseable */
  payload: unknown;
  /** the frame's text when it could not be parsed */
  raw: string | null;
  errorCode: string | null;
  at: Date;
  /** the frame's text, kept (escaped) only when the parsed form cannot be stored */
  text?: string;
}

export type ParsedFrame = Omit<FrameEntry, 'operatorId' | 'chargerId' | 'direction' | 'action' | 'at'> & {
  action: string | null;
  /** nested deeper than MAX_JSON_DEPTH: not parsed, answered FormationViolation */
  tooDeep?: boolean;
};

const unparsed = (text: string, messageId: string | null = null): ParsedFrame => ({ messageType: null, messageId, action: null, payload: null, raw: text, errorCode: null });

/** Splits a frame's text into what the log keeps. */
export function parseFrame(text: string): ParsedFrame {
  if (jsonTooDeep(text)) return { ...unparsed(text, callIdOf(text)), tooDeep: true };
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    return unparsed(text);
  }
  // message_type is an int column: anything but a small integer is not a message type
  if (!Array.isArray(f) || !Number.isInteger(f[0]) || Math.abs(f[0]) > 1000) return unparsed(text);
  const [type, id] = f;
  const messageId = typeof id === 'string' ? id : id === undefined ? null : String(id);
  if (type === 2) return { messageType: 2, messageId, action: typeof f[2] === 'string' ? f[2] : null, payload: f[3] ?? null, raw: null, errorCode: null };
  if (type === 3) return { messageType: 3, messageId, action: null, payload: f[2] ?? null, raw: null, errorCode: null };
  if (type === 4)
    return { messageType: 4, messageId, action: null, payload: { description: f[3] ?? '', details: f[4] ?? {} }, raw: null, errorCode: typeof f[2] === 'string' ? f[2] : null };
  return { messageType: type, messageId, action: null, payload: null, raw: text, errorCode: null };
}

/** The message id of a CALL read from its first bytes (for frames too deep to parse). */
function callIdOf(text: string): string | null {
  const m = /^\s*\[\s*2\s*,\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!m) return null;
  try {
    return JSON.parse(m[1]) as string;
  } catch {
    return null;
  }
}

/** The form of an entry PostgreSQL accepts: NUL and lone surrogates escaped (recoverably, see safe-text.ts). */
export function storableEntry(e: FrameEntry): FrameEntry {
  return {
    ...e,
    messageId: storableOrNull(e.messageId),
    action: storableOrNull(e.action),
    payload: e.payload === null || e.payload === undefined ? null : storableJson(e.payload),
    raw: storableOrNull(e.raw),
    errorCode: storableOrNull(e.errorCode),
    text: undefined,
  };
}

/**
 * Writes frames in batches (group commit): whatever arrives while one INSERT runs goes into the next.
 * `write` resolves once the frame is durable, so a handler can wait for its frame before acting.
 * A batch that fails is written again frame by frame, so one bad frame never fails its neighbours;
 * a frame that still fails alone is stored as its (escaped) text. `write` rejects only when even
 * that cannot be stored (the database is down): the caller answers the charger with a CALLERROR.
 */
export class MessageLog {
  /** inbound frames: each is acted on only once stored, so these are waited for */
  private inbound: GroupCommit<FrameEntry, void>;
  /**
   * outbound frames, logged as they are sent: nobody waits for them, and at thousands of MeterValues
   * answers a second they must not queue ahead of a command's answer (its inbound frame waits for its row)
   */
  private outbound: GroupCommit<FrameEntry, void>;

  /** Up to `parallel` INSERTs at once per direction, so a slow one does not hold every charger up. */
  constructor(
    db: Db,
    private log: Logger,
    maxBatch = 500,
    parallel = 2,
  ) {
    const lane = () =>
      new GroupCommit<FrameEntry, void>({
        writeBatch: async (es) => {
          await insertFrames(db, es);
          return es.map(() => undefined as void);
        },
        maxBatch,
        parallel,
        onBatchError: 'one-by-one',
        onError: (err, size) => log.warn({ err, size }, 'a batch of OCPP frames failed; writing them one by one'),
      });
    this.inbound = lane();
    this.outbound = lane();
  }

  async write(e: FrameEntry): Promise<void> {
    const writer = e.direction === 'out' ? this.outbound : this.inbound;
    try {
      return await writer.write(storableEntry(e));
    } catch (err) {
      this.log.error({ err, chargerId: e.chargerId, messageId: e.messageId, action: e.action }, 'OCPP frame could not be stored as parsed; storing its text');
      const text = e.text ?? e.raw ?? safeStringify(e.payload);
      return writer.write(storableEntry({ ...e, messageType: null, payload: null, raw: text, errorCode: null, action: e.action }));
    }
  }

  /** Resolves when everything queued so far is written (tests, shutdown). */
  async drain() {
    await Promise.all([this.inbound.drain(), this.outbound.drain()]);
  }
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '(unprintable)';
  }
}

export async function insertFrames(q: Queryable, es: FrameEntry[]) {
  await q.query(
    `INSERT INTO ocpp_messages (operator_id, charger_id, direction, message_type, message_id, action, payload, raw, error_code, at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[], $10::timestamptz[])`,
    [
      es.map((e) => e.operatorId),
      es.map((e) => e.chargerId),
      es.map((e) => e.direction),
      es.map((e) => e.messageType),
      es.map((e) => e.messageId),
      es.map((e) => e.action),
      es.map((e) => (e.payload === null || e.payload === undefined ? null : JSON.stringify(e.payload))),
      es.map((e) => e.raw),
      es.map((e) => e.errorCode),
      es.map((e) => e.at.toISOString()),
    ],
  );
}

export async function searchMessages(
  q: Queryable,
  f: { operatorId: string | null; chargerId: string; from?: Date; to?: Date; action?: string; messageId?: string; limit: number },
) {
  const r = await q.query(
    `SELECT id, direction, message_type, message_id, action, payload, raw, error_code, at FROM ocpp_messages
     WHERE charger_id = $1 AND ($2::text IS NULL OR operator_id = $2) AND ($3::timestamptz IS NULL OR at >= $3)
       AND ($4::timestamptz IS NULL OR at < $4) AND ($5::text IS NULL OR action = $5) AND ($7::text IS NULL OR message_id = $7)
     ORDER BY at DESC, id DESC LIMIT $6`,
    [f.chargerId, f.operatorId, f.from ?? null, f.to ?? null, f.action ?? null, f.limit, f.messageId ?? null],
  );
  return r.rows.map((m: any) => ({
    id: m.id,
    direction: m.direction,
    messageType: m.message_type === 2 ? 'CALL' : m.message_type === 3 ? 'CALLRESULT' : m.message_type === 4 ? 'CALLERROR' : 'unparseable',
    messageId: m.message_id,
    action: m.action,
    payload: m.payload,
    raw: m.raw,
    errorCode: m.error_code,
    at: (m.at as Date).toISOString(),
  }));
}

/** Deletes frames older than the retention; returns how many went. */
export async function purgeMessageLog(q: Queryable, retentionDays: number): Promise<number> {
  const r = await q.query(`DELETE FROM ocpp_messages WHERE at < now() - make_interval(days => $1)`, [retentionDays]);
  return r.rowCount;
}
