import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { DownloadOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { download, post, qs } from '../../api.ts';
import { useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { ApiTable, usePagedApi } from '../../components/ApiTable.tsx';
import { fmtTime } from '../../format.ts';
import { CASE_STATUSES, CaseStatusTag } from './caseStatus.tsx';

interface Filters {
  q?: string;
  status?: string;
  stationId?: string;
  days?: [Dayjs, Dayjs];
}

/** The case list: full-text search (Chinese too), filters, a new case by hand, a period's export. */
export function SupportCases() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const stations = useApi<{ items: { id: string; name: string }[] }>('/stations');
  const [f, setF] = useState<Record<string, string | undefined>>({});
  const list = usePagedApi('/support/cases', f);
  const [creating, setCreating] = useState(false);
  const [desc, setDesc] = useState('');
  const apply = (v: Filters) => {
    list.firstPage();
    setF({ q: v.q?.trim() || undefined, status: v.status, stationId: v.stationId, from: v.days?.[0].format('YYYY-MM-DD'), to: v.days?.[1].format('YYYY-MM-DD') });
  };
  const exp = (format: 'md' | 'xlsx') =>
    download(`/support/cases/export${qs({ ...f, format })}`, `cases.${format}`)
      .then((name) => message.success(t('order.exported', { name })))
      .catch((e) => message.error(t('common.failed', { msg: e.message })));
  const create = async () => {
    try {
      const c = await post<{ id: number }>('/support/cases', { description: desc });
      setCreating(false);
      navigate(`/support/cases/${c.id}`);
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Form layout="inline" onFinish={apply} style={{ rowGap: 12 }}>
          <Form.Item name="q">
            <Input allowClear placeholder={t('sup.case.search')} style={{ width: 260 }} data-testid="cases-q" />
          </Form.Item>
          <Form.Item name="status" label={t('common.status')}>
            <Select allowClear style={{ width: 120 }} options={CASE_STATUSES.map((s) => ({ value: s, label: t(`sup.cst.${s}`) }))} data-testid="cases-status" />
          </Form.Item>
          <Form.Item name="stationId" label={t('station')}>
            <Select allowClear style={{ width: 160 }} options={(stations.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
          <Form.Item name="days" label={t('sup.case.date')}>
            <DatePicker.RangePicker data-testid="cases-days" />
          </Form.Item>
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="cases-search">
              {t('common.search')}
            </Button>
            <Button icon={<PlusOutlined />} onClick={() => (setDesc(''), setCreating(true))} data-testid="cases-new">
              {t('sup.case.new')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => exp('md')} data-testid="cases-export-md">
              {t('sup.case.exportMd')}
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => exp('xlsx')} data-testid="cases-export-xlsx">
              {t('sup.case.exportXlsx')}
            </Button>
          </Space>
        </Form>
      </Card>
      <ApiTable
        api={list}
        rowKey="id"
        data-testid="cases-table"
        columns={[
          { title: t('sup.case.no'), dataIndex: 'caseNo', width: 220, render: (v: string, c: any) => <Typography.Link onClick={() => navigate(`/support/cases/${c.id}`)}>{v}</Typography.Link> },
          { title: t('common.status'), dataIndex: 'status', width: 90, render: (s: string) => <CaseStatusTag status={s} t={t} /> },
          { title: t('station'), dataIndex: 'stationName', width: 110 },
          { title: t('sup.case.description'), dataIndex: 'description', ellipsis: true },
          { title: t('sup.phone'), dataIndex: 'phoneMasked', width: 120, render: (v: string | null) => v ?? '-' },
          { title: t('sup.case.assignees'), dataIndex: 'assignees', width: 140, render: (v: string[]) => v.join('、') },
          { title: t('common.time'), dataIndex: 'updatedAt', width: 160, render: fmtTime },
        ]}
        pagination={list.pagination}
        />
      <Modal open={creating} title={t('sup.case.new')} onCancel={() => setCreating(false)} onOk={create} okButtonProps={{ 'data-testid': 'cases-new-ok' } as any}>
        <Input.TextArea rows={4} placeholder={t('sup.case.description')} value={desc} onChange={(e) => setDesc(e.target.value)} data-testid="cases-new-description" />
      </Modal>
    </Space>
  );
}
