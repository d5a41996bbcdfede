import { parseTariffVersion } from './parse.ts';

/** Tariffs for the engine's tests and benchmark (Shenzhen-shaped; prices are made up). */
const valley = { type: 'valley' as const, electricityPrice: '0.3000', servicePrice: '0.4000' };
const flat = { type: 'flat' as const, electricityPrice: '0.7000', servicePrice: '0.8000' };
const peak = { type: 'peak' as const, electricityPrice: '1.1000', servicePrice: '0.8000' };
const sharp = { type: 'sharp' as const, electricityPrice: '1.3750', servicePrice: '0.8000' };

/** valley 00-08, flat 08-23, valley 23-24 (as in test/fixtures/minimal.ts). */
export const simpleTariff = () =>
  parseTariffVersion(1, 'simple', 0, {
    periods: [
      { start: '00:00', ...valley },
      { start: '08:00', ...flat },
      { start: '23:00', ...valley },
    ],
    idleFee: { graceMinutes: 10, pricePerMinute: '0.1234', capPerSession: '20.00', freeHours: [{ from: '22:00', to: '07:00' }] },
  });

/** Guangdong-style day with sharp hours 11-12 and 15-17 in July to September. */
export const shenzhenTariff = () =>
  parseTariffVersion(2, 'shenzhen', 0, {
    periods: [
      { start: '00:00', ...valley },
      { start: '08:00', ...flat },
      { start: '10:00', ...peak },
      { start: '12:00', ...flat },
      { start: '14:00', ...peak },
      { start: '19:00', ...flat },
    ],
    calendar: [
      {
        months: [7, 8, 9],
        periods: [
          { start: '00:00', ...valley },
          { start: '08:00', ...flat },
          { start: '10:00', ...peak },
          { start: '11:00', ...sharp },
          { start: '12:00', ...flat },
          { start: '14:00', ...peak },
          { start: '15:00', ...sharp },
          { start: '17:00', ...peak },
          { start: '19:00', ...flat },
        ],
      },
      { dates: ['10-01'], periods: [{ start: '00:00', ...valley }] },
    ],
  });

/** Four periods a day: the benchmark's shape. */
export const fourPeriodTariff = () =>
  parseTariffVersion(3, 'four', 0, {
    periods: [
      { start: '00:00', ...valley },
      { start: '08:00', ...flat },
      { start: '10:00', ...peak },
      { start: '19:00', ...flat },
    ],
  });
