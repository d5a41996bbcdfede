import { useState } from 'react';
import { App, Button, Drawer, Empty, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { get, post } from '../api.ts';
import { navigate } from '../router.ts';
import { ApiTable } from '../components/ApiTable.tsx';
import { CorrectionForm } from '../components/CorrectionForm.tsx';
import { PendingCorrections } from '../components/PendingCorrections.tsx';
import { fmtTime } from '../format.ts';
import type { OrderView } from '../components/orderColumns.tsx';

export function Abnormal() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useApi<{ items: OrderView[]; total: number }>('/orders?status=held&pageSize=200');
  const [open, setOpen] = useState<any>(null);
  const correct = async (orderNo: string) => {
    try {
      setOpen(await get(`/orders/${orderNo}`));
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  const approve = async (orderNo: string) => {
    try {
      await post(`/orders/${orderNo}/approve`, { reason: 'reviewed' });
      message.success(t('common.saved'));
      q.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiTable
        api={q}
        title={`${t('abn.queue')} (${q.data?.total ?? 0})`}
        rowKey="orderNo"
        locale={{ emptyText: <Empty description={t('abn.empty')} /> }}
        data-testid="abnormal-table"
        scroll={{ x: 1200 }}
        columns={[
          { title: t('order.no'), dataIndex: 'orderNo', width: 200, render: (v: string) => <Typography.Link onClick={() => navigate(`/orders/${v}`)}>{v}</Typography.Link> },
          { title: t('station'), dataIndex: 'stationName', width: 110, render: (v: string, o: OrderView) => v ?? o.stationId },
          { title: t('charger'), width: 200, render: (_: unknown, o: OrderView) => `${o.chargerId} #${o.connectorId}` },
          { title: t('order.start'), dataIndex: 'startTime', render: fmtTime, width: 165 },
          { title: t('order.energy'), dataIndex: 'energyKwh', width: 90 },
          { title: t('order.amount'), dataIndex: 'totalAmount', width: 90 },
          {
            title: t('order.reasons'),
            render: (_: unknown, o: OrderView) => (
              <Space direction="vertical" size={2}>
                {o.abnormalReasons.map((r) => (
                  <span key={r.code}>
                    <Tag color="red">{t(`anom.${r.code}`, { defaultValue: r.code })}</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {r.message}
                    </Typography.Text>
                  </span>
                ))}
              </Space>
            ),
          },
          {
            title: t('common.actions'),
            width: 200,
            fixed: 'right' as const,
            render: (_: unknown, o: OrderView) => (
              <Space>
                <Button type="primary" size="small" onClick={() => correct(o.orderNo)} data-testid={`correct-${o.orderNo}`}>
                  {t('abn.correct')}
                </Button>
                <Button size="small" onClick={() => approve(o.orderNo)} data-testid={`approve-${o.orderNo}`}>
                  {t('abn.release')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <PendingCorrections onDecided={() => q.reload()} />
      <Drawer open={!!open} width={720} onClose={() => setOpen(null)} title={open ? t('abn.correctTitle', { no: open.orderNo }) : ''} destroyOnHidden>
        {open && <CorrectionForm order={open} onDone={() => (setOpen(null), q.reload())} />}
      </Drawer>
    </Space>
  );
}
