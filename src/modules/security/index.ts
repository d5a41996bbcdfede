/**
 * Billing-evasion incidents (issue 13, support case 1): detection rules over live OCPP traffic
 * (through the gateway's observers: ocpp never imports this module) and over history on demand,
 * one incident per occurrence, a lifecycle with a note, and actions (remote stop, connector
 * Inoperative, quarantine with a start guard). docs/security-incidents.md.
 *
 * Owns: security_incidents, security_incident_actions, security_settings, charger_quarantines,
 *   config_guard_settings, charger_config_drift (the configuration guard).
 * Offers: incidents and configuration-guard routes, ctx.services.incidents. Needs: ocpp (observers, commands), registry,
 *   sessions (start guard, history), support, tariffs.
 */
import type { Module } from '../../platform/context.ts';
import { ocppObservers } from '../ocpp/index.ts';
import { registerStartGuard } from '../sessions/index.ts';
import { registerStoryPart } from '../support/index.ts';
import { LiveDetector } from './live.ts';
import { incidentRoutes } from './routes.ts';
import { quarantineReason } from './actions.ts';
import { incidentsStoryPart } from './story.ts';

export { INCIDENT_KINDS, DEFAULT_THRESHOLDS, type IncidentKind, type Thresholds } from './rules.ts';
export { listIncidents, unbilledTotals, type IncidentView } from './store.ts';
export { quarantineReason } from './actions.ts';
export type { LiveDetector } from './live.ts';

declare module '../../platform/context.ts' {
  interface Services {
    incidents: LiveDetector;
  }
}

export const securityModule: Module = {
  name: 'security',
  register(app, ctx) {
    const live = new LiveDetector(ctx);
    ctx.services.incidents = live;
    // SECURITY_LIVE_DETECTION=false: the bench's "without the rules" half; incidents then come from history scans only
    if (ctx.config.SECURITY_LIVE_DETECTION) ocppObservers(ctx).add(live.observe);
    else ctx.log.warn('live billing-evasion detection is off (SECURITY_LIVE_DETECTION=false): incidents only from history scans');
    registerStartGuard('quarantine', quarantineReason);
    registerStoryPart(ctx, 'incidents', incidentsStoryPart);
    incidentRoutes(app, ctx, live);
  },
  async stop(ctx) {
    await ctx.services.incidents?.drain();
  },
};
