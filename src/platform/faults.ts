/**
 * Crash points for the kill -9 tests (test/crash): `CHARGEOPS_FAULT=name[,name]` makes the process
 * SIGKILL itself the first time it reaches a named point, exactly where a power cut would hurt most
 * (after a commit before the answer, inside a transaction before its commit); `name@N` the N-th time
 * (a crash in a later group commit, after earlier ones were acknowledged). Unset in production:
 * the check is one Map lookup. The test restarts the server without it and checks nothing was lost
 * or doubled.
 */
const armed = new Map<string, number>(
  (process.env.CHARGEOPS_FAULT ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(.*)@(\d+)$/.exec(s);
      return m ? [m[1], Number(m[2])] : [s, 1];
    }),
);

export function faultPoint(name: string): void {
  if (!armed.size) return;
  const left = armed.get(name);
  if (left === undefined) return;
  if (left > 1) return void armed.set(name, left - 1);
  process.stderr.write(`CHARGEOPS_FAULT: killing the process at ${name}\n`);
  process.kill(process.pid, 'SIGKILL');
}
