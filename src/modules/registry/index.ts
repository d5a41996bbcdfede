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
