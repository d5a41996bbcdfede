import { z } from 'zod';
import { provisioningSchema } from './provisioning.schema.ts';

/** The provisioning document's JSON Schema, published at docs/provisioning.schema.json. */
export function provisioningJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(provisioningSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...s,
    $id: 'https://chargeops.dev/schemas/provisioning.schema.json',
    title: 'ChargeOps provisioning document',
    description: 'Upserted by `chargeops provision FILE.json` or PUT /api/v1/provisioning. Applying the same document twice changes nothing.',
  };
}
