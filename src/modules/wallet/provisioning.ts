import { z } from 'zod';
import { parseYuan } from '../../platform/money.ts';
import type { SectionProvisioner } from '../registry/index.ts';
import { bookOpeningBalance } from './postings.ts';

export const idTagSchema = z.object({
  id: z.string().min(1).max(20, 'an OCPP 1.6 idTag has at most 20 characters'),
  status: z.enum(['active', 'blocked', 'expired']).default('active'),
  expiresAt: z.string().datetime({ offset: true }).optional(),
});

export const driverSchema = z.object({
  phone: z.string().regex(/^\+?\d{6,15}$/, 'a phone number of 6-15 digits'),
  name: z.string().optional(),
  nickname: z.string().optional(),
  plates: z.array(z.string()).optional(),
  idTags: z.array(idTagSchema).default([]),
  walletBalance: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals').default('0'),
});
export type DriverDoc = z.infer<typeof driverSchema>;

export const driversProvisioner: SectionProvisioner<DriverDoc[]> = {
  section: 'drivers',
  schema: z.array(driverSchema),
  refine(drivers, _op, issue) {
    const phones = new Set<string>();
    const tags = new Set<string>();
    drivers.forEach((d, i) => {
      if (phones.has(d.phone)) issue([i, 'phone'], `duplicate driver phone ${d.phone}`);
      phones.add(d.phone);
      d.idTags.forEach((t, j) => {
        if (tags.has(t.id)) issue([i, 'idTags', j, 'id'], `id tag ${t.id} belongs to two drivers`);
        tags.add(t.id);
      });
    });
  },
  // The opening balance is a ledger entry (cause 'opening') booked once per driver: provisioning
  // again books nothing more, and a changed walletBalance later is ignored (staff adjust with a remark).
  async apply(q, operatorId, drivers) {
    for (const d of drivers) {
      await q.query(
        `INSERT INTO drivers (operator_id, phone, name, nickname, plates) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (operator_id, phone) DO UPDATE SET name = EXCLUDED.name, nickname = EXCLUDED.nickname, plates = EXCLUDED.plates,
           updated_at = CASE WHEN (drivers.name, drivers.nickname, drivers.plates) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.nickname, EXCLUDED.plates) THEN now() ELSE drivers.updated_at END`,
        [operatorId, d.phone, d.name ?? null, d.nickname ?? null, d.plates ?? []],
      );
      for (const t of d.idTags) {
        await q.query(
          `INSERT INTO id_tags (operator_id, id, driver_phone, kind, status, expires_at) VALUES ($1, $2, $3, 'card', $4, $5)
           ON CONFLICT (operator_id, id) DO UPDATE SET driver_phone = EXCLUDED.driver_phone, status = EXCLUDED.status, expires_at = EXCLUDED.expires_at`,
          [operatorId, t.id, d.phone, t.status, t.expiresAt ?? null],
        );
      }
      await bookOpeningBalance(q, operatorId, d.phone, parseYuan(d.walletBalance));
    }
  },
};
