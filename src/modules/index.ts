import type { Module } from '../platform/context.ts';
import { registryModule, registerSectionProvisioners, type SectionProvisioner } from './registry/index.ts';
import { sessionsModule } from './sessions/index.ts';
import { ocppModule } from './ocpp/index.ts';
import { walletModule, driversProvisioner } from './wallet/index.ts';
import { enterpriseModule, enterprisesProvisioner } from './enterprise/index.ts';
import { webModule } from './web/index.ts';
import { tariffsModule, tariffsProvisioner } from './tariffs/index.ts';
import { notifyModule } from './notify/index.ts';
import { ordersModule } from './orders/index.ts';
import { roamingModule, partnersProvisioner } from './roaming/index.ts';
import { paymentsModule, paymentsProvisioner } from './payments/index.ts';
import { supportModule } from './support/index.ts';
import { reconciliationModule } from './reconciliation/index.ts';
import { securityModule } from './security/index.ts';
import { firmwareModule, firmwareAdvisoriesProvisioner } from './firmware/index.ts';

/** Every capability, in start order. A new module adds one line here. */
export const modules: Module[] = [registryModule, sessionsModule, ocppModule, walletModule, enterpriseModule, tariffsModule, notifyModule, ordersModule, webModule, roamingModule, paymentsModule, supportModule, reconciliationModule, securityModule, firmwareModule];

/**
 * The provisioning document's sections owned by modules above registry, in apply order (later
 * sections refer to earlier ones: stations to tariffs, members to drivers). Registry validates and
 * applies them without importing their modules.
 */
registerSectionProvisioners([tariffsProvisioner, driversProvisioner, partnersProvisioner, paymentsProvisioner, enterprisesProvisioner as SectionProvisioner, firmwareAdvisoriesProvisioner]);
