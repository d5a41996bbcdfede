import type { Queryable } from '../../platform/db/index.ts';
import { formatKwh3, formatYuan } from '../../platform/money.ts';
import { enterpriseCharges, getEnterprise, getOperator, monthRange } from './service.ts';
import { figuresOf, statementLine, totalsOf, type StatementLine, type Totals, type VersionFigures } from './statement-lines.ts';

export interface StatementData {
  operator: { id: string; name: string; logo: string | null };
  enterprise: { id: string; name: string };
  month: string;
  timeZone: string;
  from: string;
  to: string;
  lines: (StatementLine & { departmentName: string; localTime: string })[];
  departments: { departmentId: number; name: string; path: string; deleted: boolean; totals: Totals; members: { phone: string; totals: Totals }[] }[];
  totals: Totals;
}

/** "2026-01-15 10:00:00" in the operator's time zone (as the order exports show times). */
function localTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** The figures of every order version the lines need, in one query. */
async function versionFigures(q: Queryable, operatorId: string, orderNos: string[]) {
  const r = await q.query(`SELECT order_no, version, priced FROM order_versions WHERE operator_id = $1 AND order_no = ANY($2::text[])`, [operatorId, orderNos]);
  const m = new Map<string, VersionFigures>();
  for (const v of r.rows as any[]) m.set(`${v.order_no}#${v.version}`, figuresOf(v.priced));
  return m;
}

/**
 * An enterprise's monthly statement (operator time zone): one line per order charged and per
 * correction (its own line), totals per member, per department (its own lines: a department's
 * sub-departments have their own rows) and for the enterprise. Totals are sums of the lines, and
 * each line's amount is what the ledger moved, so the statement equals the ledger.
 */
export async function buildStatement(q: Queryable, operatorId: string, enterpriseId: string, month: string): Promise<StatementData> {
  const e = await getEnterprise(q, operatorId, enterpriseId);
  const op = await getOperator(q, operatorId);
  const { from, to, timeZone } = await monthRange(q, operatorId, month);
  const charges = await enterpriseCharges(q, operatorId, enterpriseId, from, to);
  const meta = await q.query(`SELECT id, meta->>'version' AS version FROM ledger_transactions WHERE id = ANY($1::bigint[])`, [charges.map((c) => c.transactionId)]);
  const versionOf = new Map(meta.rows.map((r: any) => [Number(r.id), Number(r.version ?? 1)]));
  const figures = await versionFigures(q, operatorId, [...new Set(charges.map((c) => c.orderNo))]);
  const depts = await q.query(`SELECT id, name, parent_id, deleted_at FROM enterprise_departments WHERE operator_id = $1 AND enterprise_id = $2`, [operatorId, enterpriseId]);
  const byId = new Map(depts.rows.map((d: any) => [Number(d.id), { name: d.name as string, parent: d.parent_id === null ? null : Number(d.parent_id), deleted: d.deleted_at !== null }]));
  const pathOf = (id: number): string => {
    const names: string[] = [];
    for (let cur: number | null = id, n = 0; cur !== null && n < 50; n++) {
      const d = byId.get(cur);
      if (!d) break;
      names.unshift(d.name);
      cur = d.parent;
    }
    return names.join(' / ') || '?';
  };
  const lines = charges.map((c) => {
    const version = versionOf.get(c.transactionId) ?? 1;
    const line = statementLine(
      { cause: c.cause, orderNo: c.orderNo, version, at: c.at.toISOString(), phone: c.phone, departmentId: c.departmentId, amountFen: c.amountFen },
      figures.get(`${c.orderNo}#${version}`) ?? figuresOf(null),
      c.cause === 'correction' ? (figures.get(`${c.orderNo}#${version - 1}`) ?? null) : null,
    );
    return { ...line, departmentName: pathOf(c.departmentId), localTime: localTime(line.at, timeZone) };
  });
  const deptIds = [...new Set(lines.map((l) => l.departmentId))];
  const departments = deptIds
    .map((id) => {
      const own = lines.filter((l) => l.departmentId === id);
      const phones = [...new Set(own.map((l) => l.phone))].sort();
      return {
        departmentId: id,
        name: byId.get(id)?.name ?? '?',
        path: pathOf(id),
        deleted: byId.get(id)?.deleted ?? false,
        totals: totalsOf(own),
        members: phones.map((phone) => ({ phone, totals: totalsOf(own.filter((l) => l.phone === phone)) })),
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
  const brand = ((op?.settings ?? {}) as { brand?: { name?: string; logo?: string; logoUrl?: string } }).brand ?? {};
  return {
    operator: { id: operatorId, name: brand.name || op?.name || operatorId, logo: brand.logo ?? brand.logoUrl ?? null },
    enterprise: { id: e.id, name: e.name },
    month,
    timeZone,
    from: from.toISOString(),
    to: to.toISOString(),
    lines,
    departments,
    totals: totalsOf(lines),
  };
}

const money = (t: Totals) => ({
  sessions: t.sessions,
  corrections: t.corrections,
  energyKwh: formatKwh3(t.energyWh),
  sharp: formatYuan(t.sharpFen),
  peak: formatYuan(t.peakFen),
  flat: formatYuan(t.flatFen),
  valley: formatYuan(t.valleyFen),
  idleFee: formatYuan(t.idleFen),
  other: formatYuan(t.otherFen),
  amount: formatYuan(t.amountFen),
});

/** The API view: amounts as yuan strings, energy as kWh strings. */
export function statementView(s: StatementData) {
  return {
    operator: s.operator,
    enterpriseId: s.enterprise.id,
    enterpriseName: s.enterprise.name,
    month: s.month,
    timeZone: s.timeZone,
    from: s.from,
    to: s.to,
    totals: money(s.totals),
    // kept from the first statement version: total and order count at the top level
    total: formatYuan(s.totals.amountFen),
    orders: new Set(s.lines.filter((l) => l.kind === 'order').map((l) => l.orderNo)).size,
    departments: s.departments.map((d) => ({
      departmentId: d.departmentId,
      name: d.name,
      path: d.path,
      deleted: d.deleted,
      orders: d.totals.sessions,
      amount: formatYuan(d.totals.amountFen),
      totals: money(d.totals),
      members: d.members.map((m) => ({ phone: m.phone, orders: m.totals.sessions, amount: formatYuan(m.totals.amountFen), totals: money(m.totals) })),
    })),
    lines: s.lines.map((l) => ({
      kind: l.kind,
      orderNo: l.orderNo,
      version: l.version,
      at: l.at,
      localTime: l.localTime,
      phone: l.phone,
      departmentId: l.departmentId,
      department: l.departmentName,
      energyKwh: formatKwh3(l.energyWh),
      sharp: formatYuan(l.sharpFen),
      peak: formatYuan(l.peakFen),
      flat: formatYuan(l.flatFen),
      valley: formatYuan(l.valleyFen),
      idleFee: formatYuan(l.idleFen),
      other: formatYuan(l.otherFen),
      amount: formatYuan(l.amountFen),
    })),
  };
}
