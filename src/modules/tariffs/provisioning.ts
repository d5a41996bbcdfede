import { z } from 'zod';
import type { SectionProvisioner } from '../registry/index.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:mm');
const price = z.string().regex(/^\d{1,4}(\.\d{1,4})?$/, 'yuan per kWh as a string with at most 4 decimals, e.g. "0.6853"');
const money = z.string().regex(/^\d{1,6}(\.\d{1,2})?$/, 'yuan as a string with at most 2 decimals');

export const periodSchema = z.object({
  start: hhmm,
  type: z.enum(['sharp', 'peak', 'flat', 'valley']),
  electricityPrice: price,
  servicePrice: price,
});

const periodsSchema = z
  .array(periodSchema)
  .min(1)
  .max(32)
  .superRefine((ps, ctx) => {
    if (ps[0]?.start !== '00:00') ctx.addIssue({ code: 'custom', path: [0, 'start'], message: 'the first period starts at 00:00' });
    for (let i = 1; i < ps.length; i++)
      if (ps[i].start <= ps[i - 1].start) ctx.addIssue({ code: 'custom', path: [i, 'start'], message: 'periods are in increasing start order' });
  });

export const calendarRuleSchema = z
  .object({
    months: z.array(z.number().int().min(1).max(12)).optional(),
    dates: z.array(z.string().regex(/^(\d{4}-)?\d{2}-\d{2}$/, 'MM-dd or yyyy-MM-dd')).optional(),
    periods: periodsSchema,
  })
  .refine((c) => (c.months?.length ?? 0) + (c.dates?.length ?? 0) > 0, 'a calendar rule names months or dates')
  .superRefine((c, ctx) => {
    c.dates?.forEach((d, i) => {
      const [y, m, day] = d.length === 5 ? [2024, Number(d.slice(0, 2)), Number(d.slice(3))] : [Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8))];
      const t = new Date(Date.UTC(y, m - 1, day));
      if (m < 1 || m > 12 || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== day) ctx.addIssue({ code: 'custom', path: ['dates', i], message: `${d} is not a calendar date` });
    });
  });

export const idleFeeSchema = z.object({
  graceMinutes: z.number().int().min(0).max(24 * 60),
  pricePerMinute: price,
  capPerSession: money.optional(),
  freeHours: z.array(z.object({ from: hhmm, to: hhmm })).optional(),
  exemptStopReasons: z.array(z.string()).optional(),
});

export const tariffVersionSchema = z.object({
  effectiveFrom: z.string().datetime({ offset: true, message: 'an ISO 8601 instant with offset, e.g. 2026-01-01T00:00:00+08:00' }),
  periods: periodsSchema,
  calendar: z.array(calendarRuleSchema).optional(),
  idleFee: idleFeeSchema.optional(),
});

export const tariffSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1),
  versions: z.array(tariffVersionSchema).min(1),
});

export type TariffDoc = z.infer<typeof tariffSchema>;
export type TariffVersionDoc = z.infer<typeof tariffVersionSchema>;

export const tariffsProvisioner: SectionProvisioner<TariffDoc[]> = {
  section: 'tariffs',
  schema: z.array(tariffSchema),
  refine(tariffs, op, issue) {
    const ids = new Set(tariffs.map((t) => t.id));
    op.stations.forEach((s, si) => {
      if (s.tariffId && !ids.has(s.tariffId)) issue([], `station ${s.id} (stations[${si}]) names tariff ${s.tariffId}, which is not in tariffs`);
      s.chargers.forEach((c) => {
        if (c.tariffId && !ids.has(c.tariffId)) issue([], `charger ${c.id} names tariff ${c.tariffId}, which is not in tariffs`);
      });
    });
  },
  async apply(q, operatorId, tariffs) {
    for (const t of tariffs) {
      await q.query(
        `INSERT INTO tariffs (operator_id, id, name) VALUES ($1, $2, $3)
         ON CONFLICT (operator_id, id) DO UPDATE SET name = EXCLUDED.name, updated_at = CASE WHEN tariffs.name IS DISTINCT FROM EXCLUDED.name THEN now() ELSE tariffs.updated_at END`,
        [operatorId, t.id, t.name],
      );
      for (const v of t.versions) {
        const { effectiveFrom, ...definition } = v;
        // A version already frozen onto sessions is never rewritten: same effectiveFrom keeps the stored definition.
        await q.query(
          `INSERT INTO tariff_versions (operator_id, tariff_id, effective_from, definition) VALUES ($1, $2, $3, $4)
           ON CONFLICT (operator_id, tariff_id, effective_from) DO NOTHING`,
          [operatorId, t.id, effectiveFrom, JSON.stringify(definition)],
        );
      }
    }
  },
};
