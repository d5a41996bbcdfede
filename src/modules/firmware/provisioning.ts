import { z } from 'zod';
import type { SectionProvisioner } from '../registry/index.ts';
import { saveAdvisories, type Advisory } from './inventory.ts';

/** One advisory, as the API (PUT /firmware/advisories) and the provisioning document give it. */
export const advisorySchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    vendor: z.string().trim().min(1).max(100),
    modelPattern: z.string().max(200),
    versionPattern: z.string().max(200),
    text: z.string().trim().min(1).max(2000),
    severity: z.enum(['low', 'medium', 'high', 'critical']),
  })
  .strict();

/** The problems of a list of advisories (an id twice, a pattern that is not a regular expression), with their path. */
export function advisoryProblems(list: Advisory[]): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (seen.has(a.id)) out.push({ path: [i, 'id'], message: `${a.id} is given twice` });
    seen.add(a.id);
    for (const k of ['modelPattern', 'versionPattern'] as const)
      try {
        new RegExp(a[k]);
      } catch (e) {
        out.push({ path: [i, k], message: `not a regular expression: ${(e as Error).message}` });
      }
  });
  return out;
}

/**
 * `firmwareAdvisories: [{id, vendor, modelPattern, versionPattern, text, severity}]` per operator in
 * the provisioning document (issue 13.3). Given, it is the operator's whole list (as the console's
 * PUT); left out, the list stays as the console left it.
 */
export const firmwareAdvisoriesProvisioner: SectionProvisioner<Advisory[]> = {
  section: 'firmwareAdvisories',
  schema: z.array(advisorySchema).max(500),
  refine(value, _op, issue) {
    for (const p of advisoryProblems(value)) issue(p.path, p.message);
  },
  async apply(q, operatorId, value) {
    await saveAdvisories(q, operatorId, value, 'provisioning', null);
  },
};
