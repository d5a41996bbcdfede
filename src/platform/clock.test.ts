import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, systemClock } from './clock.ts';

test('the fake clock stands still until advanced, then fires due timers in order', async () => {
  const c = new FakeClock('2026-03-01T00:00:00Z');
  const t0 = c.now();
  const fired: string[] = [];
  c.setTimeout(() => fired.push('b@2000'), 2000);
  c.setTimeout(() => fired.push('a@1000'), 1000);
  const cancelled = c.setTimeout(() => fired.push('never'), 1500);
  c.clearTimeout(cancelled);
  assert.equal(c.now(), t0);
  await c.advance(999);
  assert.deepEqual(fired, []);
  await c.advance(1);
  assert.deepEqual(fired, ['a@1000']);
  await c.advance(5000);
  assert.deepEqual(fired, ['a@1000', 'b@2000']);
  assert.equal(c.now(), t0 + 6000);
  assert.equal(c.pending, 0);
});

test('a timer sees the clock at its own due time, and async work started by one timer settles before the next', async () => {
  const c = new FakeClock(0);
  const seen: number[] = [];
  c.setTimeout(async () => {
    await Promise.resolve();
    seen.push(c.now());
    c.setTimeout(() => seen.push(c.now()), 10);
  }, 100);
  await c.advance(1000);
  assert.deepEqual(seen, [100, 110]);
});

test('intervals repeat; sleep resolves on advance; a day passes instantly', async () => {
  const c = new FakeClock('2026-03-01T00:00:00Z');
  let n = 0;
  const t = c.setInterval(() => n++, 60_000);
  let woke = false;
  void c.sleep(86_400_000).then(() => (woke = true));
  await c.advance(86_400_000);
  assert.equal(n, 1440);
  assert.equal(woke, true);
  c.clearInterval(t);
  await c.advance(60_000);
  assert.equal(n, 1440);
  await assert.rejects(() => c.advance(-1));
});

test('a ticking fake clock follows real time and can still jump', async () => {
  const c = new FakeClock(1_000_000, { ticking: true });
  let fired = false;
  c.setTimeout(() => (fired = true), 20);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(fired, true);
  assert.ok(c.now() >= 1_000_020);
  const before = c.now();
  await c.advance(3_600_000);
  assert.ok(c.now() >= before + 3_600_000);
});

test('the system clock is the wall clock', async () => {
  const a = systemClock.now();
  assert.ok(Math.abs(a - systemClock.date().getTime()) < 1000);
  const t0 = systemClock.now();
  await systemClock.sleep(5);
  assert.ok(systemClock.now() >= t0);
});
