import type { Platform } from './server.ts';

/**
 * Demo extras beyond provisioning: history (a day of orders, one abnormal order) and, while
 * DEMO_DATA is on, simulated chargers in-process. Modules add their part as they arrive.
 */
export async function loadDemo(p: Platform, doc: unknown): Promise<void> {
  const { loadEnterpriseDemo } = await import('./modules/enterprise/demo.ts');
  await loadEnterpriseDemo(p, doc);
  const { loadOrdersDemo } = await import('./modules/orders/demo.ts');
  await loadOrdersDemo(p, doc);
  const { loadSupportDemo } = await import('./modules/support/demo.ts');
  await loadSupportDemo(p, doc);
}

export async function demoRunning(p: Platform, doc: unknown): Promise<void> {
  await freshDemoChargerKeys(p, doc);
  const { startDemoSimulation } = await import('./modules/ocpp/simulator/demo.ts');
  await startDemoSimulation(p, doc);
  const { startDemoPayments } = await import('./modules/payments/demo.ts');
  await startDemoPayments(p, doc);
  const { startDemoRoaming } = await import('./modules/roaming/demo.ts');
  await startDemoRoaming(p, doc);
}

/**
 * examples/demo.json carries no charger keys (no published secret): while the demo simulates its
 * chargers in-process, each start gives them fresh random keys and hands those to the simulator.
 */
async function freshDemoChargerKeys(p: Platform, doc: unknown): Promise<void> {
  const cfg = p.ctx.config;
  if (!(cfg.DEMO_SIMULATE ?? cfg.DEMO_DATA)) return;
  const { setChargerKey, randomSecret } = await import('./modules/registry/index.ts');
  const ops = (doc as { operators?: { id: string; stations?: { chargers?: { id: string; authKey?: string }[] }[] }[] }).operators ?? [];
  for (const o of ops)
    for (const s of o.stations ?? [])
      for (const c of s.chargers ?? []) {
        const key = randomSecret();
        if (await setChargerKey(p.ctx.db, o.id, c.id, key)) c.authKey = key;
      }
}
