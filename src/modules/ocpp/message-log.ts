import type { Db, Queryable } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/log.ts';
import { GroupCommit } from '../../platform/group-commit.ts';

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
}

/** Splits a frame's text into what the log keeps. */
export function parseFrame(text: string): Omit<FrameEntry, 'operatorId' | 'chargerId' | 'direction' | 'action' | 'at'> & { action: string | null } {
  let f: unknown;
  try {
    f = JSON.parse(text);
  } catch {
    return { messageType: null, messageId: null, action: null, payload: null, raw: text, errorCode: null };
  }
  if (!Array.isArray(f) || typeof f[0] !== 'number') return { messageType: null, messageId: null, action: null, payload: null, raw: text, errorCode: null };
  const [type, id] = f;
  const messageId = typeof id === 'string' ? id : id === undefined ? null : String(id);
  if (type === 2) return { messageType: 2, messageId, action: typeof f[2] === 'string' ? f[2] : null, payload: f[3] ?? null, raw: null, errorCode: null };
  if (type === 3) return { messageType: 3, messageId, action: null, payload: f[2] ?? null, raw: null, errorCode: null };
  if (type === 4)
    return { messageType: 4, messageId, action: null, payload: { description: f[3] ?? '', details: f[4] ?? {} }, raw: null, errorCode: typeof f[2] === 'string' ? f[2] : null };
  return { messageType: type, messageId, action: null, payload: null, raw: text, errorCode: null };
}

/**
 * Writes frames in batches (group commit): whatever arrives while one INSERT runs goes into the next.
 * `write` resolves once the frame is durable, so a handler can wait for its frame before acting.
 */
export class MessageLog {
  private writer: GroupCommit<FrameEntry, void>;

  /** Up to `parallel` INSERTs at once, so a slow one does not hold every charger up. */
  constructor(db: Db, log: Logger, maxBatch = 500, parallel = 2) {
    this.writer = new GroupCommit<FrameEntry, void>({
      writeBatch: async (es) => {
        await insertFrames(db, es);
        return es.map(() => undefined as void);
      },
      maxBatch,
      parallel,
      onBatchError: 'fail-all',
      onError: (err, frames) => log.error({ err, frames }, 'could not store OCPP frames'),
    });
  }

  write(e: FrameEntry): Promise<void> {
    return this.writer.write(e);
  }

  /** Resolves when everything queued so far is written (tests, shutdown). */
  drain() {
    return this.writer.drain();
  }
}

async function insertFrames(q: Queryable, es: FrameEntry[]) {
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
  f: { operatorId: string | null; chargerId: string; from?: Date; to?: Date; action?: string; limit: number },
) {
  const r = await q.query(
    `SELECT id, direction, message_type, message_id, action, payload, raw, error_code, at FROM ocpp_messages
     WHERE charger_id = $1 AND ($2::text IS NULL OR operator_id = $2) AND ($3::timestamptz IS NULL OR at >= $3)
       AND ($4::timestamptz IS NULL OR at < $4) AND ($5::text IS NULL OR action = $5)
     ORDER BY at DESC, id DESC LIMIT $6`,
    [f.chargerId, f.operatorId, f.from ?? null, f.to ?? null, f.action ?? null, f.limit],
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
