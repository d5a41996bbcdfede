/**
 * The monthly statement as a PDF (issue 17 point 4): the operator's name and logo, the enterprise,
 * the period, one group per department with its order and correction lines and its subtotal, and
 * the enterprise total. Every figure is the API's exact decimal string (statementView), so the PDF
 * says what the CSV, the XLSX and the ledger say. Chinese text needs a CJK font embedded: pdfkit's
 * standard fonts have no CJK glyphs, so we embed WenQuanYi Zen Hei (Debian fonts-wqy-zenhei).
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError } from '../../platform/errors.ts';
import { outboundFetch } from '../../platform/outbound-url.ts';
import type { StatementData } from './statement.ts';
import { statementView } from './statement.ts';

export const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
const CJK_FONT_NAME = 'WenQuanYiZenHei'; // the face inside the .ttc collection

/** Columns of a line: key, header, width (pt), right-aligned. A4 landscape less margins is 770 pt. */
const COLS: [string, string, number, boolean][] = [
  ['kind', '类型', 30, false],
  ['orderNo', '订单号 Order', 112, false],
  ['version', '版本', 26, true],
  ['localTime', '记账时间 Booked', 92, false],
  ['phone', '成员 Member', 70, false],
  ['energyKwh', '电量 kWh', 52, true],
  ['sharp', '尖 Sharp', 50, true],
  ['peak', '峰 Peak', 50, true],
  ['flat', '平 Flat', 50, true],
  ['valley', '谷 Valley', 50, true],
  ['idleFee', '占位费 Idle', 50, true],
  ['other', '其他 Other', 50, true],
  ['amount', '金额 Amount', 64, true],
];
const KIND: Record<string, string> = { order: '订单', correction: '更正' };
const MARGIN = 36;
const ROW = 13;

/** The font the PDF needs, or a 503 that says what to install (never a crash half-way through a file). */
export function requireCjkFont(path = CJK_FONT): string {
  if (!existsSync(path))
    throw new AppError(503, 'pdf_font_missing', `PDF statements need the CJK font ${path} (Debian package fonts-wqy-zenhei) on the server; install it, or export CSV or XLSX`);
  return path;
}

/**
 * The operator's logo as PNG/JPEG bytes: a data: URL, or an http(s) URL fetched under the outbound
 * policy (5 s, 2 MiB). Anything else, or any failure, is no logo: the statement is still issued.
 */
export async function statementLogo(logo: string | null): Promise<Buffer | null> {
  if (!logo) return null;
  let bytes: Buffer | null = null;
  const data = /^data:image\/(png|jpe?g);base64,([A-Za-z0-9+/=\s]+)$/.exec(logo);
  try {
    if (data) bytes = Buffer.from(data[2], 'base64');
    else if (/^https?:\/\//.test(logo)) {
      const res = await outboundFetch(logo, { timeoutMs: 5_000, maxBytes: 2 * 1024 * 1024 });
      if (res.ok) bytes = Buffer.from(await res.arrayBuffer());
    }
  } catch {
    return null;
  }
  if (!bytes) return null;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  return png || jpeg ? bytes : null;
}

export async function statementPdf(s: StatementData, opts: { logo?: Buffer | null; fontPath?: string } = {}): Promise<Buffer> {
  const font = requireCjkFont(opts.fontPath);
  const v = statementView(s);
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, bufferPages: true, info: { Title: `${s.enterprise.name} ${s.month}`, Author: s.operator.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font, CJK_FONT_NAME);
  doc.font('cjk');
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 20;

  // heading: logo, operator, title, enterprise, period
  let x = MARGIN;
  if (opts.logo) {
    try {
      doc.image(opts.logo, MARGIN, MARGIN, { fit: [48, 48] });
      x += 58;
    } catch {
      // an image pdfkit cannot read is no logo
    }
  }
  doc.fontSize(16).text(s.operator.name, x, MARGIN, { width: width - (x - MARGIN) });
  doc.fontSize(12).text('企业月结账单 Enterprise monthly statement', x, doc.y + 2);
  doc.y = Math.max(doc.y, MARGIN + 52);
  doc.fontSize(10);
  doc.text(`企业 Enterprise: ${s.enterprise.name} (${s.enterprise.id})`, MARGIN, doc.y + 4);
  doc.text(`账期 Period: ${s.month}  (${localDate(s.from, s.timeZone)} – ${localDate(new Date(Date.parse(s.to) - 1).toISOString(), s.timeZone)}, ${s.timeZone})`);
  const t = v.totals;
  doc.text(`订单 ${t.sessions} 笔 sessions · 更正 ${t.corrections} 笔 corrections · 电量 ${t.energyKwh} kWh · 合计 Total ${t.amount} 元`);
  doc.moveDown(0.5);

  const header = () => row(COLS.map((c) => c[1]), true);
  const row = (cells: string[], bold = false) => {
    if (doc.y + ROW > bottom()) {
      doc.addPage();
      doc.y = MARGIN;
      if (!bold) header();
    }
    const y = doc.y;
    if (bold) doc.rect(MARGIN, y - 2, width, ROW).fill('#eeeeee').fillColor('black');
    let cx = MARGIN;
    doc.fontSize(7.5);
    COLS.forEach(([, , w, right], i) => {
      doc.text(cells[i] ?? '', cx + 2, y, { width: w - 4, align: right ? 'right' : 'left', lineBreak: false, height: ROW });
      cx += w;
    });
    doc.y = y + ROW;
    doc.x = MARGIN;
  };
  const sumCells = (label: string, tt: typeof t) => ['', label, '', `${tt.sessions} 笔 / ${tt.corrections} 更正`, '', tt.energyKwh, tt.sharp, tt.peak, tt.flat, tt.valley, tt.idleFee, tt.other, tt.amount];

  for (const d of v.departments) {
    if (doc.y + 3 * ROW > bottom()) {
      doc.addPage();
      doc.y = MARGIN;
    }
    doc.moveDown(0.4);
    doc.fontSize(10).text(`部门 Department: ${d.path}${d.deleted ? ' (已删除 deleted)' : ''}`, MARGIN, doc.y);
    doc.moveDown(0.2);
    header();
    for (const l of v.lines.filter((l) => l.departmentId === d.departmentId)) row(COLS.map(([k]) => (k === 'kind' ? KIND[l.kind] : String((l as Record<string, unknown>)[k] ?? ''))));
    row(sumCells('小计 Subtotal', d.totals), true);
  }
  doc.moveDown(0.6);
  row(sumCells('企业合计 Total', t), true);
  doc.fontSize(8).text('合计为各行之和,与企业账户流水一致。 Totals are the sums of the lines and equal the enterprise account ledger.', MARGIN, doc.y + 4);

  // page numbers, once every page exists
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    doc.page.margins.bottom = 0; // the footer sits in the margin: no automatic page break there
    doc.fontSize(7.5).text(`${s.enterprise.name} ${s.month} · 第 ${i + 1} / ${range.count} 页`, MARGIN, doc.page.height - MARGIN - 8, { width, align: 'right', lineBreak: false });
  }
  doc.end();
  return done;
}

const localDate = (iso: string, timeZone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
