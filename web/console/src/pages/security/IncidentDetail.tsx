import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { post, session, type ApiError } from '../../api.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { fenToYuan, fmtTime, whToKwh } from '../../format.ts';
import { INCIDENT_COLOR } from './Incidents.tsx';

/** The API's evidence links name the console's screens; a session opens as the support desk's story. */
export const consoleHref = (href: string) => href.replace(/^\/sessions\/(\d+)$/, '/support/session/$1');

/** Charger actions the API refuses to operator staff (routes.ts ADMIN_ACTIONS): not offered to them. */
const ADMIN_ONLY = new Set(['set_inoperative', 'quarantine', 'release']);
/** Actions that need text: a decision's note, a quarantine's reason. */
const NEEDS_NOTE = new Set(['confirm', 'dismiss', 'quarantine']);

export function IncidentDetail({ params }: { params: { id: string } }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const inc = useApi<any>(`/incidents/${encodeURIComponent(params.id)}`, { pollMs: 10000 });
  const [asking, setAsking] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const admin = session.me()?.role !== 'operator_staff';
  const x = inc.data;

  const run = async (action: string, text?: string) => {
    setBusy(true);
    setErr(null);
    try {
      await post(`/incidents/${x.id}/actions`, text === undefined ? { action } : { action, note: text });
      message.success(t('inc.done', { action: t(`inc.action.${action}`) }));
      setAsking(null);
      setNote('');
      await inc.reload(true);
    } catch (e) {
      setErr(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const click = (action: string) => (NEEDS_NOTE.has(action) ? (setNote(''), setErr(null), setAsking(action)) : run(action));

  if (!x) return <ApiErrorAlert error={inc.error} />;
  const actions = [
    ...(x.status === 'open' ? ['confirm', 'dismiss'] : []),
    'remote_stop',
    'set_inoperative',
    x.quarantine ? 'release' : 'quarantine',
  ].filter((a) => admin || !ADMIN_ONLY.has(a));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={`${t('inc.list')} #${x.id} · ${t(`inc.kind.${x.kind}`, { defaultValue: x.kind })}`}
        extra={
          <Space wrap data-testid="inc-actions">
            {actions.map((a) => (
              <Button key={a} danger={a === 'quarantine' || a === 'confirm'} loading={busy && asking === null} onClick={() => click(a)} data-testid={`inc-action-${a}`}>
                {t(`inc.action.${a}`)}
              </Button>
            ))}
          </Space>
        }
      >
        {x.quarantine && <Alert type="warning" showIcon style={{ marginBottom: 16 }} data-testid="inc-quarantine" message={t('inc.quarantined', { reason: x.quarantine.reason, by: x.quarantine.by })} />}
        {!admin && <Alert type="info" style={{ marginBottom: 16 }} message={t('inc.adminOnly')} />}
        <ApiErrorAlert error={err} />
        <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t('inc.status')}>
            <Tag color={INCIDENT_COLOR[x.status]} data-testid="inc-status">
              {t(`inc.status.${x.status}`)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('inc.charger')}>
            <a onClick={() => navigate(`/chargers/${encodeURIComponent(x.chargerId)}`)}>{x.chargerId}</a>
          </Descriptions.Item>
          <Descriptions.Item label={t('inc.connector')}>{x.connectorId ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('inc.station')}>{x.stationId ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('inc.session')}>{x.sessionId ? <a onClick={() => navigate(`/support/session/${x.sessionId}`)}>{x.sessionId}</a> : '-'}</Descriptions.Item>
          <Descriptions.Item label={t('inc.source')}>{t(`inc.source.${x.source}`)}</Descriptions.Item>
          <Descriptions.Item label={t('inc.span')} span={2}>{`${fmtTime(x.from)} → ${fmtTime(x.to)}`}</Descriptions.Item>
          <Descriptions.Item label={t('inc.unbilled')}>
            <span data-testid="inc-unbilled">{whToKwh(x.unbilledWh)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('inc.amount')}>{fenToYuan(x.estimatedAmount)}</Descriptions.Item>
          <Descriptions.Item label={t('inc.decidedBy')}>{x.decidedBy ? `${x.decidedBy} · ${fmtTime(x.decidedAt)}` : '-'}</Descriptions.Item>
          <Descriptions.Item label={t('inc.note')}>
            <span data-testid="inc-note">{x.note ?? '-'}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('inc.details')} span={3}>
            <Typography.Text code style={{ fontSize: 12 }}>
              {JSON.stringify(x.details)}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('inc.evidence')}>
        <Table
          size="small"
          rowKey={(r: any) => `${r.at}:${r.action}:${r.messageId ?? r.sessionId ?? ''}`}
          pagination={false}
          data-testid="inc-evidence"
          dataSource={x.evidence}
          columns={[
            { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 180 },
            { title: t('msg.action'), dataIndex: 'action' },
            { title: 'messageId', dataIndex: 'messageId', render: (m?: string) => m ?? '-' },
            {
              title: '',
              render: (_: unknown, r: any, i: number) => (
                <a onClick={() => navigate(consoleHref(r.href))} data-testid={`inc-evidence-link-${i}`}>
                  {r.messageId ? t('inc.evidence.open') : t('inc.evidence.session')}
                </a>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('inc.actions')}>
        <Table
          size="small"
          rowKey={(r: any) => `${r.at}:${r.action}`}
          pagination={false}
          data-testid="inc-history"
          dataSource={x.actions}
          columns={[
            { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 180 },
            { title: t('msg.action'), dataIndex: 'action', render: (a: string) => t(`inc.action.${a}`, { defaultValue: a }) },
            { title: t('inc.actor'), dataIndex: 'actor' },
            { title: t('inc.outcome'), dataIndex: 'outcome', render: (o: unknown) => <Typography.Text code style={{ fontSize: 12 }}>{JSON.stringify(o)}</Typography.Text> },
          ]}
        />
      </Card>
      <Modal
        open={asking !== null}
        title={asking ? t(`inc.action.${asking}`) : ''}
        okText={asking ? t(`inc.action.${asking}`) : ''}
        okButtonProps={{ disabled: !note.trim(), loading: busy, danger: asking === 'quarantine' || asking === 'confirm', ...({ 'data-testid': 'inc-action-ok' } as object) }}
        onOk={() => asking && run(asking, note.trim())}
        onCancel={() => setAsking(null)}
        destroyOnClose
      >
        <ApiErrorAlert error={err} />
        <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t(asking === 'quarantine' ? 'inc.reasonRequired' : 'inc.noteRequired')} data-testid="inc-note-input" />
      </Modal>
    </Space>
  );
}
