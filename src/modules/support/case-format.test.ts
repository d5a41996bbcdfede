import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { caseMarkdown, caseRow, statusLine, FIELDS, emptyFields, type CaseDoc } from './case-format.ts';
import { parseCaseBlock } from './case-log.ts';

const seed = readFileSync(new URL('../../../test/support-desk/case6-seed.txt', import.meta.url), 'utf8');

const case6: CaseDoc = {
  caseNo: 'igo_case#6_20190923',
  fields: {
    date: '20190923',
    city: '深圳',
    operator: 'igo',
    stationName: '永湖站',
    phone: '18475511853',
    orderNo: '20190920144024840824',
    chargerId: '44030700030000200016',
    connectorId: '1',
    startTime: '2019-09-20 14:40:44',
    endTime: '2019-09-20 15:43:49',
    duration: '1小时3分5秒',
    energyKwh: '25.37',
    amount: '39.57',
    networkState: '正常',
    recentFaults: '',
  },
  description: '因异常账单通过人工修正后,占桩费显示并不正确。',
  operatorFindings: '',
  analysis: [{ author: '令狐充', text: '异常账单那个总金额是正确的,修复后占桩费显示异常明天会更新一下' }],
  resolution: '',
  status: 'in_progress',
  assignees: ['何倩怡'],
};

test('the status line ticks the chosen state', () => {
  assert.equal(statusLine('resolved'), '状态(√表示选定 ): √已解决 | 处理中 | 暂搁置');
  assert.equal(statusLine('in_progress'), '状态(√表示选定 ): 已解决 | √处理中 | 暂搁置');
  assert.equal(statusLine('on_hold'), '状态(√表示选定 ): 已解决 | 处理中 | √暂搁置');
});

test('the Markdown export has the log’s field lines in the log’s order, each label followed by ":"', () => {
  const md = caseMarkdown(case6);
  const lines = md.split('\n').map((l) => l.trimEnd());
  const fieldLines = lines.filter((l) => FIELDS.some(([, label]) => l.startsWith(`${label}:`)));
  assert.deepEqual(
    fieldLines.map((l) => l.split(':')[0]),
    FIELDS.map(([, l]) => l),
  );
  const seedLabels = seed.split('\n').filter((l) => FIELDS.some(([, label]) => l.startsWith(`${label}:`))).map((l) => l.split(':')[0]);
  assert.deepEqual(fieldLines.map((l) => l.split(':')[0]), seedLabels, 'the same order as the seed log');
  assert.ok(lines.includes('【令狐充】:异常账单那个总金额是正确的,修复后占桩费显示异常明天会更新一下'));
  assert.ok(lines.includes('状态(√表示选定 ): 已解决 | √处理中 | 暂搁置'));
  assert.ok(lines.includes('跟进:何倩怡'));
  assert.ok(lines.includes('## igo_case#6_20190923'));
  // each field line is a line of its own when rendered (hard line break)
  for (const l of md.split('\n').filter((x) => FIELDS.some(([, label]) => x.startsWith(`${label}:`)))) assert.ok(l.endsWith('  '), l);
});

test('case 6 written out and read back equals the seed log’s case-6 block, field by field', () => {
  const ours = parseCaseBlock(caseMarkdown(case6));
  const log = parseCaseBlock(seed);
  assert.equal(ours.caseNo, log.caseNo);
  for (const [k] of FIELDS) assert.equal(ours.fields[k], log.fields[k], k);
  assert.equal(ours.description, log.description);
  assert.deepEqual(ours.analysis, log.analysis);
  assert.equal(ours.status, log.status);
  assert.deepEqual(ours.assignees, log.assignees);
});

test('multi-line texts keep their lines; an empty 运营商初步排查结果 is 无 as in the log', () => {
  const md = caseMarkdown({ ...case6, fields: emptyFields(), description: '第一行\n第二行', operatorFindings: '', resolution: '1. 修复回调url\n2. 补回金额', assignees: ['施文俊', '何倩怡'] });
  assert.ok(md.includes('问题描述:第一行  \n第二行'));
  assert.ok(md.includes('运营商初步排查结果:\n\n无\n'));
  assert.ok(md.includes('### 解决\n\n1. 修复回调url  \n2. 补回金额\n'));
  assert.ok(md.includes('跟进:施文俊、何倩怡'));
  // a field value never breaks its line
  assert.ok(caseMarkdown({ ...case6, fields: { ...case6.fields, recentFaults: 'a\nb' } }).includes('近期故障状态:a b  '));
});

test('one spreadsheet row per case with the status in words', () => {
  const row = caseRow(case6);
  assert.equal(row.caseNo, 'igo_case#6_20190923');
  assert.equal(row.status, '处理中');
  assert.equal(row.analysis, '【令狐充】:异常账单那个总金额是正确的,修复后占桩费显示异常明天会更新一下');
  assert.equal(row.operatorFindings, '无');
  assert.equal(row.duration, '1小时3分5秒');
});
