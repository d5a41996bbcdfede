import { test } from 'node:test';
import assert from 'node:assert/strict';

test('without the enterprise module nobody is a member and no cap applies', async () => {
  const m = await import(`./membership.ts?fresh=${process.pid}`);
  assert.equal(await m.membershipOf({} as any, 'op1', '13800000000'), null);
  assert.equal(await m.memberAllowance({} as any, 'op1', '13800000000', new Date(0)), null);
});

test('loading the enterprise module registers its memberships and caps with the wallet', async () => {
  await import('../enterprise/index.ts');
  const seen: unknown[][] = [];
  const q = { query: async (...a: unknown[]) => (seen.push(a), { rows: [], rowCount: 0 }) } as any;
  const { membershipOf } = await import('./membership.ts');
  assert.equal(await membershipOf(q, 'op1', '13800000000'), null);
  assert.match(String(seen[0]?.[0]), /enterprise_members/, 'the enterprise module answered (its query ran)');
});
