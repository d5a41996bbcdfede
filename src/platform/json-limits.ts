/**
 * Limits on the shape of JSON text from outside (HTTP bodies, OCPP frames). V8 parses deep nesting
 * fine but JSON.stringify, validators and PostgreSQL's jsonb recurse and fail on it; no message we
 * accept is deeper than a handful of levels, so text nested deeper than MAX_JSON_DEPTH is refused
 * before it is parsed.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests arrays/objects deeper than `limit` (one pass over the text, strings skipped). */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
