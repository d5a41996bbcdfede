import { useMemo, useState } from 'react';
import { Card, Col, Row, Select, Space, Tag, Typography, Badge, Statistic, Empty, Tooltip, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.ts';
import { StatusTag, STATUS_HEX } from '../components/StatusTag.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { fmtTime } from '../format.ts';

export interface Connector {
  connectorId: number;
  type: 'DC' | 'AC';
  maxPowerKw: number;
  status: string;
  errorCode: string;
  statusAt: string | null;
}
export interface Charger {
  id: string;
  stationId: string | null;
  connected: boolean;
  vendor: string | null;
  model: string | null;
  firmwareVersion: string | null;
  lastSeenAt: string | null;
  connectors: Connector[];
}

export function Stations() {
  const { t } = useTranslation();
  const [stationId, setStationId] = useState<string | undefined>(undefined);
  const [q, setQ] = useState('');
  const stations = useApi<{ items: any[] }>('/stations');
  const chargers = useApi<{ items: Charger[] }>(`/chargers${stationId ? `?stationId=${encodeURIComponent(stationId)}` : ''}`, { pollMs: 5000 });
  const byStation = useMemo(() => new Map((stations.data?.items ?? []).map((s) => [s.id, s])), [stations.data]);
  const list = (chargers.data?.items ?? []).filter((c) => !q || c.id.includes(q));
  const counts: Record<string, number> = {};
  for (const c of list) for (const k of c.connectors) counts[k.status] = (counts[k.status] ?? 0) + 1;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiErrorAlert error={stations.error ?? chargers.error} />
      <Card>
        <Space wrap size="large">
          <Select
            data-testid="station-filter"
            allowClear
            style={{ minWidth: 240 }}
            placeholder={t('station.allStations')}
            value={stationId}
            onChange={setStationId}
            options={(stations.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
          <Input.Search placeholder={t('charger.id')} allowClear onSearch={setQ} style={{ width: 240 }} />
          <Typography.Text type="secondary">{t('charger.live')}</Typography.Text>
        </Space>
        <Row gutter={16} style={{ marginTop: 16 }}>
          {Object.entries(counts).map(([s, n]) => (
            <Col key={s}>
              <Statistic title={<StatusTagText s={s} />} value={n} valueStyle={{ color: STATUS_HEX[s] }} />
            </Col>
          ))}
        </Row>
      </Card>
      {!stationId && (
        <Row gutter={[16, 16]}>
          {(stations.data?.items ?? []).map((s) => (
            <Col key={s.id} xs={24} md={12} xl={8}>
              <Card size="small" hoverable onClick={() => setStationId(s.id)} data-testid={`station-${s.id}`} title={s.name} extra={<Tag>{s.chargerCount} {t('charger')}</Tag>}>
                <Typography.Text type="secondary">
                  {s.city ?? ''} {s.address ?? ''}
                </Typography.Text>
              </Card>
            </Col>
          ))}
        </Row>
      )}
      <Row gutter={[16, 16]} data-testid="charger-grid">
        {list.length === 0 && !chargers.loading && <Empty style={{ margin: '0 auto' }} />}
        {list.map((c) => (
          <Col key={c.id} xs={24} md={12} xl={8} xxl={6}>
            <Card
              size="small"
              hoverable
              data-testid={`charger-${c.id}`}
              onClick={() => navigate(`/chargers/${c.id}`)}
              title={
                <Space>
                  <Badge status={c.connected ? 'success' : 'default'} />
                  <span style={{ fontFamily: 'monospace' }}>{c.id}</span>
                </Space>
              }
              extra={<Tag color={c.connected ? 'green' : 'default'}>{c.connected ? t('charger.online') : t('charger.offline')}</Tag>}
            >
              <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
                {byStation.get(c.stationId ?? '')?.name ?? c.stationId} · {[c.vendor, c.model].filter(Boolean).join(' ') || '-'}
              </Typography.Text>
              <Space wrap>
                {c.connectors.map((k) => (
                  <Tooltip key={k.connectorId} title={`${k.type} ${k.maxPowerKw} kW · ${fmtTime(k.statusAt)}${k.errorCode && k.errorCode !== 'NoError' ? ' · ' + k.errorCode : ''}`}>
                    <span data-testid={`connector-${c.id}-${k.connectorId}`}>
                      #{k.connectorId} <StatusTag status={k.status} />
                    </span>
                  </Tooltip>
                ))}
              </Space>
            </Card>
          </Col>
        ))}
      </Row>
    </Space>
  );
}

function StatusTagText({ s }: { s: string }) {
  const { t } = useTranslation();
  return <span>{t(`st.${s}`, { defaultValue: s })}</span>;
}
