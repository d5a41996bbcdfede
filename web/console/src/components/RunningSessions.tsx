import { useState } from 'react';
import { App, Button, Card, Popconfirm, Table, Typography } from 'antd';
import { StopOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { post, qs } from '../api.ts';
import { navigate } from '../router.ts';
import { ApiErrorAlert } from './ApiErrorAlert.tsx';
import { fmtTime, fmtDuration } from '../format.ts';

interface ActiveSession {
  id: number;
  transactionId: number;
  connectorId: number;
  idTag: string;
  driverPhone: string | null;
  origin: string;
  startedAt: string;
  energyKwh: string;
}

/**
 * The charger's running sessions with a stop button each (issue 18.7): a remote stop no longer needs a
 * transaction id copied from the message log. Polls like the rest of the charger page.
 */
export function RunningSessions({ chargerId }: { chargerId: string }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const list = useApi<{ items: ActiveSession[] }>(`/sessions${qs({ chargerId, status: 'active', limit: 20 })}`, { pollMs: 5000 });
  const [busy, setBusy] = useState<number | null>(null);
  const stop = async (s: ActiveSession) => {
    setBusy(s.id);
    try {
      const r = await post<{ status?: string }>(`/chargers/${encodeURIComponent(chargerId)}/commands/RemoteStopTransaction`, { transactionId: s.transactionId });
      if (r?.status && r.status !== 'Accepted') message.warning(t('run.stopRefused', { status: r.status }));
      else message.success(t('run.stopSent'));
      list.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    } finally {
      setBusy(null);
    }
  };
  // this browser's clock: the console runs on the operator's device (an instant, not a zone question)
  const now = Date.now();
  const items = list.data?.items ?? [];
  return (
    <Card title={t('run.title')} size="small" data-testid="running-sessions">
      <ApiErrorAlert error={list.error} />
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        locale={{ emptyText: t('run.none') }}
        columns={[
          { title: t('charger.gun'), dataIndex: 'connectorId', width: 70, render: (c: number) => `#${c}` },
          { title: t('cmd.transactionId'), dataIndex: 'transactionId', width: 110 },
          { title: t('order.card'), dataIndex: 'idTag' },
          { title: t('order.user'), dataIndex: 'driverPhone', render: (p: string | null) => p ?? '-' },
          { title: t('order.start'), dataIndex: 'startedAt', render: fmtTime, width: 170 },
          { title: t('order.duration'), render: (_: unknown, s: ActiveSession) => fmtDuration((now - Date.parse(s.startedAt)) / 1000, i18n.language) },
          { title: t('order.energy'), dataIndex: 'energyKwh', align: 'right' as const },
          {
            title: '',
            width: 190,
            render: (_: unknown, s: ActiveSession) => (
              <>
                <Typography.Link onClick={() => navigate(`/support/session/${s.id}`)} style={{ marginRight: 12 }}>
                  {t('run.story')}
                </Typography.Link>
                <Popconfirm title={t('run.stopConfirm', { gun: s.connectorId, tx: s.transactionId })} onConfirm={() => stop(s)} okButtonProps={{ 'data-testid': 'stop-confirm' } as any}>
                  <Button size="small" danger icon={<StopOutlined />} loading={busy === s.id} data-testid={`stop-${s.transactionId}`}>
                    {t('run.stop')}
                  </Button>
                </Popconfirm>
              </>
            ),
          },
        ]}
      />
    </Card>
  );
}
