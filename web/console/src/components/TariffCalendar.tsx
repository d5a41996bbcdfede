import { useState } from 'react';
import { Calendar, Card, List, Tag, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { PERIOD_COLORS } from '../format.ts';
import { pickerNow } from '../zone.ts';
import type { PeriodDoc } from './TariffTimeline.tsx';

export interface CalendarRule {
  months?: number[];
  dates?: string[];
  periods: PeriodDoc[];
}

/**
 * The rule a local day follows, with the engine's precedence (docs/tariffs.md "Calendar precedence"):
 * a rule naming the date (MM-dd or yyyy-MM-dd) wins over one naming its month; the first listed wins.
 */
export function ruleOf(rules: CalendarRule[], ymd: string): number {
  const mmdd = ymd.slice(5);
  const byDate = rules.findIndex((r) => r.dates?.some((d) => d === mmdd || d === ymd));
  if (byDate >= 0) return byDate;
  return rules.findIndex((r) => r.months?.includes(Number(ymd.slice(5, 7))));
}

const RULE_COLORS = ['#722ed1', '#eb2f96', '#13c2c2', '#faad14', '#2f54eb'];
const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

function Strip({ periods, height = 8 }: { periods: PeriodDoc[]; height?: number }) {
  return (
    <div style={{ display: 'flex', height, borderRadius: 2, overflow: 'hidden' }}>
      {periods.map((p, i) => (
        <div key={i} style={{ width: `${(((i + 1 < periods.length ? m(periods[i + 1].start) : 1440) - m(p.start)) / 1440) * 100}%`, background: PERIOD_COLORS[p.type] }} />
      ))}
    </div>
  );
}

/**
 * The tariff's special calendar as a calendar (issue 18.7, it was raw JSON): each rule with the days or
 * months it names and its day's periods, and a month view where every special day carries its rule's
 * colour and periods.
 */
export function TariffCalendar({ rules }: { rules: CalendarRule[] }) {
  const { t } = useTranslation();
  const [month, setMonth] = useState<Dayjs>(() => pickerNow());
  const name = (i: number) => t('tariff.cal.rule', { n: i + 1 });
  const what = (r: CalendarRule) =>
    [r.months?.length ? t('tariff.cal.months', { list: r.months.join(', ') }) : null, r.dates?.length ? t('tariff.cal.dates', { list: r.dates.join(', ') }) : null].filter(Boolean).join(' · ');
  return (
    <Card size="small" title={t('tariff.calendar')} style={{ marginTop: 12 }} data-testid="tariff-calendar">
      <List
        size="small"
        dataSource={rules}
        renderItem={(r, i) => (
          <List.Item data-testid={`cal-rule-${i}`}>
            <div style={{ width: '100%' }}>
              <Tag color={RULE_COLORS[i % RULE_COLORS.length]}>{name(i)}</Tag>
              <Typography.Text>{what(r)}</Typography.Text>
              <div style={{ marginTop: 6 }}>
                <Strip periods={r.periods} height={12} />
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r.periods.map((p) => `${p.start} ${t(`period.${p.type}`)} ${p.electricityPrice}+${p.servicePrice}`).join(' · ')}
              </Typography.Text>
            </div>
          </List.Item>
        )}
      />
      <Calendar
        fullscreen={false}
        value={month}
        onPanelChange={(d) => setMonth(d)}
        onSelect={(d) => setMonth(d)}
        fullCellRender={(d, info) => {
          if (info.type !== 'date') return info.originNode;
          const ymd = d.format('YYYY-MM-DD');
          const i = ruleOf(rules, ymd);
          if (i < 0) return <div className="ant-picker-cell-inner">{d.date()}</div>;
          return (
            <Tooltip title={`${name(i)}: ${what(rules[i])}`}>
              <div className="ant-picker-cell-inner" data-testid={`cal-day-${ymd}`} data-rule={i} style={{ background: RULE_COLORS[i % RULE_COLORS.length], color: '#fff', borderRadius: 4 }}>
                {d.date()}
              </div>
            </Tooltip>
          );
        }}
      />
    </Card>
  );
}
