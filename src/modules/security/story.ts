import type { StoryProvider } from '../support/index.ts';
import { listIncidents } from './store.ts';

const HOUR = 3600_000;

/**
 * The support desk's "incidents" part of a session's story: incidents of this session, and those on
 * its connector (or the whole charger) from an hour before it until an hour after its end.
 */
export const incidentsStoryPart: StoryProvider = async (q, s) => {
  const end = s.occupiedUntil ?? s.endedAt ?? s.now;
  const near = await listIncidents(q, s.operatorId, { chargerId: s.chargerId, from: new Date(s.startedAt.getTime() - HOUR), to: new Date(end.getTime() + HOUR), limit: 50 });
  const items = near.filter((i) => i.sessionId === s.sessionId || i.connectorId === null || i.connectorId === 0 || i.connectorId === s.connectorId);
  const unbilledWh = items.filter((i) => i.status !== 'dismissed').reduce((a, i) => a + i.unbilledWh, 0);
  return {
    evidence: { kind: 'incidents', href: `/incidents?chargerId=${encodeURIComponent(s.chargerId)}` },
    summary: items.length ? `${items.length} incident(s): ${[...new Set(items.map((i) => i.kind))].join(', ')}; ${unbilledWh} Wh unbilled` : undefined,
    items,
  };
};
