export type * from './types.ts';
export { priceSession, costFen } from './pricing.ts';
export { priceIdle, DEFAULT_EXEMPT_STOP_REASONS } from './idle.ts';
export { parseTariffVersion, formatTariffVersion } from './parse.ts';
export { currentPrice, periodsOfDay, type DayPeriod, type CurrentPrice } from './views.ts';
