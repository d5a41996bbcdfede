import { useState } from 'react';
import { App, Button, Card, DatePicker, Descriptions, Drawer, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { pickerNow } from '../zone.ts';
import { useApi } from '../hooks.ts';
import { get, post, qs } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { fmtTime } from '../format.ts';

const STATUS_COLOR: Record<string, string> = { pending: 'gold', creating: 'gold', credited: 'green', closed: 'default', failed: 'red' };

export function Payments() {
  const { t } = useTranslation();
  return (
    <Card>
      <Tabs
        items={[
          { key: 'pending', label: t('pay.pending'), children: <Topups status="pending" /> },
          { key: 'all', label: t('pay.topups'), children: <Topups /> },
          { key: 'bills', label: t('pay.bills'), children: <Bills /> },
        ]}
      />
    </Card>
  );
}

function Topups({ status }: { status?: string }) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<{ status?: string; flagged?: string }>({ status });
  const [offset, setOffset] = useState(0);
  const list = useApi<{ items: any[]; total: number }>(`/topups${qs({ ...filter, limit: 20, offset })}`, { pollMs: status ? 10000 : undefined });
  const [open, setOpen] = useState<any>(null);
  const show = async (no: string) => setOpen(await get(`/topups/${no}`));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {!status && (
        <Space>
          <Select
            allowClear
            placeholder={t('common.status')}
            style={{ width: 140 }}
            onChange={(v) => setFilter({ ...filter, status: v })}
            options={['creating', 'pending', 'credited', 'closed', 'failed'].map((s) => ({ value: s, label: s }))}
          />
          <Select allowClear placeholder={t('pay.flag')} style={{ width: 120 }} onChange={(v) => setFilter({ ...filter, flagged: v })} options={[{ value: 'true', label: t('pay.flagged') }]} />
        </Space>
      )}
      <ApiErrorAlert error={list.error} />
      <Table
        size="small"
        rowKey="outTradeNo"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid={`topups-${status ?? 'all'}`}
        onRow={(r) => ({ onClick: () => show(r.outTradeNo), style: { cursor: 'pointer' } })}
        pagination={{ pageSize: 20, total: list.data?.total ?? 0, onChange: (p) => setOffset((p - 1) * 20) }}
        columns={[
          { title: t('pay.outTradeNo'), dataIndex: 'outTradeNo' },
          { title: t('order.phone'), dataIndex: 'phone' },
          { title: t('drv.amount'), dataIndex: 'amount', align: 'right' as const },
          { title: t('pay.channel'), dataIndex: 'channel' },
          { title: t('common.status'), dataIndex: 'status', render: (s: string, r: any) => <><Tag color={STATUS_COLOR[s]}>{s}</Tag>{r.flag && <Tag color="red">{r.flag}</Tag>}</> },
          { title: t('pay.createdAt'), dataIndex: 'createdAt', render: fmtTime },
          { title: t('pay.credited'), dataIndex: 'creditedAt', render: (v: string | null, r: any) => (v ? `${fmtTime(v)} (${r.creditedVia ?? ''})` : '-') },
        ]}
      />
      <Drawer open={!!open} width={640} onClose={() => setOpen(null)} title={open?.outTradeNo}>
        {open && (
          <>
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('order.phone')}>{open.phone}</Descriptions.Item>
              <Descriptions.Item label={t('drv.amount')}>{open.amount}</Descriptions.Item>
              <Descriptions.Item label={t('common.status')}>{open.status}</Descriptions.Item>
              <Descriptions.Item label={t('pay.transactionId')}>{open.transactionId ?? '-'}</Descriptions.Item>
              <Descriptions.Item label="notify_url">{open.notifyUrl}</Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              {t('pay.callbacks')}
            </Typography.Title>
            <Table
              size="small"
              rowKey={(r: any) => r.at + r.kind}
              pagination={false}
              dataSource={open.history ?? []}
              columns={[
                { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 165 },
                { title: t('pay.kind'), dataIndex: 'kind' },
                { title: t('pay.outcome'), dataIndex: 'outcome' },
                { title: t('pay.detail'), dataIndex: 'detail', render: (d: unknown) => <Typography.Text code style={{ fontSize: 11 }}>{JSON.stringify(d)}</Typography.Text> },
              ]}
            />
          </>
        )}
      </Drawer>
    </Space>
  );
}

function Bills() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi<{ items: any[] }>('/payments/reconciliation');
  const [day, setDay] = useState<Dayjs>(() => pickerNow().subtract(1, 'day'));
  const [detail, setDetail] = useState<any>(null);
  const run = async () => {
    try {
      await post('/payments/reconciliation/run', { date: day.format('YYYY-MM-DD') });
      list.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <DatePicker value={day} onChange={(d) => d && setDay(d)} disabledDate={(d) => d.isAfter(pickerNow())} />
        <Button onClick={run} data-testid="bills-run">
          {t('pay.query')}
        </Button>
      </Space>
      <ApiErrorAlert error={list.error} />
      <Table
        size="small"
        rowKey="date"
        dataSource={list.data?.items ?? []}
        data-testid="bills"
        onRow={(r) => ({ onClick: async () => setDetail(await get(`/payments/reconciliation?date=${r.date}`)), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('pay.day'), dataIndex: 'date' },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'done' ? 'green' : 'red'}>{s}</Tag> },
          {
            title: t('pay.issues'),
            dataIndex: 'totals',
            render: (x: any) =>
              x
                ? Object.entries(x)
                    .filter(([, v]) => typeof v !== 'object')
                    .map(([k, v]) => <Tag key={k}>{`${k}: ${v}`}</Tag>)
                : '-',
          },
          { title: t('pay.error'), dataIndex: 'error' },
          { title: t('common.time'), dataIndex: 'ranAt', render: fmtTime },
        ]}
      />
      <Drawer open={!!detail} width={760} onClose={() => setDetail(null)} title={detail?.date}>
        <pre style={{ fontSize: 12 }}>{JSON.stringify(detail, null, 2)}</pre>
      </Drawer>
    </Space>
  );
}
