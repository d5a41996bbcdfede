/**
 * The support desk (issue 14): look-up by any key, the whole story of a session, who charged at a
 * station in a window (case 3), phone reveal with an audit, and cases in the operator's case-log
 * format with Markdown/XLSX exports. Other modules are read only through their index.ts.
 *
 * Owns: support_cases, support_case_analysis, support_case_attachments, support_case_counters,
 *   support_reveals, support_settings.
 * Offers: support routes, ctx.services.supportStory. Needs: registry, sessions, orders, wallet,
 *   payments, roaming, ocpp, notify (read models only).
 */
import type { Module } from '../../platform/context.ts';
import { supportRoutes } from './routes.ts';
import { caseRoutes } from './case-routes.ts';
import { registerBuiltInParts } from './story-parts.ts';

export { registerStoryPart, type StoryProvider, type StoryPart, type StorySubject } from './story.ts';
export { maskPhone } from './mask.ts';
export { createCase, getCase, type CaseInput } from './cases.ts';

export const supportModule: Module = {
  name: 'support',
  register(app, ctx) {
    registerBuiltInParts(ctx);
    supportRoutes(app, ctx);
    caseRoutes(app, ctx);
  },
};
