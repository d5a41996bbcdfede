/**
 * The operator's case-log layout (pure): the template's field lines in the log's order with `:`
 * after each label, 问题描述, 运营商初步排查结果, 分析 entries as `【author】:text`, 解决, the status
 * line with `√` before the chosen state, and 跟进 — as Markdown (each field line ends in a hard line
 * break so it stays one line when rendered), and as one spreadsheet row per case.
 */

export const FIELDS = [
  ['date', '日期'],
  ['city', '城市'],
  ['operator', '运营商'],
  ['stationName', '桩站名称'],
  ['phone', '手机号'],
  ['orderNo', '订单号'],
  ['chargerId', '充电桩号'],
  ['connectorId', '充电枪号'],
  ['startTime', '开始充电时间'],
  ['endTime', '充电结束时间'],
  ['duration', '充电时长'],
  ['energyKwh', '充电电量'],
  ['amount', '订单金额'],
  ['networkState', '现场网络连接状态'],
  ['recentFaults', '近期故障状态'],
] as const;
export type FieldKey = (typeof FIELDS)[number][0];
export type CaseFields = Record<FieldKey, string>;
export const FIELD_KEYS = FIELDS.map((f) => f[0]) as FieldKey[];

export const STATUSES = ['resolved', 'in_progress', 'on_hold'] as const;
export type CaseStatus = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<CaseStatus, string> = { resolved: '已解决', in_progress: '处理中', on_hold: '暂搁置' };

export const emptyFields = (): CaseFields => Object.fromEntries(FIELD_KEYS.map((k) => [k, ''])) as CaseFields;

export interface CaseDoc {
  caseNo: string;
  /** field values, the phone already as the reader may see it (masked or full) */
  fields: CaseFields;
  description: string;
  operatorFindings: string;
  analysis: { author: string; text: string }[];
  resolution: string;
  status: CaseStatus;
  assignees: string[];
}

/** `状态(√表示选定 ): 已解决 | √处理中 | 暂搁置` */
export const statusLine = (s: CaseStatus) => `状态(√表示选定 ): ${STATUSES.map((x) => (x === s ? '√' : '') + STATUS_LABELS[x]).join(' | ')}`;

const oneLine = (s: string) => s.replace(/\s*\r?\n\s*/g, ' ').trim();
// a hard line break in Markdown: two spaces before the newline
const hardLines = (s: string) =>
  s
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .join('  \n');

export function caseMarkdown(c: CaseDoc): string {
  const out: string[] = [`## ${c.caseNo}`, '', '---', ''];
  for (const [k, label] of FIELDS) out.push(`${label}:${oneLine(c.fields[k] ?? '')}  `);
  out.push(`问题描述:${hardLines(c.description)}`, '', '---', '', '运营商初步排查结果:', '', hardLines(c.operatorFindings) || '无', '', '### 分析', '');
  for (const a of c.analysis) out.push(`【${oneLine(a.author)}】:${hardLines(a.text)}`, '');
  out.push('### 解决', '');
  if (c.resolution.trim()) out.push(hardLines(c.resolution), '');
  out.push(statusLine(c.status), '', `跟进:${c.assignees.map(oneLine).join('、')}`, '');
  return out.join('\n');
}

/** Several cases one after the other, as the log keeps them. */
export const casesMarkdown = (cs: CaseDoc[]) => cs.map(caseMarkdown).join('\n\n');

export const XLSX_COLUMNS: [string, string][] = [
  ['caseNo', '案例编号'],
  ...FIELDS.map(([k, l]) => [k, l] as [string, string]),
  ['description', '问题描述'],
  ['operatorFindings', '运营商初步排查结果'],
  ['analysis', '分析'],
  ['resolution', '解决'],
  ['status', '状态'],
  ['assignees', '跟进'],
];

/** One spreadsheet row (values keyed as XLSX_COLUMNS). */
export function caseRow(c: CaseDoc): Record<string, string> {
  return {
    caseNo: c.caseNo,
    ...c.fields,
    description: c.description,
    operatorFindings: c.operatorFindings || '无',
    analysis: c.analysis.map((a) => `【${a.author}】:${a.text}`).join('\n'),
    resolution: c.resolution,
    status: STATUS_LABELS[c.status],
    assignees: c.assignees.join('、'),
  };
}
