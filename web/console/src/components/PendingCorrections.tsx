import { App, Button, Card, Empty, Input, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { post, session } from '../api.ts';
import { navigate } from '../router.ts';
import { fmtTime } from '../format.ts';

interface Request {
  id: number;
  orderNo: string;
  requestedBy: string;
  requestedAt: string;
  countedAmount: string;
  reason: string;
  correction: Record<string, unknown>;
}

/** Staff corrections over the daily limit (issue 11, point 10): everyone sees them, admins decide. */
export function PendingCorrections({ onDecided }: { onDecided?: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useApi<{ items: Request[] }>('/order-corrections?status=pending_approval');
  const [why, setWhy] = useState('');
  const admin = session.me()?.role !== 'operator_staff';
  const decide = async (id: number, action: 'approve' | 'reject') => {
    try {
      await post(`/order-corrections/${id}/${action}`, action === 'reject' ? { reason: why } : undefined);
      message.success(t('common.saved'));
      setWhy('');
      q.reload();
      onDecided?.();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Card title={`${t('corr.queue')} (${q.data?.items.length ?? 0})`} data-testid="pending-corrections">
      <Table
        rowKey="id"
        size="small"
        loading={q.loading}
        dataSource={q.data?.items ?? []}
        locale={{ emptyText: <Empty description={t('corr.empty')} /> }}
        columns={[
          { title: t('order.no'), dataIndex: 'orderNo', width: 200, render: (v: string) => <Typography.Link onClick={() => navigate(`/orders/${v}`)}>{v}</Typography.Link> },
          { title: t('corr.by'), dataIndex: 'requestedBy', width: 120 },
          { title: t('order.start'), dataIndex: 'requestedAt', render: fmtTime, width: 165 },
          { title: t('corr.amount'), dataIndex: 'countedAmount', width: 100 },
          { title: t('corr.reason'), dataIndex: 'reason' },
          {
            title: t('common.actions'),
            width: 220,
            render: (_: unknown, r: Request) =>
              admin ? (
                <Space>
                  <Button type="primary" size="small" onClick={() => decide(r.id, 'approve')} data-testid={`approve-correction-${r.id}`}>
                    {t('corr.approve')}
                  </Button>
                  <Popconfirm
                    title={<Input placeholder={t('corr.rejectReason')} value={why} onChange={(e) => setWhy(e.target.value)} />}
                    okButtonProps={{ disabled: !why.trim() }}
                    onConfirm={() => decide(r.id, 'reject')}
                  >
                    <Button size="small" danger>
                      {t('corr.reject')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}
