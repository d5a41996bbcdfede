import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Upload } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { del, download, patch, post, ApiError } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { ApiTable } from '../../components/ApiTable.tsx';
import { fmtTime } from '../../format.ts';
import { LimitsButton, UsageCell } from './Usage.tsx';

/** Members of live departments, with add / move / remove and the bulk import (preview, then all or nothing). */
export function Members({ enterpriseId }: { enterpriseId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const base = `/enterprises/${encodeURIComponent(enterpriseId)}`;
  const [dept, setDept] = useState<number | undefined>();
  const members = useApi<{ items: any[] }>(`${base}/members${dept ? `?departmentId=${dept}` : ''}`);
  const depts = useApi<{ flat: { id: number; path: string }[] }>(`${base}/departments`);
  const options = (depts.data?.flat ?? []).map((d) => ({ value: d.id, label: d.path }));
  const [adding, setAdding] = useState(false);
  const [moving, setMoving] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const [form] = Form.useForm();
  const run = async (f: () => Promise<unknown>) => {
    try {
      await f();
      (setAdding(false), setMoving(null), form.resetFields());
      members.reload();
      depts.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <ApiTable
      api={members}
      title={
        <Select allowClear style={{ minWidth: 260 }} placeholder={t('ent.member.department')} options={options} value={dept} onChange={setDept} data-testid="members-dept-filter" />
      }
      extra={
        <Space>
          <Button onClick={() => setImporting(true)} data-testid="members-import">
            {t('ent.import')}
          </Button>
          <Button type="primary" onClick={() => setAdding(true)} data-testid="member-add">
            {t('ent.member.add')}
          </Button>
        </Space>
      }
      rowKey="phone"
      data-testid="members-table"
      columns={[
        { title: t('ent.member.phone'), dataIndex: 'phone' },
        { title: t('ent.member.name'), dataIndex: 'name', render: (v: string | null) => v ?? '-' },
        { title: t('ent.member.department'), dataIndex: 'departmentName' },
        { title: t('ent.member.joinedAt'), dataIndex: 'joinedAt', render: fmtTime },
        { title: t('ent.usage.title'), key: 'usage', render: (_: unknown, r: any) => <UsageCell u={r} testId={`usage-${r.phone}`} /> },
        {
          title: t('common.actions'),
          render: (_: unknown, r: any) => (
            <Space>
              <LimitsButton path={`${base}/members/${encodeURIComponent(r.phone)}/limits`} u={r} onDone={() => (members.reload(), depts.reload())} testId={`limits-${r.phone}`} />
              <Button size="small" type="link" onClick={() => (setMoving(r.phone), form.setFieldsValue({ departmentId: r.departmentId }))}>
                {t('ent.member.move')}
              </Button>
              <Popconfirm title={t('ent.member.removeConfirm')} onConfirm={() => run(() => del(`${base}/members/${encodeURIComponent(r.phone)}`))}>
                <Button size="small" type="link" danger>
                  {t('ent.member.remove')}
                </Button>
              </Popconfirm>
            </Space>
          ),
        },
      ]}
    >
      <Modal
        open={adding || !!moving}
        title={moving ? `${t('ent.member.move')} ${moving}` : t('ent.member.add')}
        onCancel={() => (setAdding(false), setMoving(null))}
        onOk={() => form.submit()}
        okButtonProps={{ 'data-testid': 'member-save' } as any}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(v: { phone?: string; departmentId: number }) =>
            run(() => (moving ? patch(`${base}/members/${encodeURIComponent(moving)}`, { departmentId: v.departmentId }) : post(`${base}/members`, { phone: v.phone!.trim(), departmentId: v.departmentId })))
          }
        >
          {!moving && (
            <Form.Item name="phone" label={t('ent.member.phone')} rules={[{ required: true }]}>
              <Input data-testid="member-phone" />
            </Form.Item>
          )}
          <Form.Item name="departmentId" label={t('ent.member.department')} rules={[{ required: true }]}>
            <Select options={options} data-testid="member-dept" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={importing} title={t('ent.import')} width={760} footer={null} onCancel={() => (setImporting(false), members.reload())} destroyOnHidden>
        <MemberImport base={base} onDone={() => (setImporting(false), members.reload(), depts.reload())} />
      </Modal>
    </ApiTable>
  );
}

const toBase64 = (buf: ArrayBuffer) => {
  let s = '';
  const b = new Uint8Array(buf);
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};

function MemberImport({ base, onDone }: { base: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [fmt, setFmt] = useState<'csv' | 'xlsx'>('csv');
  const [file, setFile] = useState<{ format: 'csv' | 'xlsx'; content: string; name: string } | null>(null);
  const [result, setResult] = useState<{ rows: number; errors: { row: number; column?: string; message: string }[] } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const send = async (apply: boolean) => {
    if (!file) return;
    setError(null);
    try {
      const r = await post<{ rows: number; errors: any[]; applied?: number }>(`${base}/members/import`, { format: file.format, content: file.content, apply });
      setResult(r);
      if (apply) (message.success(t('ent.import.done', { n: r.applied ?? r.rows })), onDone());
    } catch (e) {
      const d = (e as ApiError).details as any;
      if (d?.errors) setResult({ rows: d.rows, errors: d.errors });
      else setError(e as ApiError);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Radio.Group value={fmt} onChange={(e) => setFmt(e.target.value)} options={[{ value: 'csv', label: 'CSV' }, { value: 'xlsx', label: 'XLSX' }]} />
        <Button onClick={() => download(`${base}/members/import-template?format=${fmt}`, `members-template.${fmt}`)} data-testid="import-template">
          {t('ent.import.template')}
        </Button>
      </Space>
      <Upload
        accept=".csv,.xlsx"
        maxCount={1}
        showUploadList={false}
        beforeUpload={async (f) => {
          const xlsx = f.name.toLowerCase().endsWith('.xlsx');
          setFile({ format: xlsx ? 'xlsx' : 'csv', content: xlsx ? toBase64(await f.arrayBuffer()) : await f.text(), name: f.name });
          setResult(null);
          return false;
        }}
      >
        <Button data-testid="import-file">{file?.name ?? t('ent.import.file')}</Button>
      </Upload>
      <Space>
        <Button disabled={!file} onClick={() => send(false)} data-testid="import-preview">
          {t('ent.import.preview')}
        </Button>
        <Button type="primary" disabled={!file || !result || result.errors.length > 0} onClick={() => send(true)} data-testid="import-apply">
          {t('ent.import.apply')}
        </Button>
      </Space>
      <ApiErrorAlert error={error} />
      {result && (
        <Alert
          type={result.errors.length ? 'error' : 'success'}
          showIcon
          message={`${t('ent.import.rows', { n: result.rows })} · ${result.errors.length ? t('ent.import.errors', { n: result.errors.length }) : t('ent.import.ok')}`}
          data-testid="import-result"
        />
      )}
      {!!result?.errors.length && (
        <Table
          size="small"
          rowKey={(e) => `${e.row}-${e.column}-${e.message}`}
          dataSource={result.errors}
          pagination={{ pageSize: 10 }}
          data-testid="import-errors"
          columns={[
            { title: t('ent.import.row'), dataIndex: 'row', width: 120 },
            { title: t('ent.import.column'), dataIndex: 'column', width: 140 },
            { title: t('ent.import.message'), dataIndex: 'message' },
          ]}
        />
      )}
    </Space>
  );
}
