import type { Ctx } from '../../platform/context.ts';
import type { ClockTimer } from '../../platform/clock.ts';

/** Failed handshakes from one client address within the window before it is refused (429). */
export const MAX_AUTH_FAILURES = 10;
export const AUTH_FAILURE_WINDOW_MS = 5 * 60_000;
/** How often the failures of known chargers become security events (one row per charger, not per attempt). */
export const AUTH_FAILURE_FLUSH_MS = 60_000;
/** At most this many chargers' rows per flush; the rest is only counted in the log line. */
const MAX_ROWS_PER_FLUSH = 100;
/** Addresses tracked at once (memory bound under a spray from many addresses): the oldest window goes first. */
const MAX_ADDRESSES = 100_000;

interface AddressState {
  failures: number;
  windowStart: number;
  /** handshakes refused (429) while throttled, since the last flush */
  refused: number;
}
interface ChargerFailures {
  operatorId: string;
  count: number;
  addresses: Map<string, number>;
  reasons: Set<string>;
  first: Date;
  last: Date;
}

/**
 * Failed OCPP Basic auth costs no database write: failures are counted in memory, per client
 * address (to throttle) and per known charger (to report). An address with MAX_AUTH_FAILURES
 * failures within the window is refused with 429 before any lookup or hashing until the window
 * passes. The counts of known chargers are written as one `authentication_failed` security event
 * per charger per flush (on ctx.clock), so staff still see attacks in the console at a bounded
 * cost; every flush logs one line with the counts.
 */
export class HandshakeGuard {
  private byAddress = new Map<string, AddressState>();
  private byCharger = new Map<string, ChargerFailures>();
  private timer: ClockTimer | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private ctx: Ctx) {}

  start() {
    this.timer = this.ctx.clock.setInterval(() => void this.flush(), AUTH_FAILURE_FLUSH_MS).unref();
  }

  async stop() {
    this.ctx.clock.clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Seconds the address must wait, or 0 when it may try. */
  retryAfter(address: string | null): number {
    const s = address ? this.byAddress.get(address) : undefined;
    if (!s) return 0;
    const left = s.windowStart + AUTH_FAILURE_WINDOW_MS - this.ctx.clock.now();
    if (left <= 0) {
      this.byAddress.delete(address!);
      return 0;
    }
    return s.failures >= MAX_AUTH_FAILURES ? Math.ceil(left / 1000) : 0;
  }

  /** A handshake refused without looking at it, because its address is throttled. */
  refused(address: string | null) {
    const s = address ? this.byAddress.get(address) : undefined;
    if (s) s.refused++;
  }

  /** A failed handshake: counted for its address, and for the charger when the id is a known one. */
  failed(address: string | null, charger: { id: string; operatorId: string } | null, reason: string) {
    const now = this.ctx.clock.now();
    if (address) {
      let s = this.byAddress.get(address);
      if (!s || s.windowStart + AUTH_FAILURE_WINDOW_MS <= now) {
        this.byAddress.delete(address); // re-inserted last: the map stays in window order
        if (this.byAddress.size >= MAX_ADDRESSES) this.byAddress.delete(this.byAddress.keys().next().value!);
        this.byAddress.set(address, (s = { failures: 0, windowStart: now, refused: 0 }));
      }
      if (++s.failures === MAX_AUTH_FAILURES)
        this.ctx.log.warn({ remoteAddress: address, failures: s.failures, windowS: AUTH_FAILURE_WINDOW_MS / 1000 }, 'OCPP handshakes from this address are refused (429) for the rest of the window: too many failed authentications');
    }
    if (!charger) return;
    let c = this.byCharger.get(charger.id);
    if (!c) this.byCharger.set(charger.id, (c = { operatorId: charger.operatorId, count: 0, addresses: new Map(), reasons: new Set(), first: this.ctx.clock.date(), last: this.ctx.clock.date() }));
    c.count++;
    c.last = this.ctx.clock.date();
    c.reasons.add(reason);
    if (address && (c.addresses.size < 10 || c.addresses.has(address))) c.addresses.set(address, (c.addresses.get(address) ?? 0) + 1);
  }

  /** Writes the counts since the last flush (one row per charger) and logs one line with them. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.doFlush()).catch((err) => this.ctx.log.error({ err }, 'could not record failed OCPP authentications'));
    return this.flushing;
  }

  private async doFlush() {
    const now = this.ctx.clock.now();
    for (const [a, s] of this.byAddress) if (s.windowStart + AUTH_FAILURE_WINDOW_MS <= now) this.byAddress.delete(a);
    const throttled = [...this.byAddress].filter(([, s]) => s.failures >= MAX_AUTH_FAILURES || s.refused).map(([address, s]) => ({ address, failures: s.failures, refused: s.refused }));
    for (const [, s] of this.byAddress) s.refused = 0;
    const chargers = [...this.byCharger];
    this.byCharger.clear();
    if (!chargers.length && !throttled.length) return;
    const failures = chargers.reduce((n, [, c]) => n + c.count, 0);
    this.ctx.log.warn(
      {
        chargers: chargers.length,
        failures,
        throttledAddresses: throttled.slice(0, 20),
      },
      'failed OCPP authentications since the last report',
    );
    const rows = chargers.slice(0, MAX_ROWS_PER_FLUSH);
    if (!rows.length) return;
    await this.ctx.db.query(
      `INSERT INTO ocpp_security_events (operator_id, charger_id, kind, remote_address, details, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[])`,
      [
        rows.map(([, c]) => c.operatorId),
        rows.map(([id]) => id),
        rows.map(() => 'authentication_failed'),
        rows.map(([, c]) => [...c.addresses.keys()][0] ?? null),
        rows.map(([, c]) => JSON.stringify({ attempts: c.count, reasons: [...c.reasons], addresses: Object.fromEntries(c.addresses), from: c.first.toISOString(), to: c.last.toISOString() })),
        rows.map(([, c]) => c.last.toISOString()),
      ],
    );
  }
}
