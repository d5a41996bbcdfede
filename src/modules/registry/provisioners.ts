import type { z } from 'zod';
import type { Queryable } from '../../platform/db/index.ts';
import { tariffsProvisioner } from '../tariffs/provisioning.ts';
import { driversProvisioner } from '../wallet/provisioning.ts';
import { partnersProvisioner } from '../roaming/provisioning.ts';
import { paymentsProvisioner } from '../payments/settings.ts';
import { enterprisesProvisioner } from '../enterprise/index.ts';

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

// Order matters: later sections may refer to earlier ones.
export const sectionProvisioners: SectionProvisioner[] = [tariffsProvisioner, driversProvisioner, partnersProvisioner, paymentsProvisioner, enterprisesProvisioner as SectionProvisioner];
