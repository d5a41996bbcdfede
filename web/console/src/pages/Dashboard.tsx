import { useMemo, useState } from 'react';
import { Card, Col, Row, Statistic, Segmented, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import dayjs from 'dayjs';
import { useApi } from '../hooks.ts';
import { qs } from '../api.ts';
import { navigate } from '../router.ts';
import { Chart } from '../components/Chart.tsx';
import { STATUS_HEX } from '../components/StatusTag.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { sumYuan } from '../format.ts';
import type { Charger } from './Stations.tsx';

const kwhToWh = (s?: string) => Math.round(Number(s ?? 0) * 1000);

export function Dashboard() {
  const { t } = useTranslation();
  const [days, setDays] = useState<7 | 30>(7);
  const chargers = useApi<{ items: Charger[] }>('/chargers', { pollMs: 10000 });
  const from = useMemo(() => dayjs().startOf('day').subtract(29, 'day').toISOString(), []);
  const orders = useApi<{ items: any[]; total: number }>(`/orders${qs({ from, to: dayjs().endOf('day').toISOString(), pageSize: 1000, limit: 1000 })}`);
  const abnormal = useApi<{ items: any[]; total: number }>(`/orders${qs({ abnormal: true, status: 'held', pageSize: 1, limit: 1 })}`);

  const states: Record<string, number> = {};
  let offline = 0;
  for (const c of chargers.data?.items ?? []) {
    if (!c.connected) offline++;
    for (const k of c.connectors) states[k.status] = (states[k.status] ?? 0) + 1;
  }
  const online = (chargers.data?.items.length ?? 0) - offline;

  const byDay = useMemo(() => {
    const m = new Map<string, { n: number; wh: number; revenue: string[] }>();
    for (let i = 29; i >= 0; i--) m.set(dayjs().subtract(i, 'day').format('YYYY-MM-DD'), { n: 0, wh: 0, revenue: [] });
    for (const o of orders.data?.items ?? []) {
      const d = m.get(dayjs(o.startTime).format('YYYY-MM-DD'));
      if (!d) continue;
      d.n++;
      d.wh += kwhToWh(o.energyKwh);
      d.revenue.push(o.totalAmount);
    }
    return [...m.entries()].map(([day, v]) => ({ day, n: v.n, kwh: v.wh / 1000, revenue: sumYuan(v.revenue) }));
  }, [orders.data]);
  const today = byDay[byDay.length - 1];
  const shown = byDay.slice(-days);

  const pie = {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['45%', '70%'],
        label: { formatter: '{b}: {c}' },
        data: Object.entries(states).map(([s, n]) => ({ name: t(`st.${s}`, { defaultValue: s }), value: n, itemStyle: { color: STATUS_HEX[s] } })),
      },
    ],
  };
  const trend = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, bottom: 32, top: 40 },
    xAxis: { type: 'category', data: shown.map((d) => d.day.slice(5)) },
    yAxis: [
      { type: 'value', name: 'kWh' },
      { type: 'value', name: t('common.yuan') },
    ],
    series: [
      { type: 'bar', name: t('dash.energy'), data: shown.map((d) => d.kwh.toFixed(2)), itemStyle: { color: '#1677ff' } },
      { type: 'line', name: t('dash.revenue'), yAxisIndex: 1, data: shown.map((d) => d.revenue), itemStyle: { color: '#fa8c16' } },
    ],
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="dashboard">
      <ApiErrorAlert error={chargers.error ?? orders.error} />
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={4}>
          <Card><Statistic title={t('dash.todaySessions')} value={today?.n ?? 0} data-testid="stat-sessions" /></Card>
        </Col>
        <Col xs={12} lg={5}>
          <Card><Statistic title={t('dash.todayEnergy')} value={(today?.kwh ?? 0).toFixed(2)} /></Card>
        </Col>
        <Col xs={12} lg={5}>
          <Card><Statistic title={t('dash.todayRevenue')} value={today?.revenue ?? '0.00'} /></Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card hoverable onClick={() => navigate('/abnormal')}>
            <Statistic title={t('dash.abnormalWaiting')} value={abnormal.data?.total ?? 0} valueStyle={{ color: (abnormal.data?.total ?? 0) > 0 ? '#cf1322' : undefined }} data-testid="stat-abnormal" />
          </Card>
        </Col>
        <Col xs={12} lg={3}>
          <Card hoverable onClick={() => navigate('/stations')}>
            <Statistic title={t('dash.online')} value={online} valueStyle={{ color: '#389e0d' }} />
          </Card>
        </Col>
        <Col xs={12} lg={3}>
          <Card hoverable onClick={() => navigate('/stations')}>
            <Statistic title={t('dash.offline')} value={offline} valueStyle={{ color: offline ? '#cf1322' : undefined }} data-testid="stat-offline" />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Card title={t('dash.connectors')}>
            <Chart option={pie} testId="chart-connectors" />
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          <Card
            title={t('dash.trend')}
            extra={<Segmented value={days} onChange={(v) => setDays(v as 7 | 30)} options={[{ value: 7, label: t('dash.days7') }, { value: 30, label: t('dash.days30') }]} data-testid="days-switch" />}
          >
            <Chart option={trend} testId="chart-trend" />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
