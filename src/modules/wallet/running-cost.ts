/**
 * The running cost of an active session: the pricing engine over the session's frozen tariff
 * version and its energy samples so far (electricity + service; idle fees start only after
 * charging ends). Falls back to the session's live_cost.totalFen when no tariff version is frozen.
 */
import type { Queryable } from '../../platform/db/index.ts';
import { getSession, energySamples } from '../sessions/index.ts';
import { priceSession, loadTariffVersion, operatorTimeZone, type TariffVersionLoader } from '../tariffs/index.ts';

export interface WatchedSession {
  id: number;
  operatorId: string;
  chargerId: string;
  driverPhone: string | null;
  idTag: string | null;
  origin: string;
  active: boolean;
  energyWh: number;
  powerW: number | null;
  costFen: number | null;
}

/** `version` reads the frozen tariff version: the balance watcher passes the tariffs module's cache of the versions in force. */
export async function watchedSession(q: Queryable, operatorId: string, sessionId: number, version: TariffVersionLoader = loadTariffVersion): Promise<WatchedSession | null> {
  const s = await getSession(q, operatorId, sessionId);
  if (!s) return null;
  const energyWh = Math.max(0, (s.last_energy_wh ?? s.meter_start_wh) - s.meter_start_wh);
  let costFen: number | null = null;
  // Only sessions paid from a balance are priced here (partner and anonymous sessions are not watched).
  const watched = s.status === 'active' && !!s.driver_phone && s.origin !== 'partner';
  if (watched && s.tariff_version_id) {
    const tariff = await version(q, operatorId, s.tariff_version_id);
    if (tariff) {
      const endAt = Math.max(s.started_at.getTime(), (s.last_sample_at ?? s.started_at).getTime());
      const priced = priceSession({
        tariff,
        timeZone: await operatorTimeZone(q, operatorId),
        startAt: s.started_at.getTime(),
        endAt,
        meterStartWh: s.meter_start_wh,
        meterStopWh: s.meter_start_wh + energyWh,
        samples: await energySamples(q, operatorId, sessionId),
      });
      costFen = priced.electricityFen + priced.serviceFen;
    }
  }
  if (watched && costFen === null) {
    const live = s.live_cost as { totalFen?: unknown } | null;
    if (live && Number.isSafeInteger(live.totalFen)) costFen = live.totalFen as number;
  }
  return {
    id: s.id,
    operatorId,
    chargerId: s.charger_id,
    driverPhone: s.driver_phone,
    idTag: s.id_tag,
    origin: s.origin,
    active: s.status === 'active',
    energyWh,
    powerW: s.last_power_w,
    costFen,
  };
}
