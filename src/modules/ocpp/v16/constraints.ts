import type { Connection } from '../connection.ts';

/**
 * What the OCPP 1.6 JSON schemas leave open and the platform cannot store or bill: numbers beyond
 * what a JS number holds exactly (JSON's 1e30 is an "integer" to the schema, 1e400 is Infinity),
 * negative or absurd meter registers, connectors the charger does not have, timestamps no database
 * holds. Checked after the schema (ocpp-rpc strict mode) and before the handler; the answer is a
 * CALLERROR in 1.6 terms naming the field, so the charger's log says what to fix.
 */
export interface Violation {
  code: 'PropertyConstraintViolation' | 'TypeConstraintViolation';
  message: string;
}

/** Meter registers in Wh: exact in a JS number, and in PostgreSQL bigint. */
export const MAX_METER_WH = Number.MAX_SAFE_INTEGER;
/** connector_id is an int column. */
const MAX_CONNECTOR_ID = 2 ** 31 - 1;

/** A sampled value beyond 10^12 (kWh → Wh still fits a safe integer) is no reading: refused rather than half-stored. */
const MAX_VALUE_DIGITS = 12;
const TOO_BIG_DECIMAL = new RegExp(`^\\s*[+-]?0*[1-9]\\d{${MAX_VALUE_DIGITS},}(\\.\\d*)?\\s*$`);

/** Ids that may be anything: a StopTransaction/MeterValues for an id no session has is acknowledged as unknown, never refused. */
const FREE_IDS = new Set(['transactionId']);

/** Pure part: every number finite and exact, meters and connector ids in range, timestamps representable. */
export function checkValues(action: string, params: unknown): Violation | null {
  const stack: { v: unknown; path: string; key: string }[] = [{ v: params, path: '', key: '' }];
  while (stack.length) {
    const { v, path, key } = stack.pop()!;
    if (typeof v === 'number') {
      if (FREE_IDS.has(key)) continue;
      if (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER)
        return { code: 'PropertyConstraintViolation', message: `${path} is out of range: ${v} is not an exact number (at most ${Number.MAX_SAFE_INTEGER} in magnitude)` };
      if ((key === 'meterStart' || key === 'meterStop') && v < 0) return { code: 'PropertyConstraintViolation', message: `${path} is out of range: a meter register is 0 Wh or more, got ${v}` };
      if (key === 'connectorId') {
        const min = action === 'StartTransaction' ? 1 : 0;
        if (v < min || v > MAX_CONNECTOR_ID) return { code: 'PropertyConstraintViolation', message: `${path} is out of range: ${v} is not a connector number (${min} or more)` };
      }
    } else if (typeof v === 'string') {
      if (key === 'value' && TOO_BIG_DECIMAL.test(v))
        return { code: 'PropertyConstraintViolation', message: `${path} is out of range: more than ${MAX_VALUE_DIGITS} digits before the decimal point` };
      if (key === 'timestamp' && !representable(v)) return { code: 'PropertyConstraintViolation', message: `${path} is out of range: ${JSON.stringify(v.slice(0, 40))} is not a time between years 0001 and 9999` };
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, key }));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: path ? `${path}.${k}` : k, key: k });
    }
  }
  return null;
}

/** A date-time a JS Date and PostgreSQL timestamptz both hold (the schema's format check lets year 0000 and leap seconds through). */
function representable(s: string): boolean {
  const t = new Date(s).getTime();
  if (!Number.isFinite(t)) return false;
  const y = new Date(t).getUTCFullYear();
  return y >= 1 && y <= 9999;
}

/** The connector of a frame must exist on the charger, when the charger has provisioned connectors. */
export async function checkConnector(
  action: string,
  params: { connectorId?: unknown },
  conn: Connection,
  loadConnectorIds: () => Promise<number[]>,
): Promise<Violation | null> {
  const id = params?.connectorId;
  if (typeof id !== 'number' || id === 0 || !['StartTransaction', 'StatusNotification', 'MeterValues'].includes(action)) return null;
  if (!conn.connectorIds || !conn.connectorIds.has(id)) conn.connectorIds = new Set(await loadConnectorIds()); // re-read before refusing: provisioning may have added it
  if (!conn.connectorIds.size || conn.connectorIds.has(id)) return null; // none provisioned yet (commissioning): nothing to check against
  return {
    code: 'PropertyConstraintViolation',
    message: `connectorId is out of range: ${id} is not a connector of this charger (it has ${[...conn.connectorIds].sort((a, b) => a - b).join(', ')})`,
  };
}
