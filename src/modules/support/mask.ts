/** Phone numbers as support sees them: `135****8000`. Revealing the full number is a separate, audited action. */

export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const p = phone.trim();
  if (p.length < 8) return '*'.repeat(p.length);
  return `${p.slice(0, 3)}****${p.slice(-4)}`;
}

const MASKED = /^(\d{3})\*{4}(\d{4})$/;

/** The visible digits of a masked phone (`135****8000` → ['135', '8000']), or null when it is not one. */
export function parseMaskedPhone(s: string): [string, string] | null {
  const m = MASKED.exec(s.trim());
  return m ? [m[1], m[2]] : null;
}

export const isFullPhone = (s: string) => /^\+?\d{7,15}$/.test(s.trim());
