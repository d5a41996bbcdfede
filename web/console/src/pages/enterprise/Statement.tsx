import { useState } from 'react';
import { App, Button, Card, DatePicker, Descriptions, Space, Table, Tag } from 'antd';
import dayjs from 'dayjs';
import { fmtIn, pickerNow } from '../../zone.ts';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { download } from '../../api.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';

/** The monthly statement: totals, per department, and every order and correction line; CSV / XLSX / PDF export; the statements issued on the 1st. */
export function Statement({ enterpriseId }: { enterpriseId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [month, setMonth] = useState(() => pickerNow().format('YYYY-MM'));
  const base = `/enterprises/${encodeURIComponent(enterpriseId)}/statement`;
  const st = useApi<any>(`${base}?month=${month}`);
  const money = ['sharp', 'peak', 'flat', 'valley', 'idleFee', 'other'].map((k) => ({
    title: t(`ent.st.${k === 'idleFee' ? 'idle' : k}`),
    dataIndex: k,
    align: 'right' as const,
  }));
  const exp = (f: 'csv' | 'xlsx' | 'pdf') => download(`${base}/export?month=${month}&format=${f}`, `statement-${enterpriseId}-${month}.${f}`).catch((e) => message.error(t('common.failed', { msg: e.message })));
  const tot = st.data?.totals;
  // statements issued on the 1st for the month before, kept as issued
  const issued = useApi<{ items: any[] }>(`/enterprises/${encodeURIComponent(enterpriseId)}/statements`);
  const getIssued = (m: string, f: 'csv' | 'xlsx' | 'pdf') =>
    download(`/enterprises/${encodeURIComponent(enterpriseId)}/statements/${m}?format=${f}`, `statement-${enterpriseId}-${m}.${f}`).catch((e) => message.error(t('common.failed', { msg: e.message })));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Space wrap>
          <span>{t('ent.st.month')}</span>
          <DatePicker picker="month" allowClear={false} value={dayjs(`${month}-01`)} onChange={(d) => d && setMonth(d.format('YYYY-MM'))} data-testid="statement-month" />
          <Button onClick={() => exp('csv')} data-testid="statement-csv">
            CSV
          </Button>
          <Button onClick={() => exp('xlsx')} data-testid="statement-xlsx">
            XLSX
          </Button>
          <Button onClick={() => exp('pdf')} data-testid="statement-pdf">
            PDF
          </Button>
          {st.data && <Tag>{st.data.timeZone}</Tag>}
        </Space>
      </Card>
      <ApiErrorAlert error={st.error} />
      <Card title={t('ent.st.issued')} size="small">
        <Table
          size="small"
          rowKey="month"
          loading={issued.loading}
          pagination={false}
          dataSource={issued.data?.items ?? []}
          data-testid="statement-issued"
          locale={{ emptyText: t('ent.st.issuedNone') }}
          columns={[
            { title: t('ent.st.month'), dataIndex: 'month' },
            { title: t('ent.st.issuedAt'), dataIndex: 'issuedAt', render: (v: string) => fmtIn(v, 'YYYY-MM-DD HH:mm') },
            { title: t('ent.st.sessions'), dataIndex: 'sessions', align: 'right' as const },
            { title: t('ent.st.corrections'), dataIndex: 'corrections', align: 'right' as const },
            { title: t('ent.st.amount'), dataIndex: 'amount', align: 'right' as const, render: (v: string) => <b>{v}</b> },
            {
              title: '',
              key: 'files',
              render: (_: unknown, r: any) => (
                <Space>
                  {(['pdf', 'xlsx', 'csv'] as const).map((f) => (
                    <Button key={f} size="small" onClick={() => getIssued(r.month, f)} data-testid={`issued-${r.month}-${f}`}>
                      {f.toUpperCase()}
                    </Button>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {tot && (
        <Card title={t('ent.st.total')}>
          <Descriptions size="small" column={4} data-testid="statement-totals">
            <Descriptions.Item label={t('ent.st.amount')}>
              <b data-testid="statement-total">{tot.amount}</b>
            </Descriptions.Item>
            <Descriptions.Item label={t('ent.st.sessions')}>{tot.sessions}</Descriptions.Item>
            <Descriptions.Item label={t('ent.st.corrections')}>{tot.corrections}</Descriptions.Item>
            <Descriptions.Item label={t('ent.st.energy')}>{tot.energyKwh}</Descriptions.Item>
            {money.map((m) => (
              <Descriptions.Item key={m.dataIndex} label={m.title}>
                {tot[m.dataIndex]}
              </Descriptions.Item>
            ))}
          </Descriptions>
        </Card>
      )}
      <Card title={t('ent.st.byDept')}>
        <Table
          size="small"
          rowKey="departmentId"
          loading={st.loading}
          pagination={false}
          dataSource={(st.data?.departments ?? []).map((d: any) => ({ ...d, ...d.totals }))}
          data-testid="statement-departments"
          columns={[
            { title: t('ent.member.department'), dataIndex: 'path', render: (p: string, r: any) => (r.deleted ? `${p} (${t('ent.st.deleted')})` : p) },
            { title: t('ent.st.sessions'), dataIndex: 'sessions', align: 'right' as const },
            { title: t('ent.st.energy'), dataIndex: 'energyKwh', align: 'right' as const },
            ...money,
            { title: t('ent.st.amount'), dataIndex: 'amount', align: 'right' as const, render: (v: string) => <b>{v}</b> },
          ]}
        />
      </Card>
      <Card title={t('ent.st.lines')}>
        <Table
          size="small"
          rowKey={(l: any) => `${l.orderNo}#${l.version}`}
          loading={st.loading}
          dataSource={st.data?.lines ?? []}
          scroll={{ x: 'max-content' }}
          data-testid="statement-lines"
          columns={[
            { title: t('ent.st.kind'), dataIndex: 'kind', render: (k: string) => <Tag color={k === 'correction' ? 'orange' : 'blue'}>{t(`ent.st.kind.${k}`)}</Tag> },
            { title: t('ent.st.orderNo'), dataIndex: 'orderNo' },
            { title: t('ent.st.time'), dataIndex: 'localTime' },
            { title: t('ent.member.department'), dataIndex: 'department' },
            { title: t('ent.member.phone'), dataIndex: 'phone' },
            { title: t('ent.st.energy'), dataIndex: 'energyKwh', align: 'right' as const },
            ...money,
            { title: t('ent.st.amount'), dataIndex: 'amount', align: 'right' as const, render: (v: string) => <b>{v}</b> },
          ]}
        />
      </Card>
    </Space>
  );
}
