import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { PERIOD_COLORS } from '../format.ts';

export interface PeriodDoc {
  start: string;
  type: 'sharp' | 'peak' | 'flat' | 'valley';
  electricityPrice: string;
  servicePrice: string;
}

const minutes = (s: string) => {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/** The day's periods as one 24-hour bar, coloured by type, with hour ticks. */
export function TariffTimeline({ periods }: { periods: PeriodDoc[] }) {
  const { t } = useTranslation();
  const ok = periods.filter((p) => Number.isFinite(minutes(p.start))).sort((a, b) => minutes(a.start) - minutes(b.start));
  const segs = ok.map((p, i) => {
    const from = minutes(p.start);
    const to = i + 1 < ok.length ? minutes(ok[i + 1].start) : 1440;
    return { ...p, from, to, end: i + 1 < ok.length ? ok[i + 1].start : '24:00' };
  });
  return (
    <div data-testid="tariff-timeline">
      <div style={{ position: 'relative', height: 44, borderRadius: 6, overflow: 'hidden', background: '#f0f0f0', display: 'flex' }}>
        {segs[0] && segs[0].from > 0 && <div style={{ width: `${(segs[0].from / 1440) * 100}%` }} />}
        {segs.map((s, i) => (
          <Tooltip key={i} title={`${s.start}–${s.end} ${t(`period.${s.type}`)} ${s.electricityPrice} + ${s.servicePrice}`}>
            <div
              data-testid={`timeline-seg-${i}`}
              data-type={s.type}
              style={{
                width: `${(Math.max(0, s.to - s.from) / 1440) * 100}%`,
                background: PERIOD_COLORS[s.type],
                color: '#fff',
                fontSize: 12,
                display: 'flex',
                alignItems: 'center',
                justifyContent: 'center',
                overflow: 'hidden',
                whiteSpace: 'nowrap',
                borderRight: '1px solid rgba(255,255,255,.6)',
              }}
            >
              {s.to - s.from >= 90 ? t(`period.${s.type}`) : ''}
            </div>
          </Tooltip>
        ))}
      </div>
      <div style={{ position: 'relative', height: 18, fontSize: 11, color: '#8c8c8c' }}>
        {[0, 3, 6, 9, 12, 15, 18, 21, 24].map((h) => (
          <span key={h} style={{ position: 'absolute', left: `${(h / 24) * 100}%`, transform: h === 0 ? 'none' : h === 24 ? 'translateX(-100%)' : 'translateX(-50%)' }}>
            {String(h).padStart(2, '0')}:00
          </span>
        ))}
      </div>
      <div style={{ marginTop: 4, display: 'flex', gap: 12, fontSize: 12 }}>
        {(['sharp', 'peak', 'flat', 'valley'] as const).map((k) => (
          <span key={k}>
            <span style={{ display: 'inline-block', width: 10, height: 10, background: PERIOD_COLORS[k], borderRadius: 2, marginRight: 4 }} />
            {t(`period.${k}`)}
          </span>
        ))}
      </div>
    </div>
  );
}

/** Client-side validation mirroring the API's: first at 00:00, increasing starts, HH:mm, 4-decimal prices, ≤ 32. */
export function validatePeriods(ps: PeriodDoc[], t: (k: string) => string): string[] {
  const errs = new Set<string>();
  if (ps.length > 32) errs.add(t('tariff.err.count'));
  if (!ps.length || ps[0].start !== '00:00') errs.add(t('tariff.err.first'));
  ps.forEach((p, i) => {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(p.start)) errs.add(`${t('tariff.err.time')} (#${i + 1})`);
    if (i > 0 && !(p.start > ps[i - 1].start)) errs.add(`${t('tariff.err.order')} (#${i + 1})`);
    for (const v of [p.electricityPrice, p.servicePrice]) if (!/^\d{1,4}(\.\d{1,4})?$/.test(v ?? '')) errs.add(`${t('tariff.err.price')} (#${i + 1})`);
  });
  return [...errs];
}
