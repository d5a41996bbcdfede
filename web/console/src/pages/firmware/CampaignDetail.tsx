import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Row, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { post, session, type ApiError } from '../../api.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { fmtTime } from '../../format.ts';
import { CAMPAIGN_COLOR, WaveBar, targetText, type WaveProgress } from './Firmware.tsx';

const STATE_COLOR: Record<string, string> = { waiting: 'default', sent: 'processing', succeeded: 'success', failed: 'error' };

/** One campaign: its waves' progress, pause/resume, every charger's state with a retry. */
export function CampaignDetail({ params }: { params: { id: string } }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const c = useApi<any>(`/firmware/campaigns/${encodeURIComponent(params.id)}`, { pollMs: 3000 });
  const [err, setErr] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const admin = session.me()?.role !== 'operator_staff';
  const x = c.data;
  const act = async (what: string, path: string) => {
    setBusy(what);
    setErr(null);
    try {
      c.setData(await post(path));
      message.success(t(`fw.${what}`));
    } catch (e) {
      setErr(e as ApiError);
    } finally {
      setBusy(null);
    }
  };
  if (!x) return <ApiErrorAlert error={c.error} />;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card
        title={`${t('fw.campaigns')} #${x.id}`}
        extra={
          admin && (
            <Space>
              {x.status === 'running' && (
                <Button loading={busy === 'pause'} onClick={() => act('pause', `/firmware/campaigns/${x.id}/pause`)} data-testid="fw-pause">
                  {t('fw.pause')}
                </Button>
              )}
              {(x.status === 'paused' || x.status === 'halted') && (
                <Button type="primary" loading={busy === 'resume'} onClick={() => act('resume', `/firmware/campaigns/${x.id}/resume`)} data-testid="fw-resume">
                  {t('fw.resume')}
                </Button>
              )}
            </Space>
          )
        }
      >
        <ApiErrorAlert error={err} />
        {x.haltedReason && <Alert type={x.status === 'halted' ? 'error' : 'info'} showIcon style={{ marginBottom: 16 }} message={x.haltedReason} data-testid="fw-halted-reason" />}
        <Descriptions bordered size="small" column={{ xs: 1, md: 2, xl: 3 }}>
          <Descriptions.Item label={t('fw.status')}>
            <Tag color={CAMPAIGN_COLOR[x.status]} data-testid="fw-status">
              {t(`fw.status.${x.status}`)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('fw.file')}>{`${x.file.name} → ${x.file.version}`}</Descriptions.Item>
          <Descriptions.Item label="SHA-256">
            <code style={{ fontSize: 11 }}>{x.file.sha256}</code>
          </Descriptions.Item>
          <Descriptions.Item label={t('fw.target')}>{targetText(x.target, t)}</Descriptions.Item>
          <Descriptions.Item label={t('fw.waves')}>{x.waves.join(' %, ')} %</Descriptions.Item>
          <Descriptions.Item label={t('fw.threshold')}>{x.failureThreshold} %</Descriptions.Item>
          <Descriptions.Item label={t('fw.currentWave')}>{x.currentWave}</Descriptions.Item>
          <Descriptions.Item label={t('common.time')}>{fmtTime(x.createdAt)}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Row gutter={[16, 16]} data-testid="fw-waves-progress">
        {x.progress.map((w: WaveProgress) => (
          <Col key={w.wave} xs={24} md={8}>
            <Card size="small" title={t('fw.wave', { n: w.wave })} style={w.wave === x.currentWave ? { borderColor: '#1677ff' } : undefined}>
              <WaveBar w={w} />
              <div data-testid={`fw-wave-${w.wave}`}>{t('fw.waveFigures', { s: w.succeeded, f: w.failed, p: w.inProgress, t: w.total })}</div>
            </Card>
          </Col>
        ))}
      </Row>
      <Card title={t('fw.chargers')}>
        <Table
          size="small"
          rowKey="chargerId"
          data-testid="fw-chargers"
          dataSource={x.chargers}
          pagination={{ pageSize: 50 }}
          columns={[
            { title: t('inc.charger'), dataIndex: 'chargerId', render: (id: string) => <a onClick={() => navigate(`/chargers/${encodeURIComponent(id)}`)}>{id}</a> },
            { title: t('fw.wave', { n: '' }).trim(), dataIndex: 'wave', width: 80 },
            { title: t('fw.state'), dataIndex: 'state', render: (s: string) => <Tag color={STATE_COLOR[s] ?? 'processing'}>{t(`fw.state.${s}`, { defaultValue: s })}</Tag> },
            { title: t('fw.fromVersion'), dataIndex: 'fromVersion' },
            { title: t('fw.attempts'), dataIndex: 'attempts', width: 90 },
            { title: t('fw.lastError'), dataIndex: 'lastError', render: (e: string | null) => e ?? '' },
            { title: t('common.time'), dataIndex: 'updatedAt', render: fmtTime },
            ...(admin
              ? [
                  {
                    title: '',
                    render: (_: unknown, r: any) =>
                      r.state !== 'succeeded' && (
                        <Button size="small" loading={busy === 'retry'} onClick={() => act('retry', `/firmware/campaigns/${x.id}/chargers/${encodeURIComponent(r.chargerId)}/retry`)}>
                          {t('fw.retry')}
                        </Button>
                      ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
    </Space>
  );
}
