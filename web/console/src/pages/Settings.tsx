import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { get, put, session } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { CorrectionLimit } from '../components/CorrectionLimit.tsx';
import { fmtTime } from '../format.ts';

const CHANNELS = ['sms', 'wechat', 'webhook'];

export function Settings({ operatorId }: { operatorId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const n = useApi<{ events: Record<string, { enabled: boolean; channels: string[]; isDefault?: boolean }> }>('/settings/notifications');
  const [events, setEvents] = useState<Record<string, { enabled: boolean; channels: string[] }>>({});
  useEffect(() => {
    if (n.data) setEvents(Object.fromEntries(Object.entries(n.data.events).map(([k, v]) => [k, { enabled: v.enabled, channels: v.channels }])));
  }, [n.data]);
  const url = useApi<{ publicBaseUrl: string; ok: boolean; checkedAt: string | null; message: string }>('/settings/public-url');
  const [brand, setBrand] = useState<any>(null);
  useEffect(() => {
    get(`/public/operators/${encodeURIComponent(operatorId)}/brand`).then(setBrand).catch(() => {});
  }, [operatorId]);
  const canEdit = session.me()?.role !== 'operator_staff';
  const save = async () => {
    try {
      await put('/settings/notifications', { events });
      message.success(t('common.saved'));
      n.reload();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const refresh = async () => {
    try {
      url.setData(await get('/settings/public-url?refresh=true'));
    } catch (e) {
      message.error((e as Error).message);
    }
  };
  const h5 = url.data ? `${url.data.publicBaseUrl}/h5/${operatorId}` : '';
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('set.notifications')} extra={canEdit && <Button type="primary" onClick={save} data-testid="notify-save">{t('common.save')}</Button>}>
        <ApiErrorAlert error={n.error} />
        <Table
          size="small"
          rowKey="event"
          pagination={false}
          data-testid="notify-settings"
          dataSource={Object.entries(events).map(([event, v]) => ({ event, ...v }))}
          columns={[
            { title: t('set.event'), dataIndex: 'event', render: (e: string) => t(`evt.${e}`, { defaultValue: e }) },
            {
              title: t('common.enabled'),
              dataIndex: 'enabled',
              render: (v: boolean, r: any) => <Switch checked={v} disabled={!canEdit} onChange={(c) => setEvents({ ...events, [r.event]: { ...events[r.event], enabled: c } })} data-testid={`notify-${r.event}`} />,
            },
            {
              title: t('set.channels'),
              dataIndex: 'channels',
              render: (v: string[], r: any) => (
                <Select
                  mode="multiple"
                  value={v}
                  disabled={!canEdit}
                  style={{ minWidth: 240 }}
                  options={CHANNELS.map((c) => ({ value: c, label: c }))}
                  onChange={(c) => setEvents({ ...events, [r.event]: { ...events[r.event], channels: c } })}
                />
              ),
            },
          ]}
        />
      </Card>
      <CorrectionLimit />
      <Card title={t('set.publicUrl')} extra={<Button onClick={refresh}>{t('common.refresh')}</Button>}>
        <ApiErrorAlert error={url.error} />
        {url.data && (
          <>
            <Alert type={url.data.ok ? 'success' : 'error'} showIcon message={url.data.ok ? t('set.ok') : t('set.bad')} description={url.data.message} data-testid="public-url-status" />
            <Descriptions size="small" column={1} style={{ marginTop: 12 }}>
              <Descriptions.Item label={t('set.publicUrl')}>{url.data.publicBaseUrl}</Descriptions.Item>
              <Descriptions.Item label={t('set.selfCheck')}>{fmtTime(url.data.checkedAt)}</Descriptions.Item>
              <Descriptions.Item label={t('set.h5Link')}>
                <Typography.Text copyable>{h5}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="QR">
                <Typography.Text code>{`${h5}?c={chargerId}&g={gun}`}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </>
        )}
      </Card>
      {brand && (
        <Card title={t('set.brand')}>
          <Space>
            <span style={{ display: 'inline-block', width: 28, height: 28, borderRadius: 6, background: brand.color }} />
            <b>{brand.name}</b>
            {brand.logo && <img src={brand.logo} alt="" style={{ height: 28 }} />}
            <Tag>{brand.color}</Tag>
            <Typography.Text type="secondary">settings.brand {'{'}name, logo, color{'}'}</Typography.Text>
          </Space>
        </Card>
      )}
    </Space>
  );
}
