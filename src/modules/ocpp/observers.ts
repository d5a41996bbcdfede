import type { Ctx } from '../../platform/context.ts';

/**
 * Read-only taps on the gateway's traffic for modules above ocpp (the billing-evasion incidents):
 * they register here, on ctx.services, so ocpp never imports them. An observer runs synchronously
 * after a CALL was handled (the frame is stored and answered by then) and must stay cheap: it gets
 * the validated params and the answer, and does its own I/O off this path. A throwing observer is
 * logged and never breaks the charger's traffic.
 */
export type OcppObservation =
  | { kind: 'call'; operatorId: string; chargerId: string; action: string; params: any; result: any; messageId: string; receivedAt: Date }
  | { kind: 'connected'; operatorId: string; chargerId: string; at: Date; previousAlive: boolean; remoteAddress: string | null };

export type OcppObserver = (o: OcppObservation) => void;

export class OcppObservers {
  private list: OcppObserver[] = [];
  constructor(private onError: (err: unknown) => void = () => {}) {}
  add(fn: OcppObserver): () => void {
    this.list.push(fn);
    return () => {
      this.list = this.list.filter((f) => f !== fn);
    };
  }
  get size() {
    return this.list.length;
  }
  notify(o: OcppObservation) {
    for (const fn of this.list) {
      try {
        fn(o);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

declare module '../../platform/context.ts' {
  interface Services {
    ocppObservers: OcppObservers;
  }
}

/** The observers of this platform instance (created on first use, by ocpp or by the module registering). */
export function ocppObservers(ctx: Ctx): OcppObservers {
  return (ctx.services.ocppObservers ??= new OcppObservers((err) => ctx.log.warn({ err }, 'ocpp observer failed')));
}
