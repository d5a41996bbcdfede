import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { operatorZone, pickerNow } from '../zone.ts';
import { instantOf, offsetLabel } from '../../../shared/zone.ts';
import { useApi } from '../hooks.ts';
import { ApiError, post, upload } from '../api.ts';
import { navigate } from '../router.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { Chart } from '../components/Chart.tsx';
import { fmtTime } from '../format.ts';

export const STATUS_COLOR: Record<string, string> = { running: 'processing', open: 'warning', closed: 'success', failed: 'error' };
const DIFF_CLASSES = ['missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate'];
export const differences = (counts: Record<string, number>) => DIFF_CLASSES.reduce((a, c) => a + (counts?.[c] ?? 0), 0);

/** Last month in the operator's time zone, the usual period (editable). */
function lastMonth() {
  const m = pickerNow().subtract(1, 'month');
  const at = (month: string) => `${month}-01T00:00:00${offsetLabel(instantOf(`${month}-01`, operatorZone()), operatorZone())}`;
  return { from: at(m.format('YYYY-MM')), to: at(m.add(1, 'month').format('YYYY-MM')) };
}

/** Statement problems (row, column, message) as the API reports them. */
export function Problems({ error }: { error: ApiError | null }) {
  const { t } = useTranslation();
  const probs = (error?.details as any)?.problems as { row: number; column: string; message: string }[] | undefined;
  if (!error) return null;
  if (!probs) return <ApiErrorAlert error={error} />;
  return (
    <Alert
      type="error"
      data-testid="rec-problems"
      message={t('rec.problems')}
      description={
        <Table size="small" rowKey={(r) => `${r.row}:${r.column}:${r.message}`} pagination={false} dataSource={probs} columns={[
          { title: t('rec.row'), dataIndex: 'row' },
          { title: t('rec.column'), dataIndex: 'column' },
          { title: '', dataIndex: 'message' },
        ]} />
      }
    />
  );
}

export function Reconciliation() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const runs = useApi<{ items: any[] }>('/reconciliations', { pollMs: 3000 });
  const partners = useApi<{ items: any[] }>('/partners');
  const monthly = useApi<{ items: any[] }>('/reconciliations/monthly');
  const [form] = Form.useForm();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);

  const start = async (withFile: boolean) => {
    const v = await form.validateFields();
    setBusy(true);
    setErr(null);
    try {
      let run: any;
      if (withFile) {
        const fd = new FormData();
        fd.set('partnerId', v.partnerId);
        fd.set('from', v.from);
        fd.set('to', v.to);
        fd.set('statement', file!, file!.name);
        run = await upload('/reconciliations/upload', fd);
      } else run = await post('/reconciliations', { partnerId: v.partnerId, from: v.from, to: v.to });
      message.success(t('rec.started', { id: run.id }));
      navigate(`/reconciliation/${run.id}`);
    } catch (e) {
      setErr(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const chart = useMemo(() => {
    const items = monthly.data?.items ?? [];
    const months = [...new Set(items.map((x) => x.month))].sort();
    const ps = [...new Set(items.map((x) => x.partnerId))];
    return {
      tooltip: { trigger: 'axis' },
      legend: { data: ps },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: t('rec.differences') },
      series: ps.map((p) => ({ name: p, type: 'bar', data: months.map((m) => items.find((x) => x.partnerId === p && x.month === m)?.differences ?? 0) })),
    };
  }, [monthly.data, t]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('rec.new')}>
        <Form form={form} layout="inline" initialValues={lastMonth()} data-testid="rec-form">
          <Form.Item name="partnerId" label={t('rec.partner')} rules={[{ required: true }]}>
            <Select style={{ width: 220 }} data-testid="rec-partner" options={(partners.data?.items ?? []).map((p) => ({ value: p.id, label: `${p.name} (${p.id})` }))} />
          </Form.Item>
          <Form.Item name="from" label={t('rec.from')} rules={[{ required: true }]}>
            <Input style={{ width: 240 }} data-testid="rec-from" />
          </Form.Item>
          <Form.Item name="to" label={t('rec.to')} rules={[{ required: true }]}>
            <Input style={{ width: 240 }} data-testid="rec-to" />
          </Form.Item>
        </Form>
        <Space style={{ marginTop: 12 }} wrap>
          <span>{t('rec.file')}</span>
          <input type="file" accept=".csv,.xlsx" data-testid="rec-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          <Button type="primary" disabled={!file} loading={busy} onClick={() => start(true)} data-testid="rec-upload">
            {t('rec.upload')}
          </Button>
          <Button loading={busy} onClick={() => start(false)} data-testid="rec-check">
            {t('rec.fromCheck')}
          </Button>
        </Space>
        <div style={{ marginTop: 8, color: '#888' }}>{t('rec.periodRule')}</div>
        <div style={{ marginTop: 12 }}>
          <Problems error={err} />
        </div>
      </Card>
      <Card title={t('rec.monthly')}>
        <Chart option={chart} height={260} testId="rec-monthly" />
      </Card>
      <Card title={t('rec.runs')}>
        <ApiErrorAlert error={runs.error} />
        <Table
          size="small"
          rowKey="id"
          data-testid="rec-runs"
          dataSource={runs.data?.items ?? []}
          onRow={(r) => ({ onClick: () => navigate(`/reconciliation/${r.id}`), style: { cursor: 'pointer' } })}
          columns={[
            { title: '#', dataIndex: 'id' },
            { title: t('rec.partner'), dataIndex: 'partnerId' },
            { title: t('rec.period'), render: (_: unknown, r: any) => `${fmtTime(r.from)} → ${fmtTime(r.to)}` },
            { title: t('rec.source'), dataIndex: 'source', render: (s: string) => t(`rec.source.${s}`) },
            { title: t('rec.status'), dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`rec.status.${s}`)}</Tag> },
            { title: t('rec.differences'), render: (_: unknown, r: any) => differences(r.counts) },
            { title: t('rec.stakeBefore'), dataIndex: 'stakeBeforeAmount' },
          ]}
        />
      </Card>
    </Space>
  );
}
