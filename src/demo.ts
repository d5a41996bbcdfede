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
}

export async function demoRunning(p: Platform, doc: unknown): Promise<void> {
  const { startDemoSimulation } = await import('./modules/ocpp/simulator/demo.ts');
  await startDemoSimulation(p, doc);
  const { startDemoPayments } = await import('./modules/payments/demo.ts');
  await startDemoPayments(p, doc);
  const { startDemoRoaming } = await import('./modules/roaming/demo.ts');
  await startDemoRoaming(p, doc);
}
