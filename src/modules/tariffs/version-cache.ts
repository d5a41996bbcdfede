/**
 * The tariff versions in force, parsed once per process: a version whose effectiveFrom has passed
 * never changes (only future ones may be edited, replaceScheduledVersion in service.ts), so the
 * running cost (orders/live-cost.ts) and the balance watcher (wallet/running-cost.ts) need not read
 * and parse it again on every meter frame. Bounded: past VERSION_CACHE_MAX the oldest entry goes.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Queryable } from '../../platform/db/index.ts';
import { loadTariffVersion } from './service.ts';
import type { TariffVersion } from './types.ts';

/** A stored version, parsed for the engine; null when the operator has no such version. */
export type TariffVersionLoader = (q: Queryable, operatorId: string, versionId: number) => Promise<TariffVersion | null>;

export const VERSION_CACHE_MAX = 1000;

/** A new cache of its own (tests; the bound may be set); modules share tariffVersionCache(ctx). */
export function newTariffVersionCache(ctx: Pick<Ctx, 'clock'>, max = VERSION_CACHE_MAX): TariffVersionLoader {
  // the load itself is kept, so callers asking at once (the running cost and the balance watcher on
  // one meter frame) share one read; it is dropped again unless the version turns out to be in force
  const versions = new Map<string, Promise<TariffVersion | null>>();
  return (q: Queryable, operatorId: string, versionId: number) => {
    // the operator is part of the key: another operator's id is read (and refused) by the database
    const k = `${operatorId}|${versionId}`;
    const hit = versions.get(k);
    if (hit) return hit;
    const forget = () => {
      if (versions.get(k) === load) versions.delete(k);
    };
    const load: Promise<TariffVersion | null> = loadTariffVersion(q, operatorId, versionId).then(
      (v) => {
        if (!v || v.effectiveFrom > ctx.clock.now()) forget();
        return v;
      },
      (err) => {
        forget();
        throw err;
      },
    );
    if (versions.size >= max) versions.delete(versions.keys().next().value!);
    versions.set(k, load);
    return load;
  };
}

// One cache per ctx (one per process in production); a test's platform has its own database and so its own cache.
const shared = new WeakMap<object, TariffVersionLoader>();

/** The versions in force cached for this ctx, shared by every module that prices a running session. */
export function tariffVersionCache(ctx: Pick<Ctx, 'clock'>): TariffVersionLoader {
  let c = shared.get(ctx);
  if (!c) shared.set(ctx, (c = newTariffVersionCache(ctx)));
  return c;
}
