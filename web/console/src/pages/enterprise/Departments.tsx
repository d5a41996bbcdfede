import { useState } from 'react';
import { App, Button, Card, Empty, Form, Input, Modal, Popconfirm, Select, Space, Tag, Tree } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { del, patch, post } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { LimitsButton, UsageCell, type Usage } from './Usage.tsx';

interface Node extends Usage {
  id: number;
  name: string;
  parentId: number | null;
  memberCount: number;
  children: Node[];
}

/** The department tree editor: add (top level or under a department), rename, move, delete a subtree; each department's caps and this month's usage of its subtree. */
export function Departments({ enterpriseId }: { enterpriseId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const base = `/enterprises/${encodeURIComponent(enterpriseId)}/departments`;
  const tree = useApi<{ tree: Node[]; flat: { id: number; path: string }[] }>(base);
  const [edit, setEdit] = useState<{ mode: 'add' | 'edit'; id?: number; parentId?: number | null; name?: string } | null>(null);
  const [form] = Form.useForm();
  const run = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setEdit(null);
      tree.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const open = (e: NonNullable<typeof edit>) => (setEdit(e), form.setFieldsValue({ name: e.name ?? '', parentId: e.parentId ?? null }));
  const submit = (v: { name: string; parentId: number | null }) =>
    run(() => (edit?.mode === 'add' ? post(base, { name: v.name.trim(), parentId: v.parentId ?? null }) : patch(`${base}/${edit!.id}`, { name: v.name.trim(), parentId: v.parentId ?? null })));
  const toData = (ns: Node[]): any[] =>
    ns.map((n) => ({
      key: n.id,
      title: (
        <Space data-testid={`dept-${n.name}`}>
          <span>{n.name}</span>
          <Tag>{t('ent.dept.members', { n: n.memberCount })}</Tag>
          <UsageCell u={n} testId={`dept-usage-${n.name}`} />
          <LimitsButton path={`${base}/${n.id}/limits`} u={n} onDone={tree.reload} testId={`dept-limits-${n.name}`} />
          <Button size="small" type="link" onClick={() => open({ mode: 'add', parentId: n.id })} data-testid={`dept-add-${n.name}`}>
            {t('ent.dept.addChild')}
          </Button>
          <Button size="small" type="link" onClick={() => open({ mode: 'edit', id: n.id, parentId: n.parentId, name: n.name })}>
            {t('ent.dept.rename')}
          </Button>
          <Popconfirm title={t('ent.dept.deleteConfirm')} onConfirm={() => run(() => del(`${base}/${n.id}`))}>
            <Button size="small" type="link" danger data-testid={`dept-delete-${n.name}`}>
              {t('ent.dept.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
      children: toData(n.children),
    }));
  return (
    <Card
      extra={
        <Button type="primary" onClick={() => open({ mode: 'add', parentId: null })} data-testid="dept-add">
          {t('ent.dept.add')}
        </Button>
      }
    >
      <ApiErrorAlert error={tree.error} />
      {tree.data && tree.data.tree.length === 0 ? (
        <Empty description={t('ent.dept.empty')} />
      ) : (
        <Tree blockNode defaultExpandAll key={JSON.stringify(tree.data?.flat ?? [])} selectable={false} treeData={toData(tree.data?.tree ?? [])} data-testid="dept-tree" />
      )}
      <Modal open={!!edit} title={edit?.mode === 'add' ? t('ent.dept.add') : t('ent.dept.rename')} onCancel={() => setEdit(null)} onOk={() => form.submit()} okButtonProps={{ 'data-testid': 'dept-save' } as any} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="name" label={t('ent.dept.name')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="dept-name" />
          </Form.Item>
          <Form.Item name="parentId" label={t('ent.dept.parent')}>
            <Select allowClear placeholder={t('ent.dept.root')} options={(tree.data?.flat ?? []).filter((d) => d.id !== edit?.id).map((d) => ({ value: d.id, label: d.path }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
