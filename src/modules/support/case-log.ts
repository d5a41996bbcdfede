/**
 * Reads a case block of the operator's case log (the seed's XWiki text or our Markdown export)
 * back into its parts, so an export can be compared with the log field by field (pure).
 */
import { FIELDS, STATUSES, STATUS_LABELS, type CaseStatus } from './case-format.ts';

export interface ParsedCase {
  caseNo: string | null;
  fields: Record<string, string>;
  description: string;
  analysis: { author: string; text: string }[];
  status: CaseStatus | null;
  assignees: string[];
}

const LABELS = new Map<string, string>(FIELDS.map(([k, l]) => [l, k]));

export function parseCaseBlock(text: string): ParsedCase {
  const out: ParsedCase = { caseNo: null, fields: {}, description: '', analysis: [], status: null, assignees: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const head = /^(?:=+|#+)\s*(\S+_case#\d+_\d{8})\s*=*$/.exec(line);
    if (head) out.caseNo = head[1];
    const a = /^【([^】]*)】:(.*)$/.exec(line);
    if (a) out.analysis.push({ author: a[1].trim(), text: a[2].trim() });
    if (line.startsWith('状态(√表示选定 ):')) {
      const parts = line.slice('状态(√表示选定 ):'.length).split('|').map((p) => p.trim());
      const i = parts.findIndex((p) => p.startsWith('√'));
      if (i >= 0) out.status = STATUSES.find((s) => STATUS_LABELS[s] === parts[i].replace(/^√\s*/, '')) ?? null;
    }
    const m = /^([^:：]+)[:：](.*)$/.exec(line);
    if (!m) continue;
    const label = m[1].trim();
    const value = m[2].trim();
    if (LABELS.has(label)) out.fields[LABELS.get(label)!] = value;
    else if (label === '问题描述') out.description = value;
    else if (label === '跟进') out.assignees = value ? value.split('、').map((x) => x.trim()) : [];
  }
  return out;
}
