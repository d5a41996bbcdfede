/**
 * Contract of the tariffs module.
 * Owns: tariffs, tariff_versions.
 * Offers: the pricing engine (priceSession, priceIdle: pure, on the charger's own timestamps), the
 *   version in force for a charger at an instant (and a cache of the versions in force), period views, tariff types, its provisioning section.
 * Needs: registry (operators' time zones, a charger's station).
 */
import type { Module } from '../../platform/context.ts';
import { tariffRoutes } from './routes.ts';

export type * from './types.ts';
export { priceSession, costFen } from './pricing.ts';
export { priceIdle, DEFAULT_EXEMPT_STOP_REASONS } from './idle.ts';
export { parseTariffVersion, formatTariffVersion } from './parse.ts';
export { currentPrice, periodsOfDay, type DayPeriod, type CurrentPrice } from './views.ts';
export { presentPriced } from './present.ts';
export { tariffsProvisioner } from './provisioning.ts';
export { loadTariffVersion, resolveTariffVersionId, versionInForce, tariffVersionForCharger, operatorTimeZone } from './service.ts';
export { tariffVersionCache, type TariffVersionLoader } from './version-cache.ts';

export const tariffsModule: Module = {
  name: 'tariffs',
  register: (app, ctx) => tariffRoutes(app, ctx),
};
