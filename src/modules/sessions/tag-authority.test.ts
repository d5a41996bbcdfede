import { test } from 'node:test';
import assert from 'node:assert/strict';

test('without a registered tag authority sessions answers for no id tag (an error, never Accepted)', async () => {
  // a fresh module instance: nothing above sessions has been loaded in this import
  const m = await import(`./tag-authority.ts?fresh=${process.pid}`);
  assert.throws(() => m.tagAuthority(), /no id tag authority/);
  const answer = { status: 'Blocked' as const };
  m.registerTagAuthority({ idTagInfo: async () => answer, startTagInfo: async () => answer, holdForSession: async () => 0 });
  assert.equal(await m.tagAuthority().idTagInfo({} as any, 'op1', 'X', new Date(0)), answer);
});

test('loading the wallet registers it as the tag authority of sessions', async () => {
  await import('../wallet/index.ts');
  const { tagAuthority } = await import('./tag-authority.ts');
  const { idTagInfo, holdForSession } = await import('../wallet/index.ts');
  assert.equal(tagAuthority().idTagInfo, idTagInfo);
  assert.equal(tagAuthority().holdForSession, holdForSession);
});
