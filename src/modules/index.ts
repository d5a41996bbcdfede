import type { Module } from '../platform/context.ts';
import { registryModule } from './registry/index.ts';
import { sessionsModule } from './sessions/index.ts';
import { ocppModule } from './ocpp/index.ts';
import { walletModule } from './wallet/index.ts';
import { enterpriseModule } from './enterprise/index.ts';
import { webModule } from './web/index.ts';
import { tariffsModule } from './tariffs/index.ts';
import { notifyModule } from './notify/index.ts';
import { ordersModule } from './orders/index.ts';
import { roamingModule } from './roaming/index.ts';
import { paymentsModule } from './payments/index.ts';
import { supportModule } from './support/index.ts';
import { reconciliationModule } from './reconciliation/index.ts';
import { securityModule } from './security/index.ts';

/** Every capability, in start order. A new module adds one line here. */
export const modules: Module[] = [registryModule, sessionsModule, ocppModule, walletModule, enterpriseModule, tariffsModule, notifyModule, ordersModule, webModule, roamingModule, paymentsModule, supportModule, reconciliationModule, securityModule];
