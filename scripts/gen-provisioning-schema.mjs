#!/usr/bin/env node
// Regenerates docs/provisioning.schema.json from the zod schema that validates provisioning documents.
import { register } from 'tsx/esm/api';
import { writeFileSync } from 'node:fs';
register();
await import('../src/modules/index.ts'); // the composition root registers the sections owned by other modules
const { provisioningJsonSchema } = await import('../src/modules/registry/json-schema.ts');
writeFileSync('docs/provisioning.schema.json', JSON.stringify(provisioningJsonSchema(), null, 2) + '\n');
console.log('wrote docs/provisioning.schema.json');
