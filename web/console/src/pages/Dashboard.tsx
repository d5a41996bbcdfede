import { useState } from 'react';
import { Card, Col, Row, Statistic, Segmented, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.ts';
import { Chart } from '../components/Chart.tsx';
import { STATUS_HEX } from '../components/StatusTag.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { fenToYuan, whToKwh } from '../format.ts';

interface DayFigures {
  day: string;
  orders: number;
  energyKwh: string;
  revenue: string;
  held: number;
}
interface DashboardData {
  connectors: Record<string, number>;
  chargers: { total: number; online: number; offline: number };
  heldOrders: number;
  today: DayFigures;
  days: DayFigures[];
}

export function Dashboard() {
  const { t } = useTranslation();
  const [days, setDays] = useState<7 | 30>(7);
  const d = useApi<DashboardData>('/dashboard?days=30', { pollMs: 10000 });
  const x = d.data;
  // issue 13: energy the incidents of this month (not dismissed) estimate as delivered without a bill
  const unbilled = useApi<{ month: string; incidents: number; unbilledWh: number; estimatedAmount: number }>('/incidents/summary', { pollMs: 30000 });
  const shown = x?.days.slice(-days) ?? [];
  const pie = {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['45%', '70%'],
        label: { formatter: '{b}: {c}' },
        data: Object.entries(x?.connectors ?? {}).map(([s, n]) => ({ name: t(`st.${s}`, { defaultValue: s }), value: n, itemStyle: { color: STATUS_HEX[s] } })),
      },
    ],
  };
  const trend = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 112, bottom: 32, top: 48 },
    xAxis: { type: 'category', data: shown.map((v) => v.day.slice(5)) },
    // three quantities, three axes (issue 18.7: sessions were drawn against ¥): kWh left, ¥ and sessions right
    yAxis: [
      { type: 'value', name: t('dash.axis.energy') },
      { type: 'value', name: t('dash.axis.revenue'), position: 'right', splitLine: { show: false } },
      { type: 'value', name: t('dash.axis.sessions'), position: 'right', offset: 56, minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: t('dash.energy'), data: shown.map((v) => v.energyKwh), itemStyle: { color: '#1677ff' } },
      { type: 'line', name: t('dash.revenue'), yAxisIndex: 1, data: shown.map((v) => v.revenue), itemStyle: { color: '#fa8c16' } },
      { type: 'line', name: t('dash.sessions'), yAxisIndex: 2, data: shown.map((v) => v.orders), itemStyle: { color: '#52c41a' }, lineStyle: { type: 'dashed' } },
    ],
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="dashboard">
      <ApiErrorAlert error={d.error} />
      <Row gutter={[16, 16]}>
        <Col xs={12} lg={3}>
          <Card>
            <Statistic title={t('dash.todaySessions')} value={x?.today.orders ?? 0} data-testid="stat-sessions" />
          </Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card>
            <Statistic title={t('dash.todayEnergy')} value={x?.today.energyKwh ?? '0.00'} />
          </Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card>
            <Statistic title={t('dash.todayRevenue')} value={x?.today.revenue ?? '0.00'} />
          </Card>
        </Col>
        <Col xs={12} lg={3}>
          <Card hoverable onClick={() => navigate('/abnormal')}>
            <Statistic title={t('dash.abnormalWaiting')} value={x?.heldOrders ?? 0} valueStyle={{ color: (x?.heldOrders ?? 0) > 0 ? '#cf1322' : undefined }} data-testid="stat-abnormal" />
          </Card>
        </Col>
        <Col xs={12} lg={4}>
          <Card hoverable onClick={() => navigate('/incidents')} data-testid="card-unbilled">
            <Statistic
              title={t('dash.unbilled')}
              suffix="kWh"
              value={whToKwh(unbilled.data?.unbilledWh ?? 0)}
              valueStyle={{ color: (unbilled.data?.unbilledWh ?? 0) > 0 ? '#cf1322' : undefined }}
              data-testid="stat-unbilled"
            />
            <div style={{ color: '#888', fontSize: 12 }} data-testid="stat-unbilled-detail">
              {t('dash.unbilledDetail', { n: unbilled.data?.incidents ?? 0, amount: fenToYuan(unbilled.data?.estimatedAmount ?? 0) })}
            </div>
          </Card>
        </Col>
        <Col xs={12} lg={3}>
          <Card hoverable onClick={() => navigate('/stations')}>
            <Statistic title={t('dash.online')} value={x?.chargers.online ?? 0} valueStyle={{ color: '#389e0d' }} />
          </Card>
        </Col>
        <Col xs={12} lg={3}>
          <Card hoverable onClick={() => navigate('/stations')}>
            <Statistic title={t('dash.offline')} value={x?.chargers.offline ?? 0} valueStyle={{ color: x?.chargers.offline ? '#cf1322' : undefined }} data-testid="stat-offline" />
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
