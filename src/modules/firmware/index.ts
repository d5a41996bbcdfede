/**
 * Firmware inventory, advisories and staged campaigns (issue 13): UpdateFirmware in waves,
 * FirmwareStatusNotification tracked per charger, success only by the version of the next
 * BootNotification, automatic halt over a failure threshold. It reads the OCPP traffic through
 * the gateway's observers, so ocpp never imports it. docs/firmware.md.
 *
 * Owns: firmware_files, firmware_advisories, firmware_campaigns, firmware_campaign_targets.
 * Offers: firmware routes and campaigns, the provisioning section firmwareAdvisories. Needs: registry, ocpp (observers, ctx.services.ocpp).
 */
import type { Module } from '../../platform/context.ts';
import { ocppObservers } from '../ocpp/index.ts';
import { firmwareRoutes } from './routes.ts';
import { onBoot, onFirmwareStatus } from './campaigns.ts';

export { inventory, listAdvisories, type Advisory } from './inventory.ts';
export { firmwareAdvisoriesProvisioner } from './provisioning.ts';

export const firmwareModule: Module = {
  name: 'firmware',
  register(app, ctx) {
    // One chain per charger: its frames' effects apply in the order they came.
    const chains = new Map<string, Promise<void>>();
    const later = (chargerId: string, fn: () => Promise<void>) => {
      const p = (chains.get(chargerId) ?? Promise.resolve())
        .then(fn)
        .catch((err) => ctx.log.error({ err, chargerId }, 'firmware campaign update failed'));
      chains.set(chargerId, p);
      void p.finally(() => chains.get(chargerId) === p && chains.delete(chargerId));
    };
    ocppObservers(ctx).add((o) => {
      if (o.kind !== 'call') return;
      if (o.action === 'FirmwareStatusNotification') later(o.chargerId, () => onFirmwareStatus(ctx, o.chargerId, o.params.status));
      else if (o.action === 'BootNotification' && o.result?.status === 'Accepted') later(o.chargerId, () => onBoot(ctx, o.chargerId, o.params.firmwareVersion ?? null));
    });
    firmwareRoutes(app, ctx);
  },
};
