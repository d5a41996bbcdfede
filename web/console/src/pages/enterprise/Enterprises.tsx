import { useState } from 'react';
import { App, Button, Form, Input, Modal, Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { post, session } from '../../api.ts';
import { navigate } from '../../router.ts';
import { ApiTable } from '../../components/ApiTable.tsx';

/** The operator's enterprise customers (issue 18 point 7); an enterprise admin goes straight to its own. */
export function Enterprises() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi<{ items: any[] }>('/enterprises');
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const canCreate = ['operator_admin', 'platform_admin'].includes(session.me()?.role ?? '');
  const create = async (v: { id: string; name: string; creditLimit?: string; contact?: string }) => {
    try {
      await post('/enterprises', { ...v, creditLimit: v.creditLimit?.trim() || '0' });
      setCreating(false);
      form.resetFields();
      list.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiTable
        api={list}
        title={t('nav.enterprises')}
        extra={
        canCreate && (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="enterprise-new">
            {t('ent.new')}
          </Button>
        )
        }
        rowKey="id"
        data-testid="enterprises-table"
        pagination={false}
        onRow={(r) => ({ onClick: () => navigate(`/enterprises/${encodeURIComponent(r.id)}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('ent.id'), dataIndex: 'id' },
          { title: t('ent.name'), dataIndex: 'name' },
          { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={s === 'active' ? 'green' : 'red'}>{t(`ent.status.${s}`)}</Tag> },
          { title: t('ent.creditLimit'), dataIndex: 'creditLimit', align: 'right' as const },
          { title: t('ent.balance'), dataIndex: 'balance', align: 'right' as const },
          { title: t('ent.available'), dataIndex: 'available', align: 'right' as const, render: (v: string) => <b>{v}</b> },
          { title: t('ent.contact'), dataIndex: 'contact', render: (v: string | null) => v ?? '-' },
        ]}
      />
      <Modal open={creating} title={t('ent.new')} onCancel={() => setCreating(false)} onOk={() => form.submit()} okButtonProps={{ 'data-testid': 'enterprise-create' } as any} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={create}>
          <Form.Item name="id" label={t('ent.id')} rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,40}$/ }]}>
            <Input data-testid="enterprise-id" />
          </Form.Item>
          <Form.Item name="name" label={t('ent.name')} rules={[{ required: true }]}>
            <Input data-testid="enterprise-name" />
          </Form.Item>
          <Form.Item name="creditLimit" label={t('ent.creditLimit')} rules={[{ pattern: /^\d{1,9}(\.\d{1,2})?$/ }]}>
            <Input placeholder="0.00" />
          </Form.Item>
          <Form.Item name="contact" label={t('ent.contact')}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
