/**
 * MeterValues, the bulk of a gateway's traffic, in ONE durable write per frame (issue 15): the
 * frame's message-log row, its meter samples and its session's running totals go to the database in
 * the same transaction, many frames per transaction (group commit, multi-row unnest inserts), and
 * the charger's CALLRESULT is sent only after that commit. Before, each frame waited for three group
 * commits in a row (its log row, its samples, its answer's log row).
 *
 * Back-pressure: when more frames wait than `highWater`, the sockets adding to the queue while they
 * already have frames waiting (the busiest ones) stop being read (ws `pause()`: TCP pushes back on
 * the charger) until the queue is below `lowWater`; memory stays bounded however fast chargers send.
 * Commands never wait here: their answers go through the message log's own queue, and a paused
 * socket is resumed when a command is sent to it.
 */
import type { Db } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/log.ts';
import { GroupCommit } from '../../platform/group-commit.ts';
import { faultPoint } from '../../platform/faults.ts';
import { writeMeterBatch, type MeterInput, type MeterSession } from '../sessions/index.ts';
import { insertFrames, storableEntry, type FrameEntry } from './message-log.ts';
import type { Connection } from './connection.ts';

export interface MeterFrame {
  entry: FrameEntry;
  input: MeterInput;
}

export interface MeterFrameOptions {
  maxBatch?: number;
  parallel?: number;
  /** frames waiting above which the busiest sockets are paused */
  highWater?: number;
  /** frames waiting below which paused sockets are read again */
  lowWater?: number;
}

export class MeterFrameWriter {
  private writer: GroupCommit<MeterFrame, MeterSession | null>;
  /** frames of each connection waiting in the queue or being written */
  private perConn = new Map<Connection, number>();
  readonly paused = new Set<Connection>();
  readonly highWater: number;
  readonly lowWater: number;
  /** largest queue seen (tests, bench) */
  peakQueued = 0;

  constructor(
    db: Db,
    private log: Logger,
    opts: MeterFrameOptions = {},
  ) {
    this.highWater = opts.highWater ?? 4000;
    this.lowWater = opts.lowWater ?? Math.floor(this.highWater / 2);
    this.writer = new GroupCommit<MeterFrame, MeterSession | null>({
      writeBatch: (fs) => this.writeBatch(db, fs),
      maxBatch: opts.maxBatch ?? 1000,
      parallel: opts.parallel ?? 3,
      onBatchError: 'one-by-one',
      onError: (err, size) => log.warn({ err, size }, 'a batch of MeterValues failed; writing them one by one'),
      afterBatch: () => this.maybeResume(),
    });
  }

  /** One transaction: the frames' log rows, then their samples and sessions (sessions module). */
  private async writeBatch(db: Db, fs: MeterFrame[]) {
    const out = await db.tx(async (q) => {
      await insertFrames(q, fs.map((f) => f.entry));
      const sessions = await writeMeterBatch(q, fs.map((f) => f.input));
      faultPoint('ocpp:MeterValues:before-commit');
      return sessions;
    });
    faultPoint('ocpp:MeterValues:after-commit');
    return out;
  }

  get queued() {
    return this.writer.queued;
  }

  /** Resolves once the frame is committed (log row, samples, session), with its session. */
  write(conn: Connection, entry: FrameEntry, input: MeterInput): Promise<MeterSession | null> {
    const mine = (this.perConn.get(conn) ?? 0) + 1;
    this.perConn.set(conn, mine);
    const p = this.writer.write({ entry: storableEntry(entry), input });
    const q = this.writer.queued;
    if (q > this.peakQueued) this.peakQueued = q;
    // the busiest: a socket that already has frames waiting; past twice the mark, any socket adding
    if (q >= this.highWater && (mine > 1 || q >= 2 * this.highWater)) this.pause(conn);
    const done = () => {
      const n = (this.perConn.get(conn) ?? 1) - 1;
      if (n > 0) this.perConn.set(conn, n);
      else this.perConn.delete(conn);
    };
    p.then(done, done);
    return p;
  }

  private pause(conn: Connection) {
    // a socket whose answer to our command is still to come is not paused: the answer is behind its frames
    if (this.paused.has(conn) || conn.outbound.size) return;
    const ws = socketOf(conn);
    if (!ws) return;
    ws.pause();
    this.paused.add(conn);
    if (this.paused.size === 1) this.log.warn({ queued: this.writer.queued, highWater: this.highWater }, 'MeterValues queue full: pausing the busiest chargers');
  }

  /** Reads a paused socket again (a command is about to be sent to it, or the queue drained). */
  resume(conn: Connection) {
    if (!this.paused.delete(conn)) return;
    socketOf(conn)?.resume();
  }

  private maybeResume() {
    if (!this.paused.size || this.writer.queued > this.lowWater) return;
    for (const c of [...this.paused]) this.resume(c);
  }

  /** A closed connection is forgotten. */
  forget(conn: Connection) {
    this.paused.delete(conn);
  }

  drain() {
    return this.writer.drain();
  }
}

/** The ws WebSocket under an ocpp-rpc client (the one place that knows its private field). */
function socketOf(conn: Connection): { pause(): void; resume(): void; isPaused: boolean } | null {
  const ws = (conn.client as unknown as { _ws?: { pause(): void; resume(): void; isPaused: boolean } })._ws;
  return ws && typeof ws.pause === 'function' ? ws : null;
}
