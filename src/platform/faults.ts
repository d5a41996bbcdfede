/**
 * Crash points for the kill -9 tests (test/crash): `CHARGEOPS_FAULT=name[,name]` makes the process
 * SIGKILL itself the first time it reaches a named point, exactly where a power cut would hurt most
 * (after a commit before the answer, inside a transaction before its commit). Unset in production:
 * the check is one Set lookup. The test restarts the server without it and checks nothing was lost
 * or doubled.
 */
const armed = new Set((process.env.CHARGEOPS_FAULT ?? '').split(',').map((s) => s.trim()).filter(Boolean));

export function faultPoint(name: string): void {
  if (!armed.size || !armed.has(name)) return;
  process.stderr.write(`CHARGEOPS_FAULT: killing the process at ${name}\n`);
  process.kill(process.pid, 'SIGKILL');
}
