/**
 * Strings PostgreSQL can store. `text` refuses NUL (U+0000) and `jsonb` refuses the escape \u0000
 * and unpaired UTF-16 surrogates (which a text column would silently turn into U+FFFD). Chargers
 * and partners send such strings now and then (a C firmware's unterminated buffer, a cut-off
 * multibyte sequence); they must be stored, not make the write fail, and the original must stay
 * recoverable.
 *
 * The encoding is injective and reversible: a string that needs it (it holds NUL or a lone
 * surrogate, or it starts with the marker itself) is stored as MARKER + the string with `\` → `\\`
 * and each NUL / lone surrogate → `\uXXXX`. Every other string is stored as is, so ordinary data
 * (idTags, vendor codes, payloads) is untouched and searchable. `originalText` undoes it.
 */

/** ␛ (SYMBOL FOR ESCAPE): starts every escaped string, and only escaped strings. */
export const ESCAPE_MARKER = '\u241B';

const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const TO_ESCAPE = /\\|\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What makes a string unstorable: a NUL, a lone surrogate, or nothing. */
export function unsafeTextReason(s: string): 'a NUL character' | 'an unpaired surrogate' | null {
  const m = UNSAFE.exec(s);
  if (!m) return null;
  return m[0] === '\u0000' ? 'a NUL character' : 'an unpaired surrogate';
}

/** The storable form of a string (itself when it is already storable and not marker-led). */
export function storableText(s: string): string {
  if (!UNSAFE.test(s) && !s.startsWith(ESCAPE_MARKER)) return s;
  return ESCAPE_MARKER + s.replace(TO_ESCAPE, (c) => (c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** The string a storable form stands for (inverse of storableText). */
export function originalText(s: string): string {
  if (!s.startsWith(ESCAPE_MARKER)) return s;
  return s.slice(ESCAPE_MARKER.length).replace(/\\(\\|u[0-9a-f]{4})/g, (_m, e: string) => (e === '\\' ? '\\' : String.fromCharCode(parseInt(e.slice(1), 16))));
}

/** storableText applied to every string and object key of a JSON value (the input is not changed; it is returned itself when nothing needs escaping). */
export function storableJson<T>(v: T): T {
  return mapStrings(v, storableText) as T;
}

/** originalText applied to every string and object key of a JSON value. */
export function originalJson<T>(v: T): T {
  return mapStrings(v, originalText) as T;
}

/** A nullable string column. */
export const storableOrNull = (s: string | null | undefined): string | null => (s === null || s === undefined ? null : storableText(s));

/**
 * f over every string and key; copy on write: a value none of whose strings change is returned
 * itself, not copied (every OCPP frame passes here, and nearly all are plain: copying each one was a
 * large share of the gateway's garbage under load).
 */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = mapStrings(v[i], f);
      if (out) out[i] = x;
      else if (x !== v[i]) {
        out = v.slice(0, i);
        out[i] = x;
      }
    }
    return out ?? v;
  }
  if (v && typeof v === 'object') {
    const src = v as Record<string, unknown>;
    const keys = Object.keys(src);
    let out: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const x = own(src, k);
      const k2 = f(k);
      const x2 = mapStrings(x, f);
      if (!out && (k2 !== k || x2 !== x)) {
        out = {};
        for (let j = 0; j < i; j++) define(out, keys[j], own(src, keys[j]));
      }
      if (out) define(out, k2, x2);
    }
    return out ?? v;
  }
  return v;
}

// an own "__proto__" key (JSON.parse makes one) is read and written as data, never as the prototype
const own = (o: Record<string, unknown>, k: string) => (k === '__proto__' ? Object.getOwnPropertyDescriptor(o, k)?.value : o[k]);
const define = (o: Record<string, unknown>, k: string, value: unknown) => Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });

/**
 * The first string (or key) of a JSON value that cannot be stored, with its path (`idTag`,
 * `meterValue[0].sampledValue[1].value`), for an error that names the field. Walks iteratively:
 * the value may be deeply nested.
 */
export function findUnsafeText(v: unknown, root = ''): { path: string; reason: string } | null {
  const stack: { v: unknown; path: string }[] = [{ v, path: root }];
  while (stack.length) {
    const { v: x, path } = stack.pop()!;
    if (typeof x === 'string') {
      const reason = unsafeTextReason(x);
      if (reason) return { path: path || '(value)', reason };
    } else if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--) stack.push({ v: x[i], path: `${path}[${i}]` });
    } else if (x && typeof x === 'object') {
      const entries = Object.entries(x);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, y] = entries[i];
        const p = path ? `${path}.${k}` : k;
        const reason = unsafeTextReason(k);
        if (reason) return { path: p, reason: `${reason} in a field name` };
        stack.push({ v: y, path: p });
      }
    }
  }
  return null;
}
