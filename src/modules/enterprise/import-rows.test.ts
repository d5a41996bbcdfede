import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkRows, readRows, type ImportWorld } from './import-rows.ts';

const world = (): ImportWorld => ({
  departments: new Map([
    ['华南', 1],
    ['华南/深圳', 2],
    ['华南/深圳/宝安', 3],
  ]),
  membership: new Map([
    ['13900000009', 'other-co'],
    ['13900000008', 'acme'],
  ]),
  tagOwner: new Map([['TAKEN1', '13100000000']]),
});

test('each kind of bad row is named with its row and column', () => {
  const { errors } = checkRows(
    [
      { row: 2, phone: '13800000001', department: '华南/深圳/宝安', idTags: 'A1;A2' },
      { row: 3, phone: '1380000', department: '华南' },
      { row: 4, phone: '13800000001', department: '华南' },
      { row: 5, phone: '13800000002', department: '华北/北京' },
      { row: 6, phone: '13900000009', department: '华南' },
      { row: 7, phone: '13900000008', department: ' 华南 / 深圳 ', monthlyAmount: '1.234', idTags: 'TAKEN1' },
    ],
    'acme',
    world(),
  );
  assert.deepEqual(
    errors.map((e) => [e.row, e.column]),
    [
      [3, 'phone'],
      [4, 'phone'],
      [5, 'department'],
      [6, 'phone'],
      [7, 'idTags'],
      [7, 'monthlyAmount'],
    ],
  );
  assert.match(errors[1].message, /duplicate phone 13800000001 in the file \(also row 2\)/);
  assert.match(errors[2].message, /unknown department 华北\/北京/);
  assert.match(errors[3].message, /another enterprise \(other-co\)/);
});

test('property: a file of good rows has no errors; one bad row anywhere gives exactly one error on that row', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 99_999_999 }), { minLength: 1, maxLength: 40 }), fc.nat(), (nums, k) => {
      const rows = nums.map((n, i) => ({ row: i + 2, phone: `138${String(n).padStart(8, '0')}`, department: '华南/深圳' }));
      assert.deepEqual(checkRows(rows, 'acme', world()).errors, []);
      const bad = k % rows.length;
      rows[bad] = { ...rows[bad], department: '不存在' };
      const { errors } = checkRows(rows, 'acme', world());
      assert.deepEqual(errors.map((e) => e.row), [bad + 2]);
    }),
  );
});

test('CSV rows are numbered as a spreadsheet shows them; blank lines are skipped; a missing column is named', async () => {
  const rows = await readRows('csv', '\uFEFFphone,name,department,idTags\n13800000001,张三,华南,A;B\n\n13800000002,李四,华南/深圳,\n');
  assert.deepEqual(rows.map((r) => [r.row, r.phone, r.idTags]), [
    [2, '13800000001', 'A;B'],
    [4, '13800000002', ''],
  ]);
  await assert.rejects(readRows('csv', 'name,department\nx,y\n'), /needs the columns phone/);
});
