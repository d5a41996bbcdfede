import client from 'prom-client';

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    chargersConnected: new client.Gauge({ name: 'chargeops_chargers_connected', help: 'OCPP chargers connected to this node', registers: [registry] }),
    framesTotal: new client.Counter({
      name: 'chargeops_ocpp_frames_total',
      help: 'OCPP frames by direction and action',
      labelNames: ['direction', 'action'],
      registers: [registry],
    }),
    commandSeconds: new client.Histogram({
      name: 'chargeops_ocpp_command_seconds',
      help: 'Round trip of commands sent to chargers',
      labelNames: ['action', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    inboundRejected: new client.Counter({
      name: 'chargeops_inbound_rejected_total',
      help: 'Unauthenticated inbound calls refused before anything was stored (partner calls, payment callbacks), by source and reason',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    loginsThrottled: new client.Counter({
      name: 'chargeops_logins_throttled_total',
      help: 'Staff logins answered 429 because of too many failures for one username from one address',
      registers: [registry],
    }),
    outboxDelivered: new client.Counter({
      name: 'chargeops_outbox_deliveries_total',
      help: 'Outbox delivery attempts by topic and outcome',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
