import ExcelJS from 'exceljs';
import type { Queryable } from '../../platform/db/index.ts';
import { parseYuan } from '../../platform/money.ts';
import { departmentTree } from './departments.ts';
import { kwhToWh } from './provisioning.ts';
import { checkRows, IMPORT_COLUMNS, pathKey, readRows, type ImportRow, type RawRow } from './import-rows.ts';

/** Looks up, in three queries, what the row rules need for these rows. */
async function world(q: Queryable, operatorId: string, enterpriseId: string, raw: RawRow[]) {
  const { flat } = await departmentTree(q, operatorId, enterpriseId);
  // departmentTree's path is "a / b / c"; the file says "a/b/c"
  const departments = new Map(flat.map((d) => [pathKey(d.path.split(' / ')), d.id]));
  const phones = raw.map((r) => (r.phone ?? '').replace(/[\s-]/g, ''));
  const m = await q.query(`SELECT driver_phone, enterprise_id FROM enterprise_members WHERE operator_id = $1 AND driver_phone = ANY($2::text[])`, [operatorId, phones]);
  const tags = raw.flatMap((r) => (r.idTags ?? '').split(';').map((s) => s.trim()).filter(Boolean));
  const t = await q.query(`SELECT id, driver_phone FROM id_tags WHERE operator_id = $1 AND id = ANY($2::text[])`, [operatorId, tags]);
  return {
    departments,
    membership: new Map(m.rows.map((x: any) => [x.driver_phone as string, x.enterprise_id as string])),
    tagOwner: new Map(t.rows.map((x: any) => [x.id as string, x.driver_phone as string | null])),
  };
}

export async function previewImport(q: Queryable, operatorId: string, enterpriseId: string, format: 'csv' | 'xlsx', content: string) {
  const raw = await readRows(format, content);
  const w = await world(q, operatorId, enterpriseId, raw);
  return { ...checkRows(raw, enterpriseId, w), departments: w.departments };
}

/**
 * Applies checked rows inside the caller's transaction: the driver (created if new, name updated if
 * given), its id tags, its membership (moved if already a member here) and its limits.
 */
export async function applyImport(q: Queryable, operatorId: string, enterpriseId: string, rows: ImportRow[], departments: Map<string, number>) {
  for (const r of rows) {
    await q.query(
      `INSERT INTO drivers (operator_id, phone, name) VALUES ($1, $2, $3)
       ON CONFLICT (operator_id, phone) DO UPDATE SET name = COALESCE(EXCLUDED.name, drivers.name), updated_at = now()`,
      [operatorId, r.phone, r.name],
    );
    for (const t of r.idTags)
      await q.query(`INSERT INTO id_tags (operator_id, id, driver_phone, kind, status) VALUES ($1, $2, $3, 'card', 'active') ON CONFLICT (operator_id, id) DO UPDATE SET driver_phone = EXCLUDED.driver_phone`, [
        operatorId,
        t,
        r.phone,
      ]);
    await q.query(
      `INSERT INTO enterprise_members (operator_id, driver_phone, enterprise_id, department_id, monthly_amount_fen, monthly_energy_wh, per_session_amount_fen)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (operator_id, driver_phone) DO UPDATE SET department_id = EXCLUDED.department_id, monthly_amount_fen = EXCLUDED.monthly_amount_fen,
         monthly_energy_wh = EXCLUDED.monthly_energy_wh, per_session_amount_fen = EXCLUDED.per_session_amount_fen, updated_at = now()
       WHERE enterprise_members.enterprise_id = EXCLUDED.enterprise_id`,
      [
        operatorId,
        r.phone,
        enterpriseId,
        departments.get(pathKey(r.departmentPath))!,
        r.monthlyAmount === null ? null : parseYuan(r.monthlyAmount),
        r.monthlyEnergyKwh === null ? null : kwhToWh(r.monthlyEnergyKwh),
        r.perSessionAmount === null ? null : parseYuan(r.perSessionAmount),
      ],
    );
  }
}

const EXAMPLE = ['13800138000', '张三', '华南/深圳/宝安', 'CARD0001;CARD0002', '500.00', '300', '100.00'];

/** The template: the header row and one example row (delete it before importing). */
export async function importTemplate(format: 'csv' | 'xlsx'): Promise<Buffer> {
  if (format === 'csv') return Buffer.from(`\uFEFF${IMPORT_COLUMNS.join(',')}\n${EXAMPLE.join(',')}\n`, 'utf8');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('members');
  ws.addRow([...IMPORT_COLUMNS]);
  ws.addRow(EXAMPLE);
  ws.getRow(1).font = { bold: true };
  ws.columns.forEach((c) => (c.width = 18));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
