import { App, Alert, Button, Card, Descriptions, Form, Input, Popconfirm, Space, Table, Tabs, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { del, post, session } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { fmtTime } from '../../format.ts';
import { Departments } from './Departments.tsx';
import { Members } from './Members.tsx';
import { Statement } from './Statement.tsx';

/** One enterprise: its account, department tree, members, statements, ledger and (operator admins) its admins. */
export function EnterpriseDetail({ params }: { params: { id: string } }) {
  const { t } = useTranslation();
  const id = params.id;
  const e = useApi<any>(`/enterprises/${encodeURIComponent(id)}`);
  const role = session.me()?.role;
  const operatorAdmin = role === 'operator_admin' || role === 'platform_admin';
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiErrorAlert error={e.error} />
      {e.data && (
        <Card title={<span data-testid="enterprise-title">{e.data.name}</span>}>
          <Descriptions size="small" column={4}>
            <Descriptions.Item label={t('ent.id')}>{e.data.id}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>
              <Tag color={e.data.status === 'active' ? 'green' : 'red'}>{t(`ent.status.${e.data.status}`)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('ent.balance')}>{e.data.balance}</Descriptions.Item>
            <Descriptions.Item label={t('ent.available')}>
              <b>{e.data.available}</b>
            </Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <Tabs
        destroyOnHidden
        items={[
          { key: 'departments', label: t('ent.tab.departments'), children: <Departments enterpriseId={id} /> },
          { key: 'members', label: t('ent.tab.members'), children: <Members enterpriseId={id} /> },
          { key: 'statement', label: t('ent.tab.statement'), children: <Statement enterpriseId={id} /> },
          { key: 'ledger', label: t('ent.tab.ledger'), children: <Ledger enterpriseId={id} /> },
          ...(operatorAdmin ? [{ key: 'admins', label: t('ent.tab.admins'), children: <Admins enterpriseId={id} /> }] : []),
        ]}
      />
    </Space>
  );
}

function Ledger({ enterpriseId }: { enterpriseId: string }) {
  const l = useApi<{ items: any[] }>(`/enterprises/${encodeURIComponent(enterpriseId)}/ledger?pageSize=50`);
  const { t } = useTranslation();
  return (
    <Card>
      <ApiErrorAlert error={l.error} />
      <Table
        size="small"
        rowKey={(r: any) => `${r.transactionId ?? r.id}-${r.at ?? r.createdAt}`}
        loading={l.loading}
        dataSource={l.data?.items ?? []}
        columns={[
          { title: t('ent.st.time'), dataIndex: 'at', render: (v: string, r: any) => fmtTime(v ?? r.createdAt) },
          { title: t('ent.st.kind'), dataIndex: 'cause' },
          { title: t('ent.st.amount'), dataIndex: 'amount', align: 'right' as const },
          { title: t('ent.balance'), dataIndex: 'balanceAfter', align: 'right' as const },
          { title: 'remark', dataIndex: 'remark' },
        ]}
      />
    </Card>
  );
}

function Admins({ enterpriseId }: { enterpriseId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const base = `/enterprises/${encodeURIComponent(enterpriseId)}/admins`;
  const list = useApi<{ items: any[] }>(base);
  const [form] = Form.useForm();
  const run = async (f: () => Promise<unknown>) => {
    try {
      await f();
      form.resetFields();
      list.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Card>
      <Alert type="info" showIcon message={t('ent.admin.hint')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="inline" onFinish={(v) => run(() => post(base, v))} style={{ marginBottom: 16 }}>
        <Form.Item name="username" rules={[{ required: true }]}>
          <Input placeholder={t('ent.admin.username')} data-testid="ent-admin-username" />
        </Form.Item>
        <Form.Item name="password" rules={[{ required: true, min: 8 }]}>
          <Input.Password placeholder={t('ent.admin.password')} data-testid="ent-admin-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="ent-admin-add">
          {t('ent.admin.add')}
        </Button>
      </Form>
      <Table
        size="small"
        rowKey="username"
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('ent.admin.username'), dataIndex: 'username' },
          { title: t('ent.member.joinedAt'), dataIndex: 'createdAt', render: fmtTime },
          {
            title: t('common.actions'),
            render: (_: unknown, r: any) => (
              <Popconfirm title="?" onConfirm={() => run(() => del(`${base}/${encodeURIComponent(r.username)}`))}>
                <Button size="small" type="link" danger>
                  {t('ent.dept.delete')}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}
