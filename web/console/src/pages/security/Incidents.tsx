import { useState } from 'react';
import { Card, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { qs } from '../../api.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { fenToYuan, fmtTime, whToKwh } from '../../format.ts';

export const INCIDENT_KINDS = [
  'meter_gap',
  'energy_without_transaction',
  'invalid_tag_energy',
  'stop_meter_mismatch',
  'main_meter_excess',
  'tag_multi_connector',
  'duplicate_connection',
  'security_event',
] as const;
export const INCIDENT_COLOR: Record<string, string> = { open: 'error', confirmed: 'warning', dismissed: 'default' };

/** Billing-evasion incidents (issue 13), newest first, filtered by kind, status and charger. */
export function Incidents() {
  const { t } = useTranslation();
  const init = new URLSearchParams(location.search);
  const [kind, setKind] = useState<string | undefined>(init.get('kind') ?? undefined);
  const [status, setStatus] = useState<string | undefined>(init.get('status') ?? undefined);
  const [chargerId, setChargerId] = useState<string>(init.get('chargerId') ?? '');
  const list = useApi<{ items: any[] }>(`/incidents${qs({ kind, status, chargerId: chargerId.trim(), limit: 500 })}`, { pollMs: 10000 });
  return (
    <Card title={t('inc.list')}>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select allowClear placeholder={t('inc.kind')} style={{ width: 240 }} value={kind} onChange={setKind} data-testid="inc-filter-kind" options={INCIDENT_KINDS.map((k) => ({ value: k, label: t(`inc.kind.${k}`) }))} />
        <Select allowClear placeholder={t('inc.status')} style={{ width: 140 }} value={status} onChange={setStatus} data-testid="inc-filter-status" options={['open', 'confirmed', 'dismissed'].map((s) => ({ value: s, label: t(`inc.status.${s}`) }))} />
        <Input.Search allowClear placeholder={t('inc.filter.charger')} style={{ width: 240 }} defaultValue={chargerId} onSearch={setChargerId} data-testid="inc-filter-charger" />
      </Space>
      <ApiErrorAlert error={list.error} />
      <Table
        size="small"
        rowKey="id"
        loading={list.loading}
        data-testid="inc-list"
        dataSource={list.data?.items ?? []}
        onRow={(r) => ({ onClick: () => navigate(`/incidents/${r.id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('inc.id'), dataIndex: 'id', width: 70 },
          { title: t('inc.kind'), dataIndex: 'kind', render: (k: string) => t(`inc.kind.${k}`, { defaultValue: k }) },
          { title: t('inc.charger'), dataIndex: 'chargerId' },
          { title: t('inc.connector'), dataIndex: 'connectorId', width: 70, render: (c: number | null) => c ?? '-' },
          { title: t('inc.span'), render: (_: unknown, r: any) => `${fmtTime(r.from)} → ${fmtTime(r.to)}` },
          { title: t('inc.unbilled'), dataIndex: 'unbilledWh', align: 'right' as const, render: whToKwh },
          { title: t('inc.amount'), dataIndex: 'estimatedAmount', align: 'right' as const, render: fenToYuan },
          { title: t('inc.status'), dataIndex: 'status', render: (s: string) => <Tag color={INCIDENT_COLOR[s]}>{t(`inc.status.${s}`)}</Tag> },
        ]}
      />
    </Card>
  );
}
