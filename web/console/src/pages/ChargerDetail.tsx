import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Descriptions, Form, Input, InputNumber, Radio, Row, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { get, post } from '../api.ts';
import { navigate } from '../router.ts';
import { StatusTag } from '../components/StatusTag.tsx';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { fmtTime } from '../format.ts';
import type { Charger } from './Stations.tsx';
import { RunningSessions } from '../components/RunningSessions.tsx';
import { isStaff } from '../roles.ts';
import { PrinterOutlined } from '@ant-design/icons';

/** The charger's histories (the OCPP gateway's API). */
export const CHARGER_API = {
  faults: (id: string) => `/chargers/${encodeURIComponent(id)}/status-history?limit=200`,
  connections: (id: string) => `/chargers/${encodeURIComponent(id)}/connections?limit=100`,
  messages: (id: string) => `/chargers/${encodeURIComponent(id)}/messages?limit=200`,
  security: (id: string) => `/chargers/${encodeURIComponent(id)}/security-events`,
};

export function ChargerDetail({ params }: { params: { id: string } }) {
  const { t } = useTranslation();
  const id = params.id;
  const c = useApi<Charger & Record<string, any>>(`/chargers/${encodeURIComponent(id)}`, { pollMs: 5000 });
  const stations = useApi<{ items: { id: string; name: string }[] }>('/stations');
  const ch = c.data;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Button onClick={() => navigate('/stations')}>← {t('common.back')}</Button>
      <ApiErrorAlert error={c.error} />
      {ch && (
        <Card
          title={<span style={{ fontFamily: 'monospace' }} data-testid="charger-title">{ch.id}</span>}
          extra={<Tag color={ch.connected ? 'green' : 'default'}>{ch.connected ? t('charger.online') : t('charger.offline')}</Tag>}
        >
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }}>
            <Descriptions.Item label={t('station')}>{stations.data?.items.find((x) => x.id === ch.stationId)?.name ?? ch.stationId}</Descriptions.Item>
            <Descriptions.Item label={t('charger.vendor')}>{ch.vendor ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('charger.model')}>{ch.model ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('charger.serial')}>{ch.serialNumber ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('charger.firmware')}>{ch.firmwareVersion ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('charger.lastSeen')}>{fmtTime(ch.lastSeenAt)}</Descriptions.Item>
            <Descriptions.Item label={t('charger.lastBoot')}>{fmtTime(ch.lastBootAt)}</Descriptions.Item>
          </Descriptions>
          <Table
            style={{ marginTop: 16 }}
            size="small"
            rowKey="connectorId"
            pagination={false}
            dataSource={ch.connectors}
            columns={[
              { title: t('charger.gun'), dataIndex: 'connectorId' },
              { title: t('charger.type'), dataIndex: 'type' },
              { title: t('charger.power'), dataIndex: 'maxPowerKw' },
              { title: t('common.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
              { title: t('charger.error'), dataIndex: 'errorCode' },
              { title: t('common.time'), dataIndex: 'statusAt', render: fmtTime },
            ]}
          />
        </Card>
      )}
      <RunningSessions chargerId={id} />
      <Card>
        <Tabs
          defaultActiveKey={new URLSearchParams(location.search).get('tab') ?? undefined}
          items={[
            { key: 'cmd', label: t('charger.commands'), children: <Commands id={id} connectors={ch?.connectors.map((k) => k.connectorId) ?? [1]} /> },
            { key: 'faults', label: t('charger.faults'), children: <Faults id={id} /> },
            { key: 'security', label: t('charger.security'), children: <History path={CHARGER_API.security(id)} kind="security" /> },
            { key: 'conn', label: t('charger.connections'), children: <History path={CHARGER_API.connections(id)} kind="connections" /> },
            { key: 'msg', label: t('charger.messages'), children: <History path={CHARGER_API.messages(id) + msgWindow()} kind="messages" highlight={new URLSearchParams(location.search).get('messageId')} /> },
            { key: 'qr', label: t('charger.qr'), children: <QrCodes id={id} /> },
          ]}
        />
      </Card>
    </Space>
  );
}

function Faults({ id }: { id: string }) {
  const { t } = useTranslation();
  const [only, setOnly] = useState(true);
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Switch checked={only} onChange={setOnly} data-testid="faults-only" />
        {t('charger.faultsOnly')}
      </Space>
      <History key={String(only)} path={`${CHARGER_API.faults(id)}${only ? '&faultsOnly=true' : ''}`} kind="faults" />
    </>
  );
}

/**
 * An incident's evidence link (?tab=msg&from=&to=&messageId=) opens that exchange (the CALL and its
 * answer); the window (charger time) is used only without a message id: the log is dated on receipt.
 */
function msgWindow(): string {
  const u = new URLSearchParams(location.search);
  const w = new URLSearchParams();
  if (u.get('messageId')) w.set('messageId', u.get('messageId')!);
  else for (const k of ['from', 'to']) if (u.get(k)) w.set(k, u.get(k)!);
  return w.toString() ? `&${w}` : '';
}

function History({ path, kind, highlight }: { path: string; kind: 'faults' | 'connections' | 'messages' | 'security'; highlight?: string | null }) {
  const { t } = useTranslation();
  const h = useApi<{ items: any[] }>(path);
  const cols: Record<string, any[]> = {
    faults: [
      { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 180 },
      { title: t('charger.gun'), dataIndex: 'connectorId', width: 70 },
      { title: t('common.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
      { title: t('charger.error'), dataIndex: 'errorCode', render: (e: string) => (e && e !== 'NoError' ? <Tag color="red">{e}</Tag> : e) },
      { title: t('msg.info'), render: (_: unknown, r: any) => [r.info, r.vendorErrorCode].filter(Boolean).join(' ') },
    ],
    connections: [
      { title: t('common.time'), dataIndex: 'connectedAt', render: fmtTime, width: 180 },
      { title: '↘', dataIndex: 'disconnectedAt', render: fmtTime, width: 180 },
      { title: 'IP', dataIndex: 'remoteAddress' },
      { title: t('msg.node'), dataIndex: 'nodeId', ellipsis: true },
      { title: t('order.reason'), render: (_: unknown, r: any) => [r.closeCode, r.reason].filter(Boolean).join(' ') },
    ],
    security: [
      { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 180 },
      { title: t('drv.kind'), dataIndex: 'kind', render: (k: string) => <Tag color="orange">{k}</Tag> },
      { title: 'IP', dataIndex: 'remoteAddress' },
      { title: t('msg.details'), dataIndex: 'details', render: (d: unknown) => <Typography.Text code style={{ fontSize: 12 }}>{JSON.stringify(d)}</Typography.Text> },
    ],
    messages: [
      { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 180 },
      { title: t('msg.direction'), dataIndex: 'direction', width: 70, render: (d: string) => <Tag color={d === 'in' ? 'blue' : 'purple'}>{t(d === 'in' ? 'msg.in' : 'msg.out')}</Tag> },
      { title: t('msg.action'), dataIndex: 'action', width: 170, render: (a: string, r: any) => a ?? ['', '', 'CALL', 'RESULT', 'ERROR'][r.messageType] ?? '-' },
      {
        title: t('msg.payload'),
        dataIndex: 'payload',
        render: (p: unknown, r: any) => (
          <Typography.Paragraph code ellipsis={{ rows: 2, expandable: true }} style={{ fontSize: 12, wordBreak: 'break-all', margin: 0 }}>
            {r.errorCode ? `${r.errorCode} ` : ''}
            {p === undefined || p === null ? r.raw ?? '' : JSON.stringify(p)}
          </Typography.Paragraph>
        ),
      },
    ],
  };
  return (
    <>
      <ApiErrorAlert error={h.error} />
      <Table size="small" rowKey={(r: any) => r.id ?? JSON.stringify(r)} loading={h.loading} dataSource={h.data?.items ?? []} columns={cols[kind]} pagination={{ pageSize: 20 }} data-testid={`history-${kind}`}
        onRow={(r: any) => (highlight && r.messageId === highlight ? { style: { background: '#fffbe6' }, 'data-testid': 'history-highlight' } as any : {})} />
    </>
  );
}

function Commands({ id, connectors }: { id: string; connectors: number[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [result, setResult] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const send = async (action: string, payload: unknown) => {
    setBusy(action);
    setResult(null);
    try {
      const r = await post(`/chargers/${encodeURIComponent(id)}/commands/${action}`, payload);
      setResult({ action, ...r });
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
      setResult({ action, error: (e as Error).message });
    } finally {
      setBusy(null);
    }
  };
  // Reset, availability and configuration changes need an admin (COMMAND_ROLES): staff do not see them
  const admin = !isStaff();
  const gunSelect = <Select style={{ width: 90 }} options={connectors.map((c) => ({ value: c, label: `#${c}` }))} />;
  return (
    <Row gutter={[16, 16]} data-testid="commands">
      <Col xs={24} lg={12}>
        <Card size="small" title={t('cmd.remoteStart')}>
          <Form layout="inline" initialValues={{ connectorId: connectors[0] }} onFinish={(v) => send('RemoteStartTransaction', { connectorId: v.connectorId, idTag: v.idTag })}>
            <Form.Item name="connectorId">{gunSelect}</Form.Item>
            <Form.Item name="idTag" rules={[{ required: true }]}>
              <Input placeholder={t('cmd.idTag')} />
            </Form.Item>
            <Button htmlType="submit" type="primary" loading={busy === 'RemoteStartTransaction'}>
              {t('cmd.send')}
            </Button>
          </Form>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card size="small" title={t('cmd.remoteStop')}>
          <Form layout="inline" onFinish={(v) => send('RemoteStopTransaction', { transactionId: v.transactionId })}>
            <Form.Item name="transactionId" rules={[{ required: true }]}>
              <InputNumber placeholder={t('cmd.transactionId')} style={{ width: 160 }} />
            </Form.Item>
            <Button htmlType="submit" loading={busy === 'RemoteStopTransaction'}>
              {t('cmd.send')}
            </Button>
          </Form>
        </Card>
      </Col>
      {admin && <Col xs={24} lg={12}>
        <Card size="small" title={t('cmd.reset')} data-testid="cmd-reset">
          <Space>
            <Button loading={busy === 'Reset'} onClick={() => send('Reset', { type: 'Soft' })}>
              {t('cmd.soft')}
            </Button>
            <Button danger onClick={() => send('Reset', { type: 'Hard' })}>
              {t('cmd.hard')}
            </Button>
          </Space>
        </Card>
      </Col>}
      <Col xs={24} lg={12}>
        <Card size="small" title={t('cmd.unlock')}>
          <Form layout="inline" initialValues={{ connectorId: connectors[0] }} onFinish={(v) => send('UnlockConnector', { connectorId: v.connectorId })}>
            <Form.Item name="connectorId">{gunSelect}</Form.Item>
            <Button htmlType="submit" loading={busy === 'UnlockConnector'}>
              {t('cmd.send')}
            </Button>
          </Form>
        </Card>
      </Col>
      {admin && <Col xs={24} lg={12}>
        <Card size="small" title={t('cmd.availability')} data-testid="cmd-availability">
          <Form layout="inline" initialValues={{ connectorId: 0, type: 'Operative' }} onFinish={(v) => send('ChangeAvailability', v)}>
            <Form.Item name="connectorId">
              <Select style={{ width: 110 }} options={[{ value: 0, label: t('charger') }, ...connectors.map((c) => ({ value: c, label: `#${c}` }))]} />
            </Form.Item>
            <Form.Item name="type">
              <Radio.Group options={[{ value: 'Operative', label: t('cmd.operative') }, { value: 'Inoperative', label: t('cmd.inoperative') }]} />
            </Form.Item>
            <Button htmlType="submit" loading={busy === 'ChangeAvailability'}>
              {t('cmd.send')}
            </Button>
          </Form>
        </Card>
      </Col>}
      <Col xs={24} lg={12}>
        <Card size="small" title={admin ? t('cmd.changeConfig') : t('cmd.getConfig')}>
          <Form layout="inline" onFinish={(v) => send('ChangeConfiguration', { key: v.key, value: String(v.value ?? '') })}>
            {admin && (
              <>
                <Form.Item name="key" rules={[{ required: true }]}>
                  <Input placeholder={t('cmd.key')} style={{ width: 180 }} />
                </Form.Item>
                <Form.Item name="value">
                  <Input placeholder={t('cmd.value')} style={{ width: 120 }} />
                </Form.Item>
                <Button htmlType="submit" loading={busy === 'ChangeConfiguration'} data-testid="cmd-change-config">
                  {t('cmd.send')}
                </Button>
              </>
            )}
            <Button style={{ marginLeft: admin ? 8 : 0 }} loading={busy === 'GetConfiguration'} onClick={() => send('GetConfiguration', {})}>
              {t('cmd.getConfig')}
            </Button>
          </Form>
        </Card>
      </Col>
      {result !== null && (
        <Col span={24}>
          <Card size="small" title={t('cmd.result')} data-testid="command-result">
            <pre style={{ margin: 0, maxHeight: 320, overflow: 'auto', fontSize: 12 }}>{JSON.stringify(result, null, 2)}</pre>
          </Card>
        </Col>
      )}
    </Row>
  );
}

/** Printable QR codes per gun; the URLs come from the server (PUBLIC_BASE_URL), never from this browser's host. */
function QrCodes({ id }: { id: string }) {
  const list = useApi<{ items: { connectorId: number; url: string; svg: string }[] }>(`/chargers/${encodeURIComponent(id)}/qr-codes`);
  const [svgs, setSvgs] = useState<Record<number, string>>({});
  useEffect(() => {
    for (const i of list.data?.items ?? [])
      get<string>(i.svg.replace(/^\/api\/v1/, ''))
        .then((svg) => setSvgs((m) => ({ ...m, [i.connectorId]: svg })))
        .catch(() => {});
  }, [list.data]);
  const { t } = useTranslation();
  const items = list.data?.items ?? [];
  return (
    <Row gutter={[16, 16]} className="qr-sheet">
      <ApiErrorAlert error={list.error} />
      <Col span={24} className="no-print">
        <Button icon={<PrinterOutlined />} onClick={() => printQr(id, items, svgs)} disabled={!items.length || items.some((i) => !svgs[i.connectorId])} data-testid="qr-print">
          {t('qr.print')}
        </Button>
      </Col>
      {items.map((i) => (
        <Col key={i.connectorId} xs={24} md={12} xl={8}>
          <Card size="small" title={`#${i.connectorId}`} data-testid={`qr-${i.connectorId}`}>
            {svgs[i.connectorId] && <img alt={i.url} style={{ width: 180, height: 180 }} src={`data:image/svg+xml;utf8,${encodeURIComponent(svgs[i.connectorId])}`} />}
            <Typography.Paragraph copyable style={{ fontFamily: 'monospace', fontSize: 12, marginTop: 8 }}>
              {i.url}
            </Typography.Paragraph>
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/**
 * A print sheet of the gun QR codes (issue 18.7): one label per gun (code, charger id, gun number, URL)
 * in a window of its own, so the console's menus and tables stay off the paper.
 */
function printQr(chargerId: string, items: { connectorId: number; url: string }[], svgs: Record<number, string>) {
  const w = window.open('', '_blank');
  if (!w) return;
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const labels = items
    .map(
      (i) => `<div class="label" data-testid="qr-label-${i.connectorId}"><img alt="" src="data:image/svg+xml;utf8,${encodeURIComponent(svgs[i.connectorId])}"/>` +
        `<div class="id">${esc(chargerId)}</div><div class="gun">#${i.connectorId}</div><div class="url">${esc(i.url)}</div></div>`,
    )
    .join('');
  w.document.write(
    `<!doctype html><html><head><meta charset="utf-8"><title>QR ${esc(chargerId)}</title><style>` +
      `body{font-family:sans-serif;margin:12mm}.label{display:inline-block;width:70mm;margin:0 6mm 8mm 0;padding:4mm;border:1px dashed #999;text-align:center;page-break-inside:avoid}` +
      `.label img{width:50mm;height:50mm}.id{font-family:monospace;font-size:11pt}.gun{font-size:20pt;font-weight:700}.url{font-family:monospace;font-size:7pt;word-break:break-all;color:#555}` +
      `</style></head><body>${labels}</body></html>`,
  );
  w.document.close();
  w.focus();
  w.print();
}
