/**
 * ConnectorID on the wire = charger id + the gun number in 2 digits ("44030700030000200016" gun 1 →
 * "4403070003000020001601"). Stable as long as the charger id is, and parsed back without a table.
 */
export function connectorCode(chargerId: string, connectorId: number): string {
  if (!Number.isInteger(connectorId) || connectorId < 1 || connectorId > 99) throw new RangeError(`gun ${connectorId} is not 1..99`);
  return chargerId + String(connectorId).padStart(2, '0');
}

export function parseConnectorCode(code: unknown): { chargerId: string; connectorId: number } | null {
  if (typeof code !== 'string' || !/^[A-Za-z0-9_.-]{2,50}$/.test(code)) return null;
  const gun = Number(code.slice(-2));
  if (!/^\d\d$/.test(code.slice(-2)) || gun < 1) return null;
  const chargerId = code.slice(0, -2);
  if (!chargerId) return null;
  return { chargerId, connectorId: gun };
}
