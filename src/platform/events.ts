import { EventEmitter } from 'node:events';

/**
 * In-process domain events, emitted after the transaction that caused them commits. Anything that
 * must survive a crash is written to the outbox inside that transaction instead (the end of a
 * session is the `session.settle` job, not an event); events are for live views and for nudging workers.
 */
export interface DomainEvents {
  'connector.status': { operatorId: string; chargerId: string; connectorId: number; status: string; errorCode: string; at: Date };
  'charger.connection': { operatorId: string; chargerId: string; connected: boolean; at: Date };
  'session.started': { operatorId: string; sessionId: number; chargerId: string; connectorId: number };
  'session.meter': { operatorId: string; sessionId: number; chargerId: string; connectorId: number; energyWh: number };
  'order.settled': { operatorId: string; orderNo: string };
  'order.corrected': { operatorId: string; orderNo: string; version: number };
  'outbox.enqueued': { topic: string };
}

export class Events {
  private ee = new EventEmitter().setMaxListeners(100);
  emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    // A failing listener must never break the caller that already committed.
    for (const l of this.ee.listeners(name)) {
      try {
        const r = (l as (p: unknown) => unknown)(payload);
        if (r && typeof (r as Promise<unknown>).catch === 'function') (r as Promise<unknown>).catch((e) => this.onError(e, name));
      } catch (e) {
        this.onError(e, name);
      }
    }
  }
  on<K extends keyof DomainEvents>(name: K, fn: (p: DomainEvents[K]) => unknown): () => void {
    this.ee.on(name, fn);
    return () => this.ee.off(name, fn);
  }
  onError: (e: unknown, name: string) => void = () => {};
}
