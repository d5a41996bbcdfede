/** Shared fast-check arbitraries for the fuzz suites: hostile strings and numbers, JSON-schema-shaped values. */
import fc from 'fast-check';

/** Strings that break naive code: NUL, lone surrogates, escapes, SQL and HTML metacharacters, multibyte, long runs. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d\ude00', '\\', '"', "'", '%', '中', 'é', '\u241b', ';--', '<b>', '\n', ' ', 'a', '0'), { maxLength: 10 })
      .map((x) => x.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '-1', '1e400', "'; DROP TABLE sessions; --", '${x}', '__proto__', 'constructor') },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '中', '\u0000', 'ab'), fc.integer({ min: 100, max: 3000 })).map(([c, n]) => c.repeat(n)) },
);

/** Numbers at and beyond every edge a charger can send. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -2, max: 3 }),
  fc.constantFrom(-1, 0, 1.5, -0.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e30, -1e30, 1e300, 123456789012345),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const isoNear = fc.integer({ min: -3 * 86_400_000, max: 600_000 }).map((d) => new Date(Date.now() + d).toISOString());
const badDates = fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T23:59:60Z', 'yesterday', '2026-01-01', '');

type Schema = { type?: string | string[]; enum?: unknown[]; properties?: Record<string, Schema>; items?: Schema; format?: string; maxLength?: number; required?: string[] };

/**
 * Values shaped by a JSON schema (an OCPP 1.6 request), mostly valid so the handlers run, with
 * wrong types, hostile strings and numbers, missing and extra fields mixed in. `hints` bias some
 * fields towards values that reach real data (known connectors, id tags, transaction ids).
 */
export function fromSchema(schema: Schema, hints: Record<string, fc.Arbitrary<unknown>> = {}, key = '', depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(nastyString, nastyNumber, fc.constant(null), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
  const right = ((): fc.Arbitrary<unknown> => {
    if (hints[key]) return fc.oneof({ weight: 3, arbitrary: hints[key] }, { weight: 1, arbitrary: rightFor() });
    return rightFor();
  })();
  function rightFor(): fc.Arbitrary<unknown> {
    if (schema.enum) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...schema.enum) }, { weight: 1, arbitrary: nastyString });
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        if (schema.format === 'date-time') return fc.oneof({ weight: 4, arbitrary: isoNear }, { weight: 1, arbitrary: badDates }, { weight: 1, arbitrary: nastyString });
        return fc.oneof(
          { weight: 2, arbitrary: fc.string({ maxLength: Math.min(schema.maxLength ?? 30, 30) }) },
          // mostly within maxLength (so the handler runs), sometimes beyond it
          { weight: 2, arbitrary: fc.tuple(nastyString, fc.integer({ min: 0, max: 4 })).map(([s, n]) => (schema.maxLength && n > 0 ? s.slice(0, schema.maxLength) : s)) },
        );
      case 'integer':
        return fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100_000 }) }, { weight: 1, arbitrary: nastyNumber });
      case 'number':
        return fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), nastyNumber);
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 4 ? fc.constant([]) : fc.array(fromSchema(schema.items ?? {}, hints, key, depth + 1), { maxLength: 3 });
      case 'object': {
        if (depth > 4) return fc.constant({});
        const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fromSchema(s, hints, k, depth + 1)]));
        const required = (schema.required ?? []).filter((k) => k in props);
        // required fields are there (now and then one is missing), optional ones sometimes, now and then an extra field
        return fc
          .tuple(
            fc.record(props, { requiredKeys: required }),
            required.length ? rarely(fc.constantFrom(...required), 12) : fc.constant(null),
            rarely(fc.tuple(nastyString, fc.jsonValue({ maxDepth: 1 })), 8),
          )
          .map(([rec, missing, extra]) => {
            const out: Record<string, unknown> = { ...rec };
            if (missing) delete out[missing];
            if (extra) out[extra[0]] = extra[1];
            return out;
          });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }
  return fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

/** `arb` once in `n` draws, null otherwise. */
export const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** Words of database error texts (PostgreSQL and PGlite): none may reach a charger or a client. */
export const DB_TEXT = /violates|duplicate key|syntax error|relation "|column "|invalid input syntax|out of range for type|invalid byte sequence|unsupported Unicode|SQLSTATE|null value in|current transaction is aborted|deadlock|could not serialize|pg_|Unicode (low|high) surrogate|invalid input value/i;
