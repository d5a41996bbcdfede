import { z } from 'zod';
import type { SectionProvisioner } from '../registry/index.ts';
import { partnerSchema, upsertPartner, type PartnerInput } from './partners.ts';

export const partnersProvisioner: SectionProvisioner<PartnerInput[]> = {
  section: 'partners',
  schema: z.array(partnerSchema),
  refine(partners, op, issue) {
    const stations = new Set(op.stations.map((s) => s.id));
    const seen = new Set<string>();
    partners.forEach((p, i) => {
      if (seen.has(p.operatorId)) issue([i, 'operatorId'], `duplicate partner ${p.operatorId}`);
      seen.add(p.operatorId);
      (p.stations ?? []).forEach((s, si) => {
        if (!stations.has(s)) issue([i, 'stations', si], `station ${s} is not a station of this operator`);
      });
    });
  },
  async apply(q, operatorId, partners) {
    for (const p of partners) await upsertPartner(q, operatorId, p);
  },
};
