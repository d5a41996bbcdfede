// The statement PDF (issue 17 point 4): operator name and logo, the enterprise, the period, department
// groups, order and correction lines, totals; Chinese text checked on the rendered page (poppler-utils).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { TestPlatform } from '../support/platform.ts';
import { statementPlatform, E, P1 } from './support.ts';
import { adjustForOrder } from '../../src/modules/wallet/index.ts';
import { buildStatement } from '../../src/modules/enterprise/index.ts';
import { statementPdf } from '../../src/modules/enterprise/statement-pdf.ts';
import { AppError } from '../../src/platform/errors.ts';

let p: TestPlatform;
let admin: string;
let month: string;
const tmp = mkdtempSync(join(tmpdir(), 'statement-pdf-'));
// a 2×2 red PNG as the operator's logo (settings.brand.logo, as the H5 page takes it)
const LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEUlEQVR4nGP4z8DwnwGMgRQAH+4D/dJQfRoAAAAASUVORK5CYII=';

function poppler(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error(`${cmd} is missing: install poppler-utils (sudo apt-get install poppler-utils; .ci/run installs it)`);
    throw e;
  }
}

/** Share of pixels darker than light grey in an 8-bit RGB PNG (pdftoppm's output). */
function inkShare(png: Buffer): number {
  let pos = 8;
  let w = 0;
  let h = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') [w, h] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + w * 3;
  let dark = 0;
  // undo the PNG row filters (None, Sub, Up, Average, Paeth) to get the pixels
  const prev = Buffer.alloc(w * 3);
  const cur = Buffer.alloc(w * 3);
  for (let y = 0; y < h; y++) {
    const f = raw[y * stride];
    for (let i = 0; i < w * 3; i++) {
      const x = raw[y * stride + 1 + i];
      const a = i >= 3 ? cur[i - 3] : 0;
      const b = prev[i];
      const c = i >= 3 ? prev[i - 3] : 0;
      const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
      const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      cur[i] = (x + pred) & 0xff;
    }
    for (let i = 0; i < w * 3; i += 3) if (cur[i] + cur[i + 1] + cur[i + 2] < 600) dark++;
    cur.copy(prev);
  }
  return dark / (w * h);
}

before(async () => {
  ({ p, admin, month } = await statementPlatform({
    nested: true,
    before: async (p) => {
      await p.ctx.db.query(`UPDATE operators SET settings = settings || jsonb_build_object('brand', jsonb_build_object('name', '爱购充电', 'logo', $2::text)) WHERE id = $1`, ['op1', LOGO]);
    },
  }));
  const [o] = (await p.ctx.db.query<{ order_no: string; version: number }>(`SELECT order_no, version FROM orders WHERE driver_phone = $1 AND status = 'settled' ORDER BY id LIMIT 1`, [P1])).rows;
  await p.ctx.db.tx((q) => adjustForOrder(q, { operatorId: 'op1', phone: P1, orderNo: o.order_no, version: o.version + 1, deltaFen: -123, remark: 'pdf test' }));
});
after(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await p.close();
});

test('the statement PDF: operator, logo, enterprise, period, department groups, lines and totals; Chinese rendered', async () => {
  const st = (await p.api('GET', `${E}/statement?month=${month}`, undefined, admin)).body;
  assert.ok(st.lines.length >= 2, 'orders and a correction to show');
  const res = await p.app.inject({ method: 'GET', url: `${E}/statement/export?month=${month}&format=pdf`, headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  assert.equal(res.headers['content-type'], 'application/pdf');
  assert.match(String(res.headers['content-disposition']), new RegExp(`statement-acme-${month}\\.pdf`));
  const pdf = join(tmp, 's.pdf');
  writeFileSync(pdf, res.rawPayload);
  assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');

  const text = poppler('pdftotext', ['-layout', pdf, '-']);
  for (const s of ['爱购充电', '企业月结账单', '顺丰速运 (acme)', `账期 Period: ${month}`, '部门 Department: 华南 / 深圳', '更正', '企业合计', st.totals.amount, '-1.23'])
    assert.ok(text.includes(s), `the PDF says ${s}`);
  for (const l of st.lines) assert.ok(text.includes(l.orderNo), `line ${l.orderNo} is in the PDF`);
  // the total row: the enterprise total is the sum of the lines (the API's figures, exact strings)
  const totalRow = text.split('\n').find((l) => l.includes('企业合计'))!;
  assert.ok(totalRow.trim().endsWith(st.totals.amount), totalRow);
  const fen = (s: string) => Math.round(Number(s) * 100); // test-side check only
  assert.equal(st.lines.reduce((s: number, l: any) => s + fen(l.amount), 0), fen(st.totals.amount));

  assert.match(poppler('pdffonts', [pdf]), /WenQuanYiZenHei\s.*\byes\b/, 'the CJK font is embedded');
  assert.match(poppler('pdfimages', ['-list', pdf]).split('\n').slice(2).join('\n'), /\b2\s+2\b/, 'the 2×2 logo is on the page');

  // page 1 as an image: not blank, and the Chinese heading is drawn (ink where the text is)
  poppler('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', pdf, join(tmp, 'page')]);
  const png = readdirSync(tmp).find((f) => f.startsWith('page') && f.endsWith('.png'));
  assert.ok(png, 'pdftoppm wrote page 1');
  const ink = inkShare(readFileSync(join(tmp, png)));
  assert.ok(ink > 0.01 && ink < 0.5, `page 1 has text on it (ink ${ink.toFixed(3)})`);
});

test('the PDF without its font: a clear 503, not a crash', async () => {
  const s = await buildStatement(p.ctx.db, 'op1', 'acme', month);
  await assert.rejects(statementPdf(s, { fontPath: join(tmp, 'no-such-font.ttc') }), (e: unknown) => e instanceof AppError && e.status === 503 && e.code === 'pdf_font_missing' && /fonts-wqy-zenhei/.test(e.message));
  // CSV and XLSX do not need it
  const csv = await p.api('GET', `${E}/statement/export?month=${month}&format=csv`, undefined, admin);
  assert.equal(csv.status, 200);
});
