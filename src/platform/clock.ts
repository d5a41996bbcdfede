/**
 * The one source of "now" and of business timers. Every module reads time from `ctx.clock`; the
 * only `Date.now()` / argument-less `new Date()` in src/ are in this file (a test scans for them).
 *
 * Server time says when something was RECEIVED or is DUE (outbox rows, timers, "today" in a
 * report). Prices and idle fees never use it: they are computed from the charger's own timestamps
 * carried by the session.
 */

export interface ClockTimer {
  /** Lets the process exit while the timer is pending (no-op on the fake clock). */
  unref(): ClockTimer;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The current instant as a Date. */
  date(): Date;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(t: ClockTimer | undefined | null): void;
  setInterval(fn: () => void, ms: number): ClockTimer;
  clearInterval(t: ClockTimer | undefined | null): void;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

class SystemTimer implements ClockTimer {
  constructor(readonly handle: NodeJS.Timeout) {}
  unref() {
    this.handle.unref();
    return this;
  }
}

/** Wall-clock time and Node's timers. */
export class SystemClock implements Clock {
  now() {
    return Date.now();
  }
  date() {
    return new Date();
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    return new SystemTimer(setTimeout(fn, Math.max(0, ms)));
  }
  clearTimeout(t: ClockTimer | undefined | null) {
    if (t instanceof SystemTimer) clearTimeout(t.handle);
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    return new SystemTimer(setInterval(fn, Math.max(1, ms)));
  }
  clearInterval(t: ClockTimer | undefined | null) {
    if (t instanceof SystemTimer) clearInterval(t.handle);
  }
  sleep(ms: number) {
    return new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
  }
}

export const systemClock: Clock = new SystemClock();

interface FakeTimer extends ClockTimer {
  id: number;
  due: number;
  every: number | null;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock tests move by hand: `advance(ms)` runs every timer that falls due on the way, in order,
 * letting promises settle between them, so a test of a 24-hour deadline takes no real time.
 * With `ticking: true` it also follows real time from its start (for end-to-end tests whose
 * sockets and databases need time to pass) while `advance` still jumps ahead.
 */
export class FakeClock implements Clock {
  private base: number;
  private offset = 0;
  private readonly realStart = performance.now();
  private timers: FakeTimer[] = [];
  private seq = 0;
  private readonly ticking: boolean;
  private realWake: NodeJS.Timeout | null = null;

  constructor(start: number | Date | string = '2026-01-01T00:00:00Z', opts: { ticking?: boolean } = {}) {
    this.base = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(this.base)) throw new Error(`FakeClock: bad start ${String(start)}`);
    this.ticking = opts.ticking ?? false;
  }

  now() {
    const real = this.ticking ? Math.floor(performance.now() - this.realStart) : 0;
    return this.base + this.offset + real;
  }
  date() {
    return new Date(this.now());
  }

  setTimeout(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, null);
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    return this.add(fn, ms, Math.max(1, ms));
  }
  clearTimeout(t: ClockTimer | undefined | null) {
    if (t && 'cancelled' in t) {
      (t as FakeTimer).cancelled = true;
      this.timers = this.timers.filter((x) => x !== t);
    }
  }
  clearInterval(t: ClockTimer | undefined | null) {
    this.clearTimeout(t);
  }
  sleep(ms: number) {
    return new Promise<void>((r) => this.setTimeout(r, ms));
  }

  /** Pending timers (for assertions). */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting their promises settle. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`FakeClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.now() + ms;
    for (;;) {
      await settle();
      const next = this.nextDue();
      if (!next || next.due > target) break;
      this.offset += Math.max(0, next.due - this.now());
      this.fire(next);
    }
    this.offset += Math.max(0, target - this.now());
    await settle();
  }

  /** Jumps to an absolute instant (never backwards), firing what falls due on the way. */
  async setTime(at: number | Date | string): Promise<void> {
    const t = typeof at === 'number' ? at : new Date(at).getTime();
    await this.advance(Math.max(0, t - this.now()));
  }

  private add(fn: () => void, ms: number, every: number | null): FakeTimer {
    const t: FakeTimer = {
      id: ++this.seq,
      due: this.now() + Math.max(0, ms),
      every,
      fn,
      cancelled: false,
      unref() {
        return this;
      },
    };
    this.timers.push(t);
    this.scheduleRealWake();
    return t;
  }

  private nextDue(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }

  private fire(t: FakeTimer) {
    if (t.every !== null) t.due += t.every;
    else this.timers = this.timers.filter((x) => x !== t);
    try {
      t.fn();
    } catch {
      /* a timer callback's failure is its own business, as with Node's timers */
    }
  }

  /** When ticking, real time passing must fire timers too. */
  private scheduleRealWake() {
    if (!this.ticking) return;
    if (this.realWake) clearTimeout(this.realWake);
    const next = this.nextDue();
    if (!next) return;
    this.realWake = setTimeout(() => {
      this.realWake = null;
      const now = this.now();
      for (let t = this.nextDue(); t && t.due <= now; t = this.nextDue()) this.fire(t);
      this.scheduleRealWake();
    }, Math.max(0, next.due - this.now()));
    this.realWake.unref();
  }
}

/** Lets pending promise callbacks (and one macrotask turn) run. */
async function settle() {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
}
