import { useMemo, useState } from 'react';
import { App, Button, Card, Descriptions, Input, Modal, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { ApiError, download, post, qs } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { Chart } from '../components/Chart.tsx';
import { fmtTime } from '../format.ts';
import { STATUS_COLOR } from './Reconciliation.tsx';

const CLASSES = ['matched', 'missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate'];
const ACTIONS = ['repush', 'accept_partner', 'write_off'] as const;

export function ReconciliationRun({ params }: { params: { id: string } }) {
  const id = params.id;
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [cls, setCls] = useState<string>('');
  const [resolved, setResolved] = useState<string>('');
  const path = `/reconciliations/${encodeURIComponent(id)}${qs({ class: cls, resolved, limit: 500 })}`;
  const run = useApi<any>(path, { pollMs: 2000 });
  const [acting, setActing] = useState<{ item: any; action: (typeof ACTIONS)[number] } | null>(null);
  const [note, setNote] = useState('');
  const [err, setErr] = useState<ApiError | null>(null);
  const r = run.data;

  const summary = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      xAxis: { type: 'category', data: CLASSES.map((c) => t(`rec.class.${c}`)) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: CLASSES.map((c) => r?.counts?.[c] ?? 0), label: { show: true, position: 'top' } }],
    }),
    [r?.counts, t],
  );

  const resolve = async () => {
    if (!acting) return;
    setErr(null);
    try {
      await post(`/reconciliations/${id}/items/${acting.item.id}/resolve`, { action: acting.action, note });
      message.success(t('rec.resolved'));
      setActing(null);
      setNote('');
      run.reload(true);
    } catch (e) {
      setErr(e as ApiError);
    }
  };

  if (!r) return <ApiErrorAlert error={run.error} />;
  const progress = r.progress as { phase?: string; stored?: number; total?: number };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={`#${r.id} · ${r.partnerId}`}
        extra={
          <Space>
            <Button onClick={() => download(`/reconciliations/${id}/export?format=csv`, `reconciliation-${id}.csv`)} data-testid="rec-export-csv">
              {t('rec.exportCsv')}
            </Button>
            <Button onClick={() => download(`/reconciliations/${id}/export?format=xlsx`, `reconciliation-${id}.xlsx`)} data-testid="rec-export-xlsx">
              {t('rec.exportXlsx')}
            </Button>
          </Space>
        }
      >
        <Descriptions size="small" column={3} data-testid="rec-run">
          <Descriptions.Item label={t('rec.status')}>
            <Tag color={STATUS_COLOR[r.status]} data-testid="rec-status">
              {t(`rec.status.${r.status}`)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('rec.period')}>
            {fmtTime(r.from)} → {fmtTime(r.to)}
          </Descriptions.Item>
          <Descriptions.Item label={t('rec.source')}>{t(`rec.source.${r.source}`)}</Descriptions.Item>
          <Descriptions.Item label={t('rec.agreed')}>{r.agreedAmount ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('rec.agreedEnergy')}>{r.agreedEnergyKwh ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('rec.writtenOff')}>{r.writtenOffAmount ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('rec.stakeBefore')}>
            <span data-testid="rec-stake-before">{r.stakeBeforeAmount ?? '-'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('rec.stakeAfter')}>
            <span data-testid="rec-stake-after">{r.stakeAfterAmount ?? '-'}</span>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary">{t('rec.periodRule')}</Typography.Text>
        {r.status === 'running' && (
          <div data-testid="rec-progress">
            {t('rec.progress')}: {progress.phase}
            <Progress percent={progress.total ? Math.round(((progress.stored ?? 0) * 100) / progress.total) : 0} />
          </div>
        )}
        {r.error && <ApiErrorAlert error={new ApiError(500, 'failed', r.error)} />}
      </Card>
      <Card title={t('rec.summary')}>
        <Chart option={summary} height={240} testId="rec-summary" />
      </Card>
      <Card
        title={t('rec.items')}
        extra={
          <Space>
            <Select style={{ width: 180 }} value={cls} onChange={setCls} data-testid="rec-class" options={[{ value: '', label: t('rec.allDiffs') }, ...CLASSES.map((c) => ({ value: c, label: t(`rec.class.${c}`) }))]} />
            <Select style={{ width: 140 }} value={resolved} onChange={setResolved} options={[{ value: '', label: t('common.all') }, { value: 'false', label: t('rec.status.open') }, { value: 'true', label: t('rec.resolved') }]} />
          </Space>
        }
      >
        <Table
          size="small"
          rowKey="id"
          data-testid="rec-items"
          dataSource={r.items ?? []}
          pagination={{ pageSize: 50 }}
          columns={[
            { title: t('rec.class'), dataIndex: 'class', render: (c: string) => <Tag>{t(`rec.class.${c}`)}</Tag> },
            { title: 'StartChargeSeq', dataIndex: 'startChargeSeq' },
            { title: t('order.no'), dataIndex: 'orderNo' },
            { title: t('rec.ours'), render: (_: unknown, i: any) => (i.ours ? `${i.ours.energyKwh} kWh / ${i.ours.totalAmount}` : '-') },
            { title: t('rec.theirs'), render: (_: unknown, i: any) => (i.theirs ? `${i.theirs.energyKwh} kWh / ${i.theirs.totalAmount}` : '-') },
            { title: t('rec.stake'), dataIndex: 'stakeAmount' },
            {
              title: t('rec.hint'),
              render: (_: unknown, i: any) => (
                <span style={{ fontSize: 12 }}>
                  {(i.hints ?? []).map((h: any) => (
                    <div key={h.code} title={h.message}>
                      {t(`rec.h.${h.code}`)}
                      {h.code === 'meter_differs' ? ` (${h.partnerWh} / ${h.meterWh} Wh)` : ''}
                    </div>
                  ))}
                  {(i.reasons ?? []).map((m: string) => (
                    <div key={m} style={{ color: '#888' }}>
                      {m}
                    </div>
                  ))}
                </span>
              ),
            },
            {
              title: t('rec.resolution'),
              render: (_: unknown, i: any) =>
                i.resolution ? (
                  <span data-testid={`rec-resolution-${i.id}`}>
                    {t(`rec.action.${i.resolution.action}`, i.resolution.action)} · {i.resolution.by} · {fmtTime(i.resolution.at)} · {i.resolution.note}
                  </span>
                ) : i.class === 'matched' ? null : (
                  <Space size={4}>
                    {ACTIONS.map((a) => (
                      <Button key={a} size="small" onClick={() => setActing({ item: i, action: a })} data-testid={`rec-${a}-${i.id}`}>
                        {t(`rec.action.${a}`)}
                      </Button>
                    ))}
                  </Space>
                ),
            },
          ]}
        />
      </Card>
      <Modal open={!!acting} title={acting ? `${t(`rec.action.${acting.action}`)} · ${acting.item.startChargeSeq ?? acting.item.id}` : ''} onOk={resolve} onCancel={() => setActing(null)} okButtonProps={{ disabled: !note.trim(), 'data-testid': 'rec-resolve-ok' } as any}>
        <Input.TextArea rows={3} placeholder={t('rec.note')} value={note} onChange={(e) => setNote(e.target.value)} data-testid="rec-note" />
        <ApiErrorAlert error={err} />
      </Modal>
    </Space>
  );
}
