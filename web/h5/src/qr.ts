/** The charger's QR code holds /h5/{operatorId}?c={chargerId}&g={gun}; also accept "chargerId-gun" text. */
export function parseCode(text: string): { c: string; g: string } | null {
  try {
    const u = new URL(text, 'http://localhost');
    const c = u.searchParams.get('c');
    const g = u.searchParams.get('g');
    if (c && g) return { c, g };
  } catch {}
  const m = /^(\d{6,32})[-_ ](\d{1,2})$/.exec(text.trim());
  return m ? { c: m[1], g: m[2] } : null;
}
