import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { csvRecords } from './csv.ts';

async function* chunks(text: string, cuts: number[]) {
  const bytes = Buffer.from(text);
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, c);
    at = c;
  }
  yield bytes.subarray(at);
}
const all = async (text: string, cuts: number[] = []) => {
  const out: string[][] = [];
  for await (const r of csvRecords(chunks(text, cuts))) out.push(r);
  return out;
};
const reference = (text: string) => parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false }) as string[][];

test('the same records as csv-parse, however the bytes are cut (quotes, commas, line ends, BOM, Chinese text)', async () => {
  const field = fc.array(fc.constantFrom('a', '1', ' ', ',', '"', '\n', '\r\n', '站', '.', '-'), { maxLength: 6 }).map((cs) => cs.join(''));
  const quote = (f: string, always: boolean) => (always || /[",\n\r]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat(400), { maxLength: 5 }),
      async (records, eol, trailing, bom, always, cuts) => {
        // a record of one empty field is an empty line: csv-parse and we keep it as ['']
        const text = (bom ? '\uFEFF' : '') + records.map((r) => r.map((f) => quote(f, always)).join(',')).join(eol) + (trailing ? eol : '');
        assert.deepEqual(await all(text, cuts), reference(text), JSON.stringify(text));
      },
    ),
    { numRuns: 500 },
  );
});

test('plain statement lines, CRLF, an empty line kept, no record after the last line end', async () => {
  assert.deepEqual(await all('a,b\r\n\r\nc,,d\n'), [['a', 'b'], [''], ['c', '', 'd']]);
  assert.deepEqual(await all('x,"y,1",z'), [['x', 'y,1', 'z']]);
});

test('bad quoting throws, as csv-parse does', async () => {
  await assert.rejects(all('a,b"c\n'), /quote inside an unquoted field/);
  await assert.rejects(all('"abc\n'), /never closed/);
  await assert.rejects(all('"ab"c,d\n'), /after a closing quote/);
});
