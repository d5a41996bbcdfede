/**
 * Full-text search over cases that works for Chinese on PostgreSQL and PGlite alike, without an
 * extension: Han text is indexed as its single characters and its bigrams (every pair of
 * neighbouring characters), other text as lower-cased words. The document becomes a tsvector
 * (array_to_tsvector: lexemes as they are, no dictionary), the query a tsquery of the same tokens
 * (bigrams of each Han run; words as prefixes), served by a GIN index; the exact substring is then
 * checked on the row (search_text), so bigrams that happen to occur apart never match.
 *
 * Why not pg_trgm (PGlite 0.5 ships it): a trigram index cannot serve a search shorter than three
 * characters, and most Chinese words are two (永湖, 断网, 故障); and an extension is created per
 * database, which the schema-per-test setup and several deployments share.
 */

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
// a run of CJK characters, or a run of other letters and digits ("bo系统" is "bo" then "系统")
const RUN = new RegExp(`([${CJK}]+)|((?:(?![${CJK}])[\\p{L}\\p{N}])+)`, 'gu');
const MAX_WORD = 40;

export const normalise = (s: string) => s.normalize('NFKC').toLowerCase();

function runs(text: string): { han: boolean; s: string }[] {
  const out: { han: boolean; s: string }[] = [];
  for (const m of normalise(text).matchAll(RUN)) out.push(m[1] ? { han: true, s: m[1] } : { han: false, s: m[2].slice(0, MAX_WORD) });
  return out;
}

/** The lexemes of a document: Han unigrams and bigrams, words; deduplicated. */
export function documentTokens(text: string): string[] {
  const out = new Set<string>();
  for (const r of runs(text)) {
    if (!r.han) {
      out.add(r.s);
      continue;
    }
    const cs = [...r.s];
    cs.forEach((c, i) => {
      out.add(c);
      if (i + 1 < cs.length) out.add(c + cs[i + 1]);
    });
  }
  return [...out];
}

const quote = (lexeme: string) => `'${lexeme.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;

/**
 * The tsquery text for a search (every token must occur: AND), or null when the search has no
 * letters or digits. A one-character Han run is a unigram, longer ones their bigrams; words match
 * as prefixes (a charger id typed in part).
 */
export function queryText(search: string): string | null {
  const parts = new Set<string>();
  for (const r of runs(search)) {
    if (!r.han) {
      parts.add(`${quote(r.s)}:*`);
      continue;
    }
    const cs = [...r.s];
    if (cs.length === 1) parts.add(quote(cs[0]));
    for (let i = 0; i + 1 < cs.length; i++) parts.add(quote(cs[i] + cs[i + 1]));
  }
  return parts.size ? [...parts].join(' & ') : null;
}

/** The search's runs for the exact check (each must occur in search_text), as LIKE patterns. */
export function likeTerms(search: string): string[] {
  return runs(search)
    .slice(0, 10)
    .map((r) => `%${r.s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}
