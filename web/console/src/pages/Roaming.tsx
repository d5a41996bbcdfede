import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Row, Segmented, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { post, put, qs, session } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { ApiTable } from '../components/ApiTable.tsx';
import { fmtTime } from '../format.ts';
import { isStaff } from '../roles.ts';

const json = (v: unknown) => (
  <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 260, overflow: 'auto' }}>{typeof v === 'string' ? v : JSON.stringify(v, null, 2)}</pre>
);

export function Roaming() {
  const { t } = useTranslation();
  const partners = useApi<{ items: any[] }>('/partners');
  const [sel, setSel] = useState<string | null>(null);
  const p = partners.data?.items.find((x) => x.id === sel) ?? partners.data?.items[0];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiTable
        api={partners}
        title={t('roam.partners')}
        rowKey="id"
        pagination={false}
        onRow={(r) => ({ onClick: () => setSel(r.id), style: { cursor: 'pointer', background: r.id === p?.id ? '#e6f4ff' : undefined } })}
        data-testid="partners"
        columns={[
          { title: 'OperatorID', dataIndex: 'id' },
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('roam.dialect'), dataIndex: 'dialect', render: (d: string) => <Tag>{d}</Tag> },
          { title: t('roam.baseUrl'), dataIndex: 'baseUrl' },
          { title: t('station'), dataIndex: 'stations', render: (s: string[]) => s?.join(', ') },
        ]}
      />
      {p && (
        <Card title={`${p.name} (${p.id})`}>
          <Tabs
            items={[
              { key: 'env', label: t('roam.envelopes'), children: <Envelopes partnerId={p.id} /> },
              { key: 'outbox', label: t('roam.outbox'), children: <Outbox /> },
              // the keys are write-only and only an admin may write them (PUT /partners/{id}): staff do not see the form
              ...(isStaff() ? [] : [{ key: 'keys', label: t('roam.keys'), children: <Keys partner={p} onSaved={partners.reload} /> }]),
            ]}
          />
        </Card>
      )}
      {!p && <Outbox />}
    </Space>
  );
}

function Envelopes({ partnerId }: { partnerId: string }) {
  const { t } = useTranslation();
  const [dir, setDir] = useState<string>('');
  const env = useApi<{ items: any[] }>(`/partners/${encodeURIComponent(partnerId)}/envelopes${qs({ direction: dir, limit: 100 })}`);
  return (
    <>
      <Segmented value={dir} onChange={(v) => setDir(v as string)} options={[{ value: '', label: t('common.all') }, { value: 'in', label: t('msg.in') }, { value: 'out', label: t('msg.out') }]} />
      <ApiErrorAlert error={env.error} />
      <Table
        style={{ marginTop: 12 }}
        size="small"
        rowKey="id"
        dataSource={env.data?.items ?? []}
        data-testid="envelopes"
        expandable={{
          expandedRowRender: (e: any) => (
            <Row gutter={12}>
              <Col span={12}>
                <Typography.Text strong>request · {t('roam.decrypted')}</Typography.Text>
                {json(e.request?.data)}
              </Col>
              <Col span={12}>
                <Typography.Text strong>response · {t('roam.decrypted')}</Typography.Text>
                {json(e.response?.data)}
              </Col>
            </Row>
          ),
        }}
        columns={[
          { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 165 },
          { title: t('msg.direction'), dataIndex: 'direction', render: (d: string) => <Tag color={d === 'in' ? 'blue' : 'purple'}>{t(d === 'in' ? 'msg.in' : 'msg.out')}</Tag> },
          { title: t('roam.interface'), dataIndex: 'interface' },
          { title: 'HTTP', dataIndex: 'httpStatus' },
          { title: t('roam.ret'), dataIndex: 'ret', render: (r: number | null) => (r === null ? '-' : <Tag color={r === 0 ? 'green' : 'red'}>{r}</Tag>) },
          { title: t('roam.lastError'), dataIndex: 'error', ellipsis: true },
        ]}
      />
    </>
  );
}

function Outbox() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string>('dead');
  const ob = useApi<{ items: any[] }>(`/outbox${qs({ status, limit: 100 })}`, { pollMs: 10000 });
  const retry = async (id: number) => {
    try {
      await post(`/outbox/${id}/retry`);
      message.success(t('common.saved'));
      ob.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const canRetry = session.me()?.role !== 'operator_staff';
  return (
    <>
      <Select
        value={status}
        onChange={setStatus}
        style={{ width: 160 }}
        options={[
          { value: 'dead', label: t('roam.deadLetters') },
          { value: 'pending', label: 'pending' },
          { value: 'delivered', label: 'delivered' },
          { value: '', label: t('common.all') },
        ]}
        data-testid="outbox-status"
      />
      <ApiErrorAlert error={ob.error} />
      <Table
        style={{ marginTop: 12 }}
        size="small"
        rowKey="id"
        dataSource={ob.data?.items ?? []}
        data-testid="outbox"
        expandable={{ expandedRowRender: (o: any) => json({ payload: o.payload, result: o.result }) }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: t('roam.topic'), dataIndex: 'topic' },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'dead' ? 'red' : s === 'delivered' ? 'green' : 'gold'}>{s}</Tag> },
          { title: t('roam.attempts'), render: (_: unknown, o: any) => `${o.attempts}/${o.maxAttempts}` },
          { title: t('roam.nextAt'), dataIndex: 'nextAttemptAt', render: fmtTime },
          { title: t('roam.lastError'), dataIndex: 'lastError', ellipsis: true },
          {
            title: '',
            render: (_: unknown, o: any) =>
              o.status === 'dead' && canRetry ? (
                <Button size="small" onClick={() => retry(o.id)} data-testid={`retry-${o.id}`}>
                  {t('common.retry')}
                </Button>
              ) : null,
          },
        ]}
      />
    </>
  );
}

function Keys({ partner, onSaved }: { partner: any; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = async (v: any) => {
    const pick = (side: 'inbound' | 'outbound') => {
      const s = v[side] ?? {};
      return s.operatorSecret && s.dataSecret && s.dataSecretIv && s.sigSecret ? s : undefined;
    };
    try {
      const { id, partnerOperatorId, operatorId, secrets, createdAt, updatedAt, ...rest } = partner;
      await put(`/partners/${encodeURIComponent(partner.id)}`, { ...rest, inbound: pick('inbound'), outbound: pick('outbound') });
      message.success(t('common.saved'));
      form.resetFields();
      onSaved();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const side = (k: 'inbound' | 'outbound') => (
    <Card size="small" title={k}>
      {(['operatorSecret', 'dataSecret', 'dataSecretIv', 'sigSecret'] as const).map((f) => (
        <Form.Item key={f} name={[k, f]} label={f}>
          <Input.Password autoComplete="new-password" placeholder="••••••••" visibilityToggle={false} />
        </Form.Item>
      ))}
    </Card>
  );
  return (
    <>
      <Descriptions size="small" column={2} style={{ marginBottom: 12 }}>
        <Descriptions.Item label="inbound">{partner.secrets?.inbound}</Descriptions.Item>
        <Descriptions.Item label="outbound">{partner.secrets?.outbound}</Descriptions.Item>
      </Descriptions>
      <Alert type="info" showIcon message={t('roam.keysHint')} style={{ marginBottom: 12 }} />
      <Form form={form} layout="vertical" onFinish={save}>
        <Row gutter={12}>
          <Col span={12}>{side('inbound')}</Col>
          <Col span={12}>{side('outbound')}</Col>
        </Row>
        <Button type="primary" htmlType="submit" style={{ marginTop: 12 }}>
          {t('common.save')}
        </Button>
      </Form>
    </>
  );
}
