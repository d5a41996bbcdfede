import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { KWH, LOCAL, MONEY, csvRows, type RowBatch, localTimeParser, parseKwhToWh, parseMoney, readStatement, statementRows, type StatementCheck } from './statement.ts';

const XJ = '101437000';
const seq = (n: number) => `${XJ}1754000000000${String(n).padStart(5, '0')}`;
const check: StatementCheck = { partnerId: XJ, from: Date.parse('2026-08-01T00:00:00+08:00'), to: Date.parse('2026-09-01T00:00:00+08:00'), timeZone: 'Asia/Shanghai' };
const HEAD = 'StartChargeSeq,ConnectorID,StartTime,EndTime,TotalPower,TotalElecMoney,TotalSeviceMoney,TotalMoney';
const read = (csv: string, mapping?: any) => readStatement(statementRows('csv', csv, 'Asia/Shanghai'), mapping, check);

test('the default mapping reads T/CEC headers, in either spelling of the service money', async () => {
  for (const head of [HEAD, HEAD.replace('Sevice', 'Service')]) {
    const r = await read(`${head}\n${seq(1)},4403070003000020001601,2026-08-10 10:00:00,2026-08-10 11:00:00,25.37,15.57,24.00,39.57\n`);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.rows[0], {
      seq: seq(1),
      connector: '4403070003000020001601',
      startMs: Date.parse('2026-08-10T10:00:00+08:00'),
      endMs: Date.parse('2026-08-10T11:00:00+08:00'),
      wh: 25370,
      elecFen: 1557,
      serviceFen: 2400,
      totalFen: 3957,
      row: 2,
    });
  }
});

test('a saved mapping reads the partner’s own headers', async () => {
  const r = await read(`订单号,开始,结束,电量,金额\n${seq(2)},2026-08-10 10:00,2026-08-10 11:00,1.5,2\n`, {
    StartChargeSeq: '订单号',
    StartTime: '开始',
    EndTime: '结束',
    TotalPower: '电量',
    TotalMoney: '金额',
  });
  assert.deepEqual(r.problems, []);
  assert.deepEqual([r.rows[0].wh, r.rows[0].totalFen], [1500, 200]);
});

test('bad statements: unknown and missing columns, bad numbers and dates, another partner, another period — with row and column, nothing kept', async () => {
  const unknown = await read(`${HEAD},Remark\n`);
  assert.deepEqual(unknown.problems, [{ row: 1, column: 'Remark', message: 'unknown column (not in the mapping)' }]);
  const missing = await read(`StartChargeSeq,StartTime,EndTime,TotalPower\n`);
  assert.deepEqual(missing.problems, [{ row: 1, column: 'TotalMoney', message: 'missing column for TotalMoney' }]);
  const bad = await read(
    [
      HEAD,
      `${seq(1)},C01,2026-08-10 10:00:00,2026-08-10 11:00:00,25.37,15.57,24.00,39.57`,
      `${seq(2)},C01,2026-08-32 10:00:00,2026-08-10 11:00:00,2.5x,15.57,24.001,39.57`,
      `313744932175400000000000003,C01,2026-08-10 10:00:00,2026-08-10 11:00:00,1,1,1,2`,
      `${seq(4)},C01,2026-07-10 10:00:00,2026-07-10 11:00:00,1,1,1,2`,
    ].join('\n'),
  );
  assert.deepEqual(bad.rows, [], 'nothing is kept from a statement with a problem');
  assert.deepEqual(
    bad.problems.map((p) => [p.row, p.column]),
    [
      [3, 'TotalPower'],
      [3, 'TotalSeviceMoney'],
      [3, 'StartTime'],
      [4, 'StartChargeSeq'],
      [5, 'EndTime'],
    ],
  );
  assert.match(bad.problems[3].message, /belongs to operator 313744932, not partner 101437000/);
  assert.match(bad.problems[4].message, /outside the period/);
});

test('at most 100 problems are listed; the rest are counted', async () => {
  const lines = Array.from({ length: 150 }, (_, i) => `${seq(i)},C01,x,2026-08-10 11:00:00,1,1,1,2`);
  const r = await read([HEAD, ...lines].join('\n'));
  assert.equal(r.problems.length, 100);
  assert.equal(r.moreProblems, 50);
});

test('XLSX: the first sheet, numbers and date cells', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('statement');
  ws.addRow(HEAD.split(','));
  ws.addRow([seq(1), '4403070003000020001601', new Date(Date.UTC(2026, 7, 10, 10, 0, 0)), '2026-08-10 11:00:00', 25.37, 15.57, 24, 39.57]);
  const buf = Buffer.from(await wb.xlsx.writeBuffer());
  const r = await readStatement(statementRows('xlsx', buf.toString('base64'), 'Asia/Shanghai'), undefined, check);
  assert.deepEqual(r.problems, []);
  assert.equal(r.rows[0].startMs, Date.parse('2026-08-10T10:00:00+08:00'), 'a date cell is the wall time it shows, in the operator’s zone');
  assert.deepEqual([r.rows[0].wh, r.rows[0].elecFen, r.rows[0].serviceFen, r.rows[0].totalFen, r.rows[0].row], [25370, 1557, 2400, 3957, 2]);
});

test('XLSX whose sheet comes after its shared strings and before xl/workbook.xml (a zip order ExcelJS itself writes at times) is read', async () => {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('statement').addRow(HEAD.split(','));
  wb.getWorksheet('statement')!.addRow([seq(1), '4403070003000020001601', '2026-08-10 10:00:00', '2026-08-10 11:00:00', 25.37, 15.57, 24, 39.57]);
  const zip = await JSZip.loadAsync(Buffer.from(await wb.xlsx.writeBuffer()));
  // the streaming reader met the sheet with its strings read and no workbook yet (CI, once: "Cannot read properties of undefined (reading 'sheets')")
  const order = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/workbook.xml'];
  const out = new JSZip();
  for (const name of [...order, ...Object.keys(zip.files).filter((n) => !order.includes(n) && !zip.files[n].dir)]) out.file(name, await zip.file(name)!.async('uint8array'));
  const buf = await out.generateAsync({ type: 'nodebuffer' });
  const r = await readStatement(statementRows('xlsx', buf.toString('base64'), 'Asia/Shanghai'), undefined, check);
  assert.deepEqual(r.problems, []);
  assert.deepEqual([r.rows[0].seq, r.rows[0].wh, r.rows[0].totalFen], [seq(1), 25370, 3957]);
});

test('property: money and energy parse exactly (no binary floats)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e9, max: 1e9 }), (fen) => {
      const s = `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
      assert.equal(parseMoney(s), fen);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), (wh) => {
      assert.equal(parseKwhToWh(`${Math.floor(wh / 1000)}.${String(wh % 1000).padStart(3, '0')}`), wh);
    }),
  );
  assert.equal(parseMoney('1.234'), null);
  assert.equal(parseMoney('1e3'), null);
});

// the hand-written parsers against the grammar they implement, on text near and far from it
const nearText = (alphabet: string, maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.array(fc.constantFrom(...alphabet), { maxLength }).map((a) => a.join('')));
const byRegex = (re: RegExp, intScale: number, fracLen: number) => (s: string) => {
  const m = re.exec(s);
  if (!m) return null;
  const v = Number(m[2]) * intScale + Number((m[3] ?? '').padEnd(fracLen, '0'));
  return m[1] ? -v : v;
};

test('property: the money and energy parsers accept exactly what the grammar accepts, with the same value', () => {
  fc.assert(fc.property(nearText('-0123456789.9 x', 14), (s) => assert.equal(parseMoney(s), byRegex(MONEY, 100, 2)(s), s)), { numRuns: 5000 });
  fc.assert(fc.property(nearText('-0123456789.9 x', 12), (s) => assert.equal(parseKwhToWh(s), byRegex(KWH, 1000, 3)(s), s)), { numRuns: 5000 });
  for (const s of ['', '-', '.', '1.', '.5', '-.5', '--1', '1.2.3', '1234567890', '123456789.12', '-0', '0.1']) assert.equal(parseMoney(s), byRegex(MONEY, 100, 2)(s), s);
});

test('property: local times in the grammar read as their wall time in the zone; anything else as before (an ISO instant or null)', () => {
  const parse = localTimeParser('Asia/Shanghai');
  const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((a) => a.join(''));
  const local = fc
    .tuple(digits(4), digits(2), digits(2), fc.constantFrom(' ', 'T', '_'), digits(2), digits(2), fc.option(digits(2)))
    .map(([y, mo, d, sep, h, mi, se]) => `${y}-${mo}-${d}${sep}${h}:${mi}${se === null ? '' : `:${se}`}`);
  fc.assert(
    fc.property(fc.oneof(local, nearText('0123456789-: TZ+', 25)), (s) => {
      const m = LOCAL.exec(s);
      const got = parse(s);
      if (!m) {
        const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) ? Date.parse(s) : NaN;
        return assert.equal(got, Number.isFinite(iso) ? iso : null, s);
      }
      const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number);
      const wall = Date.UTC(y, mo - 1, d, h, mi, se);
      const valid = mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 59 && new Date(wall).getUTCDate() === d;
      // Shanghai has kept +08:00 since 1992; earlier years (and the year 0–99 quirk of Date.UTC) only need to agree on validity
      if (!valid) return assert.equal(got, null, s);
      assert.notEqual(got, null, s);
      if (y >= 1992) assert.equal(got, wall - 8 * 3_600_000, s);
    }),
    { numRuns: 5000 },
  );
});

test('local times follow the zone’s offset, across a DST change', () => {
  const ny = localTimeParser('America/New_York');
  assert.equal(ny('2026-03-08 01:30:00'), Date.parse('2026-03-08T01:30:00-05:00'));
  assert.equal(ny('2026-03-09 01:30:00'), Date.parse('2026-03-09T01:30:00-04:00'));
  assert.equal(localTimeParser('Asia/Shanghai')('2026-02-30 00:00:00'), null);
});

test('with a sink, records leave in chunks of at most the chunk size and none is kept; a bad row stops the writing', async () => {
  const line = (n: number) => `${seq(n)},4403070003000020001601,2026-08-10 10:00:00,2026-08-10 11:00:00,25.37,15.57,24.00,39.57`;
  const body = Array.from({ length: 23 }, (_, i) => line(i + 1));
  const chunks: number[] = [];
  const r = await readStatement(statementRows('csv', `${HEAD}\n${body.join('\n')}\n`, 'Asia/Shanghai'), undefined, check, undefined, { chunk: 5, write: async (rows) => void chunks.push(rows.length) });
  assert.deepEqual(chunks, [5, 5, 5, 5, 3]);
  assert.equal(r.count, 23);
  assert.equal(r.rows.length, 0, 'nothing held in memory');
  chunks.length = 0;
  body[11] = body[11].replace('25.37', 'lots');
  const bad = await readStatement(statementRows('csv', `${HEAD}\n${body.join('\n')}\n`, 'Asia/Shanghai'), undefined, check, undefined, { chunk: 5, write: async (rows) => void chunks.push(rows.length) });
  assert.equal(bad.problems[0].row, 13);
  assert.deepEqual(chunks, [5, 5], 'after the first problem nothing more is written (the caller rolls back what was)');
});

test('a statement already in memory (a request body) is read in pieces: batches of a piece’s rows, every row once, a character split between pieces kept whole', async () => {
  const lines = Array.from({ length: 20_000 }, (_, i) => `${i},站点${i},"a,b"`);
  const text = `h1,h2,h3\n${lines.join('\n')}\n`;
  for (const content of [text, Buffer.from(text, 'utf8')]) {
    const batches: RowBatch[] = [];
    for await (const b of csvRows(content)) batches.push(b);
    assert.ok(batches.length > 1, 'more than one batch');
    const rows = batches.flatMap((b) => b.rows);
    assert.equal(rows.length, 20_001);
    assert.deepEqual(rows[20_000], ['19999', '站点19999', 'a,b']);
    assert.deepEqual(
      batches.map((b) => b.first),
      batches.map((_, k) => 1 + batches.slice(0, k).reduce((a, x) => a + x.rows.length, 0)),
    );
  }
});
