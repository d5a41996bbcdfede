import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { documentTokens, queryText, likeTerms } from './search.ts';

test('Han text is indexed as its characters and bigrams, other text as lower-case words', () => {
  assert.deepEqual(documentTokens('永湖站 Charger 44030700030000200016'), ['永', '永湖', '湖', '湖站', '站', 'charger', '44030700030000200016']);
  // full-width forms fold (NFKC), punctuation separates
  assert.deepEqual(documentTokens('ＡＢＣ,占桩费'), ['abc', '占', '占桩', '桩', '桩费', '费']);
});

test('a query is the bigrams of each Han run (a single character as itself) and word prefixes, all required', () => {
  assert.equal(queryText('占桩费'), "'占桩' & '桩费'");
  assert.equal(queryText('桩'), "'桩'");
  assert.equal(queryText('永湖站 4403'), "'永湖' & '湖站' & '4403':*");
  assert.equal(queryText("o'brien"), "'o':* & 'brien':*");
  assert.equal(queryText(' ,.!'), null);
});

test('every query token of a text occurs in the text’s own tokens (the index can find what was written)', () => {
  const han = fc.constantFrom(...'永湖站翠岭华庭充电桩占费账单修正异常'.split(''));
  const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);
  const piece = fc.oneof(fc.array(han, { minLength: 1, maxLength: 6 }).map((a) => a.join('')), word);
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.constantFrom(' ', '', ','), (pieces, sep) => {
      const text = pieces.join(sep);
      const doc = new Set(documentTokens(text));
      const q = queryText(text)!;
      for (const t of q.split(' & ')) {
        const lexeme = t.replace(/:\*$/, '').slice(1, -1);
        assert.ok(doc.has(lexeme), `${lexeme} of ${text}`);
      }
    }),
  );
});

test('the exact check uses the query’s letter and digit runs, so LIKE wildcards never reach it', () => {
  assert.deepEqual(likeTerms('100% 占桩_费'), ['%100%', '%占桩%', '%费%']);
});

test('letters next to Han text are a word of their own', () => {
  assert.deepEqual(documentTokens('bo系统升级2.0'), ['bo', '系', '系统', '统', '统升', '升', '升级', '级', '2', '0']);
  assert.equal(queryText('bo系统'), "'bo':* & '系统'");
});
