import { useState } from 'react';
import { App, Button, Card, Col, Descriptions, Drawer, Form, Input, Radio, Row, Space, Table, Tag, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { post, patch, qs, session } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { ApiTable, usePagedApi } from '../components/ApiTable.tsx';
import { fmtTime } from '../format.ts';

export function Drivers() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const list = usePagedApi('/drivers', { q });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Input.Search placeholder={t('drv.search')} allowClear enterButton={t('common.search')} style={{ maxWidth: 420 }} onSearch={(v) => (setQ(v.trim()), list.firstPage())} data-testid="drivers-search" />
      </Card>
      <ApiTable
        api={list}
        rowKey="phone"
        data-testid="drivers-table"
        onRow={(r) => ({ onClick: () => setOpen(r.phone), style: { cursor: 'pointer' } })}
        pagination={list.pagination}
        columns={[
          { title: t('order.phone'), dataIndex: 'phone' },
          { title: t('drv.name'), dataIndex: 'name', render: (v: string, r: any) => v ?? r.nickname ?? '-' },
          { title: t('drv.plates'), dataIndex: 'plates', render: (p: string[]) => p?.join(', ') || '-' },
          { title: t('drv.idTags'), dataIndex: 'idTags', render: (p: string[]) => p.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('drv.balance'), dataIndex: 'walletBalance', align: 'right' as const, render: (v: string) => <b>{v}</b> },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'active' ? 'green' : 'red'}>{t(`drvst.${s}`, { defaultValue: s })}</Tag> },
        ]}
      />
      <Drawer open={!!open} width={760} onClose={() => (setOpen(null), list.reload())} title={open} destroyOnHidden>
        {open && <DriverDetail phone={open} />}
      </Drawer>
    </Space>
  );
}

function DriverDetail({ phone }: { phone: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const d = useApi<any>(`/drivers/${encodeURIComponent(phone)}`);
  const [lp, setLp] = useState(1);
  const ledger = useApi<{ items: any[]; total: number }>(`/drivers/${encodeURIComponent(phone)}/ledger${qs({ page: lp, pageSize: 10 })}`);
  const [form] = Form.useForm();
  const [tagForm] = Form.useForm();
  const isAdmin = session.me()?.role !== 'operator_staff';
  const adjust = async (v: { direction: 'credit' | 'debit'; amount: string; remark: string }) => {
    try {
      await post(`/drivers/${encodeURIComponent(phone)}/wallet/adjustments`, { ...v, amount: v.amount.trim(), remark: v.remark.trim(), idempotencyKey: `console-${Date.now()}` });
      message.success(t('common.saved'));
      form.resetFields();
      d.reload();
      ledger.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const addTag = async (v: { id: string }) => {
    try {
      await post(`/drivers/${encodeURIComponent(phone)}/id-tags`, { id: v.id.trim(), kind: 'card' });
      tagForm.resetFields();
      d.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const tagAction = async (id: string, action: 'block' | 'unblock') => {
    try {
      await patch(`/drivers/${encodeURIComponent(phone)}/id-tags/${encodeURIComponent(id)}`, { action });
      d.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const x = d.data;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <ApiErrorAlert error={d.error} />
      {x && (
        <Descriptions bordered size="small" column={2}>
          <Descriptions.Item label={t('drv.name')}>{x.name ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('common.status')}>{t(`drvst.${x.status}`, { defaultValue: x.status })}</Descriptions.Item>
          <Descriptions.Item label={t('drv.balance')}>
            <b data-testid="driver-balance">{x.walletBalance}</b>
          </Descriptions.Item>
          <Descriptions.Item label={t('drv.available')}>
            <span data-testid="driver-available">{x.availableBalance ?? '-'}</span>
            {x.holds?.length ? ` (${t('drv.holds')}: ${x.holds.map((h: { cause: string; ref: string; amount: string }) => `${h.cause} ${h.ref} ${h.amount}`).join(', ')})` : ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('order.payment')}>{t(`pay.${x.paymentMethod}`, { defaultValue: x.paymentMethod })}</Descriptions.Item>
          <Descriptions.Item label={t('drv.plates')}>{x.plates?.join(', ') || '-'}</Descriptions.Item>
          <Descriptions.Item label={t('drv.enterprise')}>{x.enterprise ? `${x.enterprise.name} / ${x.enterprise.departmentName ?? ''}` : '-'}</Descriptions.Item>
        </Descriptions>
      )}
      <Tabs
        items={[
          {
            key: 'ledger',
            label: t('drv.ledger'),
            children: (
              <Table
                size="small"
                rowKey="entryId"
                loading={ledger.loading}
                dataSource={ledger.data?.items ?? []}
                data-testid="driver-ledger"
                pagination={{ current: lp, pageSize: 10, total: ledger.data?.total ?? 0, onChange: setLp }}
                columns={[
                  { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 165 },
                  { title: t('drv.cause'), dataIndex: 'cause', render: (c: string, r: any) => `${c}${r.causeRef ? ' ' + r.causeRef : ''}` },
                  { title: t('drv.entryAmount'), dataIndex: 'amount', align: 'right' as const, render: (v: string) => <span style={{ color: v.startsWith('-') ? '#cf1322' : '#389e0d' }}>{v}</span> },
                  { title: t('drv.balanceAfter'), dataIndex: 'balanceAfter', align: 'right' as const },
                  { title: t('common.remark'), dataIndex: 'remark' },
                  { title: t('order.by'), dataIndex: 'actor' },
                ]}
              />
            ),
          },
          {
            key: 'tags',
            label: t('drv.idTags'),
            children: (
              <>
                <Table
                  size="small"
                  rowKey="id"
                  pagination={false}
                  dataSource={x?.idTags ?? []}
                  columns={[
                    { title: 'id', dataIndex: 'id' },
                    { title: t('drv.kind'), dataIndex: 'kind' },
                    { title: t('common.status'), dataIndex: 'status', render: (s: string, r: any) => <Tag color={r.authorization === 'Accepted' ? 'green' : 'red'}>{s} / {r.authorization}</Tag> },
                    { title: t('drv.expires'), dataIndex: 'expiresAt', render: fmtTime },
                    {
                      title: '',
                      render: (_: unknown, r: any) =>
                        r.status === 'blocked' ? <Button size="small" onClick={() => tagAction(r.id, 'unblock')}>{t('drv.unblock')}</Button> : <Button size="small" danger onClick={() => tagAction(r.id, 'block')}>{t('drv.block')}</Button>,
                    },
                  ]}
                />
                <Form form={tagForm} layout="inline" onFinish={addTag} style={{ marginTop: 12 }}>
                  <Form.Item name="id" rules={[{ required: true, max: 20 }]}>
                    <Input placeholder={t('cmd.idTag')} />
                  </Form.Item>
                  <Button htmlType="submit">+</Button>
                </Form>
              </>
            ),
          },
        ]}
      />
      {isAdmin && (
        <Card size="small" title={t('drv.adjust')}>
          <Form form={form} layout="vertical" onFinish={adjust} initialValues={{ direction: 'credit' }} data-testid="adjust-form">
            <Row gutter={12}>
              <Col span={10}>
                <Form.Item name="direction">
                  <Radio.Group options={[{ value: 'credit', label: t('drv.credit') }, { value: 'debit', label: t('drv.debit') }]} />
                </Form.Item>
              </Col>
              <Col span={14}>
                <Form.Item name="amount" label={t('drv.amount')} rules={[{ required: true, pattern: /^\d{1,9}(\.\d{1,2})?$/ }]}>
                  <Input data-testid="adjust-amount" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="remark" label={t('common.remark')} rules={[{ required: true, whitespace: true, message: t('drv.remarkRequired') }]}>
              <Input.TextArea rows={2} data-testid="adjust-remark" />
            </Form.Item>
            <Button type="primary" htmlType="submit" data-testid="adjust-submit">
              {t('common.confirm')}
            </Button>
          </Form>
        </Card>
      )}
    </Space>
  );
}
