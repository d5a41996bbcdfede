import type { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';

/**
 * A section of an operator in the provisioning document that another module owns (tariffs, drivers,
 * partners, payments). Registry validates the whole document, then hands each section to its owner
 * inside the one provisioning transaction.
 */
export interface SectionProvisioner<T = any> {
  section: string;
  schema: z.ZodType<T>;
  /** Cross-field checks that need the whole operator (e.g. a station's tariffId exists). */
  refine?(value: T, operator: { id: string; stations: { id: string; tariffId?: string; chargers: { id: string; tariffId?: string }[] }[]; [k: string]: unknown }, issue: (path: (string | number)[], message: string) => void): void;
  apply(q: Queryable, operatorId: string, value: T, ctx: { timezone: string }): Promise<void>;
}

let sections: readonly SectionProvisioner[] = [];

/**
 * The owning modules' sections, in order (later sections may refer to earlier ones). Registry knows
 * no module above it: the composition root (src/modules/index.ts) hands the list in at import.
 */
export function registerSectionProvisioners(list: readonly SectionProvisioner[]) {
  const names = list.map((p) => p.section);
  if (new Set(names).size !== names.length) throw new Error(`provisioning sections named twice: ${names.join(', ')}`);
  sections = [...list];
}

/** The registered sections; none registered means the composition root was not loaded (a bug, not an empty document). */
export function sectionProvisioners(): readonly SectionProvisioner[] {
  if (!sections.length) throw new Error('no provisioning sections registered: import src/modules/index.ts (the composition root) before provisioning');
  return sections;
}
