import { useState } from 'react';
import { App, Button, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { post, qs, session } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { fmtTime } from '../format.ts';

const STATES = ['pending', 'retrying', 'delivered', 'dead', 'cancelled'] as const;
const COLOR: Record<string, string> = { pending: 'blue', retrying: 'gold', delivered: 'green', dead: 'red', cancelled: 'default' };

const json = (v: unknown) => <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 260, overflow: 'auto' }}>{JSON.stringify(v, null, 2)}</pre>;

/**
 * The job view: every durable job and message of the operator (settlement of ended sessions,
 * partner pushes, notifications, payment queries, timers) with its state; dead letters are one
 * click away and an admin can put one back in the queue.
 */
export function Jobs() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [state, setState] = useState<string>('');
  const [topic, setTopic] = useState<string>('');
  const jobs = useApi<{ items: any[]; counts: Record<string, number>; topics: string[] }>(`/jobs${qs({ state: state || undefined, topic: topic || undefined, limit: 100 })}`, { pollMs: 5000 });
  const canRetry = session.me()?.role !== 'operator_staff';
  const retry = async (id: number) => {
    try {
      await post(`/outbox/${id}/retry`);
      message.success(t('common.saved'));
      jobs.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {t('jobs.title')}
      </Typography.Title>
      <Typography.Text type="secondary">{t('jobs.hint')}</Typography.Text>
      <Space size="large" data-testid="job-counts">
        {STATES.map((s) => (
          <a key={s} onClick={() => setState(s)} data-testid={`job-count-${s}`}>
            <Statistic title={t(`jobs.state.${s}`)} value={jobs.data?.counts?.[s] ?? 0} valueStyle={s === 'dead' && (jobs.data?.counts?.dead ?? 0) > 0 ? { color: '#cf1322' } : undefined} />
          </a>
        ))}
      </Space>
      <Space>
        <Select
          value={state}
          onChange={setState}
          style={{ width: 160 }}
          data-testid="job-state"
          options={[{ value: '', label: t('common.all') }, ...STATES.map((s) => ({ value: s, label: t(`jobs.state.${s}`) }))]}
        />
        <Select
          value={topic}
          onChange={setTopic}
          style={{ width: 220 }}
          data-testid="job-topic"
          options={[{ value: '', label: t('jobs.allTopics') }, ...(jobs.data?.topics ?? []).map((x) => ({ value: x, label: x }))]}
        />
      </Space>
      <ApiErrorAlert error={jobs.error} />
      <Table
        size="small"
        rowKey="id"
        dataSource={jobs.data?.items ?? []}
        data-testid="jobs"
        expandable={{ expandedRowRender: (o: any) => json({ payload: o.payload, result: o.result }) }}
        columns={[
          { title: '#', dataIndex: 'id', width: 80 },
          { title: t('jobs.topic'), dataIndex: 'topic' },
          { title: t('common.status'), dataIndex: 'state', render: (s: string) => <Tag color={COLOR[s]}>{t(`jobs.state.${s}`)}</Tag> },
          { title: t('jobs.attempts'), render: (_: unknown, o: any) => `${o.attempts}/${o.maxAttempts}` },
          { title: t('jobs.createdAt'), dataIndex: 'createdAt', render: fmtTime },
          { title: t('jobs.nextAt'), dataIndex: 'nextAttemptAt', render: (v: string | null) => (v ? fmtTime(v) : '—') },
          { title: t('jobs.deliveredAt'), dataIndex: 'deliveredAt', render: (v: string | null) => (v ? fmtTime(v) : '—') },
          { title: t('jobs.lastError'), dataIndex: 'lastError', ellipsis: true },
          {
            title: '',
            render: (_: unknown, o: any) =>
              o.state === 'dead' && canRetry ? (
                <Button size="small" onClick={() => retry(o.id)} data-testid={`job-retry-${o.id}`}>
                  {t('common.retry')}
                </Button>
              ) : null,
          },
        ]}
      />
    </Space>
  );
}
