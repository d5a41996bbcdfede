// A node:test reporter for scripts/test.mjs: one JSON line per finished test (its name, file, and
// whether it passed, failed, was skipped or is a todo, with the reason) and per summary figure, so
// the runner can count both passes and list every skipped and failed test by name.
import { relative } from 'node:path';

const where = (file) => (file ? relative(process.cwd(), file) : undefined);
/** The gist of a failure on one line: the message's first line, with the next one when it ends in ":". */
const firstLine = (err) => {
  const e = err?.cause ?? err;
  const text = e?.message ?? (e === undefined ? undefined : String(e));
  const lines = (text ?? '').split('\n').map((l) => l.trim()).filter((l) => l && l !== '+ actual - expected');
  if (!lines.length) return undefined;
  const gist = lines[0].endsWith(':') && lines[1] ? `${lines[0]} ${lines[1]}${lines[2] && /^[-+] /.test(lines[1]) ? ` ${lines[2]}` : ''}` : lines[0];
  return gist.length > 240 ? gist.slice(0, 239) + '…' : gist;
};

export default async function* chargeopsReporter(source) {
  for await (const event of source) {
    const d = event.data;
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      yield JSON.stringify({
        kind: event.type === 'test:pass' ? 'pass' : 'fail',
        name: d.name,
        file: where(d.file),
        line: d.line,
        nesting: d.nesting,
        suite: d.details?.type === 'suite',
        skip: d.skip === undefined ? undefined : d.skip === true ? '' : String(d.skip),
        todo: d.todo === undefined ? undefined : d.todo === true ? '' : String(d.todo),
        failureType: d.details?.error?.failureType,
        error: event.type === 'test:fail' ? firstLine(d.details?.error) : undefined,
      }) + '\n';
    } else if (event.type === 'test:diagnostic' && d.nesting === 0) {
      const m = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ([\d.]+)$/.exec(d.message);
      if (m) yield JSON.stringify({ kind: 'count', key: m[1], value: Number(m[2]) }) + '\n';
    }
  }
}
