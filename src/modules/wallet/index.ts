/**
 * The wallet module's exported surface. Other modules call these inside their own transaction
 * (pass the Queryable of that transaction) so money moves atomically with what caused it.
 *
 * Contract of the wallet module.
 * Owns: drivers, id_tags, ledger_accounts, ledger_transactions, ledger_entries, wallet_settings,
 *   wallet_session_stops, wallet_holds.
 * Offers: id tag authorization (idTagInfo, canStart), every money movement (charge, adjust, top-up,
 *   refund, manual), balance holds (a start, a refund under way), the payer of a driver, the balance watcher, H5 and support read models, its
 *   provisioning section (drivers).
 * Needs: registry, tariffs, sessions (running cost; the wallet registers itself there as the id
 *   tag authority), notify. Enterprise memberships come from the module above through
 *   registerMembershipProvider (nobody is a member until the enterprise module registers).
 */
import type { Module } from '../../platform/context.ts';
import { walletRoutes } from './routes.ts';
import { startWatcher } from './watcher.ts';
import { registerTagAuthority } from '../sessions/index.ts';
import { idTagInfo } from './id-tags.ts';
import { startTagInfo } from './can-start.ts';
import { holdForSession } from './holds.ts';

// sessions asks the wallet about id tags and start holds through this (it may not import the wallet)
registerTagAuthority({ idTagInfo, startTagInfo, holdForSession });

export { idTagInfo, type IdTagInfo, type IdTagStatus } from './id-tags.ts';
export { chargeForOrder, adjustForOrder, creditTopUp, debitRefund, walletBalanceFen, manualAdjust, bookOpeningBalance, collectOwed } from './postings.ts';
export { payerFor, type Payer } from './payer.ts';
export { canStart, type CanStart } from './can-start.ts';
export { availableFen, heldFen, listHolds, holdForSession, releaseSessionHold, holdForRefund, releaseRefundHold, placeHold, releaseHold, type Hold, type HoldCause } from './holds.ts';
export { walletSettings, type WalletSettings } from './settings.ts';
export { checkBalances, getAccount, setAccountFloor } from './ledger.ts';
export { accountLedger } from './drivers.ts';
export { enterpriseCharges } from './statements.ts';
export { registerMembershipProvider, membershipOf, memberAllowance, type Membership, type Allowance, type MembershipProvider } from './membership.ts';
export { verifyBooks, orderMovements, type LedgerDifference } from './verify.ts';
export { watchSession, REMOTE_STOP_TOPIC } from './watcher.ts';
export { driverForOrder } from './for-orders.ts';
export { ledgerForCauses, driverPhonesMatching } from './for-support.ts';
export { driversProvisioner } from './provisioning.ts';
export * from './for-h5.ts';

const watchers = new WeakMap<object, () => void>();

export const walletModule: Module = {
  name: 'wallet',
  register: (app, ctx) => {
    walletRoutes(app, ctx);
    watchers.set(ctx, startWatcher(ctx));
  },
  stop: (ctx) => {
    watchers.get(ctx)?.();
    watchers.delete(ctx);
  },
};
