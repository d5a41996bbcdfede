/**
 * Contract of the registry module (the bottom of the module graph).
 * Owns: operators, stations, chargers, connectors (and platform users' operator binding).
 * Offers: operator/station/charger look-ups, the provisioning document (validate, provision, the
 *   JSON Schema) with registerSectionProvisioners for sections other modules own, charger keys and
 *   leases for ocpp, tariff assignment for tariffs, station changes for roaming, QR routes.
 * Needs: platform only. Modules above it hand in their provisioning sections (src/modules/index.ts).
 */
import type { Module } from '../../platform/context.ts';
import { registryRoutes } from './routes.ts';
import { qrRoutes } from './qr-routes.ts';

export * from './service.ts';
export { registerSectionProvisioners, type SectionProvisioner } from './provisioners.ts';
export { provision, validateProvisioning, resetPassword, setChargerKey, randomSecret, type GeneratedSecrets } from './provisioning.ts';
export { operatorForUnknownChargers, listConnectedChargers, connectorIdsOf, releaseCharger, releaseChargersOfNodes } from './for-ocpp.ts';
export { stationsChangedSince } from './for-roaming.ts';
export { tariffAssignment, setStationTariff, setChargerTariff } from './for-tariffs.ts';

export const registryModule: Module = {
  name: 'registry',
  register: (app, ctx) => {
    registryRoutes(app, ctx);
    qrRoutes(app, ctx);
  },
};
