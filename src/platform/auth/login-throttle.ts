/**
 * Staff login throttling: LOGIN_MAX_FAILURES failed logins for one username from one client address
 * within LOGIN_WINDOW_MS, and that pair is answered 429 (Retry-After) until the oldest of them
 * leaves the window. Known and unknown usernames are counted alike, and an unknown username costs
 * the same scrypt as a wrong password, so neither the answer nor its time tells whether it exists.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { hashSecret, verifySecret } from './passwords.ts';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAX_FAILURES = 10;

/** Seconds until this username may try again from this address, or null when it may now. */
export async function loginRetryAfter(q: Queryable, username: string, clientIp: string, now: Date): Promise<number | null> {
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const r = await q.query<{ at: Date }>(
    `SELECT at FROM login_failures WHERE username = $1 AND client_ip = $2 AND at > $3 ORDER BY at DESC LIMIT $4`,
    [username, clientIp, since, LOGIN_MAX_FAILURES],
  );
  if (r.rows.length < LOGIN_MAX_FAILURES) return null;
  // the pair may try again once fewer than the maximum failures are left inside the window
  const oldest = r.rows[r.rows.length - 1].at;
  return Math.max(1, Math.ceil((oldest.getTime() + LOGIN_WINDOW_MS - now.getTime()) / 1000));
}

export async function recordLoginFailure(q: Queryable, username: string, clientIp: string, now: Date): Promise<void> {
  await q.query(`INSERT INTO login_failures (username, client_ip, at) VALUES ($1, $2, $3)`, [username, clientIp, now]);
  await q.query(`DELETE FROM login_failures WHERE at <= $1`, [new Date(now.getTime() - LOGIN_WINDOW_MS)]);
}

export async function clearLoginFailures(q: Queryable, username: string, clientIp: string): Promise<void> {
  await q.query(`DELETE FROM login_failures WHERE username = $1 AND client_ip = $2`, [username, clientIp]);
}

/** Forgets every failure of a username (its password was just reset). */
export async function forgetLoginFailures(q: Queryable, username: string): Promise<void> {
  await q.query(`DELETE FROM login_failures WHERE username = $1`, [username]);
}

let dummy: Promise<string> | null = null;
/** Checks a password; without a stored hash (unknown user) it still spends one scrypt and says no. */
export async function checkPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (stored) return verifySecret(password, stored);
  dummy ??= hashSecret(randomBytes(18).toString('base64'));
  await verifySecret(password, await dummy);
  return false;
}
