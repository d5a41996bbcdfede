import { App, Alert, Button, Card, Descriptions, Empty, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { RevealButton } from '../../components/RevealButton.tsx';
import { PeriodTag } from '../../components/StatusTag.tsx';
import { fmtTime, fmtDuration, durationOf } from '../../format.ts';
import { makeCaseFrom } from './makeCase.ts';

interface Part {
  name: string;
  evidence: { kind: string; href: string } | null;
  summary?: string;
  items: any[];
  data?: any;
  error?: string;
}

const json = (v: unknown) => (v == null ? '-' : <Typography.Text code style={{ fontSize: 12, wordBreak: 'break-all' }}>{JSON.stringify(v).slice(0, 400)}</Typography.Text>);
const table = (rows: any[], columns: any[], testId: string) => <Table size="small" rowKey={(_r: any, i?: number) => String(i)} pagination={rows.length > 10 ? { pageSize: 10 } : false} dataSource={rows} columns={columns} data-testid={testId} scroll={{ x: true }} />;

/** How each known part is shown; a part a later module registers falls back to its items as JSON. */
function PartBody({ part, t, lang }: { part: Part; t: TFunction; lang: string }) {
  const p = part;
  switch (p.name) {
    case 'driver':
      return (
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label={t('sup.driverName')}>{p.data?.name ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('sup.phone')}>{p.data?.phoneMasked ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('order.card')}>{p.data?.card ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('order.plate')}>{p.data?.plate ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('order.origin')}>{p.data?.origin ?? '-'}</Descriptions.Item>
          <Descriptions.Item label={t('order.payment')}>{p.data?.paymentMethod ? t(`pay.${p.data.paymentMethod}`, { defaultValue: p.data.paymentMethod }) : '-'}</Descriptions.Item>
        </Descriptions>
      );
    case 'order': {
      const o = p.data;
      if (!o) return null;
      if (!o.orderNo) return <Descriptions size="small" column={3}>{['status', 'energyKwh', 'startedAt', 'lastPowerW'].map((k) => <Descriptions.Item key={k} label={k}>{String(o[k] ?? '-')}</Descriptions.Item>)}</Descriptions>;
      return (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Descriptions size="small" column={{ xs: 1, md: 3 }}>
            <Descriptions.Item label={t('common.status')}>{t(`ost.${o.status}`, { defaultValue: o.status })}</Descriptions.Item>
            <Descriptions.Item label={t('order.duration')}>{fmtDuration(durationOf(o), lang)}</Descriptions.Item>
            <Descriptions.Item label={t('order.energy')}>{o.energyKwh}</Descriptions.Item>
            <Descriptions.Item label={t('order.electricity')}>{o.electricityAmount}</Descriptions.Item>
            <Descriptions.Item label={t('order.service')}>{o.serviceAmount}</Descriptions.Item>
            <Descriptions.Item label={t('order.idleFee')}>{o.idleFee}</Descriptions.Item>
            <Descriptions.Item label={t('order.total')}>
              <b data-testid="story-total">{o.totalAmount}</b>
            </Descriptions.Item>
            <Descriptions.Item label={t('order.version')}>{o.version}</Descriptions.Item>
            <Descriptions.Item label={t('order.reasons')}>{o.abnormalReasons?.map((r: any) => r.code).join(', ') || '-'}</Descriptions.Item>
          </Descriptions>
          {table(o.periods ?? [], [
            { title: t('tariff.type'), dataIndex: 'type', render: (x: string) => <PeriodTag type={x} /> },
            { title: t('order.start'), dataIndex: 'start', render: fmtTime },
            { title: t('order.end'), dataIndex: 'end', render: fmtTime },
            { title: t('order.energy'), dataIndex: 'energyKwh' },
            { title: t('order.elecPrice'), dataIndex: 'electricityPrice' },
            { title: t('order.servPrice'), dataIndex: 'servicePrice' },
            { title: t('order.amount'), dataIndex: 'amount' },
          ], 'story-periods')}
          {table(o.versions ?? [], [
            { title: t('order.version'), dataIndex: 'version' },
            { title: t('common.time'), dataIndex: 'createdAt', render: fmtTime },
            { title: t('order.by'), dataIndex: 'createdBy', render: (v: string | null, r: any) => v ?? r.source },
            { title: t('order.reason'), dataIndex: 'reason' },
            { title: t('order.total'), dataIndex: 'totalAmount' },
          ], 'story-versions')}
        </Space>
      );
    }
    case 'frames':
      return table(p.items, [
        { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 160 },
        { title: '⇅', dataIndex: 'direction', width: 50 },
        { title: 'type', dataIndex: 'messageType', width: 110 },
        { title: 'action', dataIndex: 'action', width: 160 },
        { title: 'payload', dataIndex: 'payload', render: json },
      ], 'story-frames');
    case 'connector':
      return table(p.items, [
        { title: t('common.time'), dataIndex: 'at', render: fmtTime },
        { title: t('common.status'), dataIndex: 'status' },
        { title: 'errorCode', dataIndex: 'errorCode' },
        { title: 'info', dataIndex: 'info' },
      ], 'story-connector');
    case 'connections':
      return table(p.items, [
        { title: 'connected', dataIndex: 'connectedAt', render: fmtTime },
        { title: 'disconnected', dataIndex: 'disconnectedAt', render: fmtTime },
        { title: 'reason', dataIndex: 'reason' },
      ], 'story-connections');
    case 'faults':
      return table(p.items, [
        { title: t('common.time'), dataIndex: 'at', render: fmtTime },
        { title: t('sup.gun'), dataIndex: 'connectorId' },
        { title: t('common.status'), dataIndex: 'status' },
        { title: 'errorCode', dataIndex: 'errorCode' },
        { title: 'vendor', dataIndex: 'vendorErrorCode' },
      ], 'story-faults');
    case 'roaming':
      return (
        <Space direction="vertical" style={{ width: '100%' }}>
          {table(p.data?.confirmations ?? [], [
            { title: t('order.version'), dataIndex: 'version' },
            { title: 'ConfirmResult', dataIndex: 'confirmResult' },
            { title: 'pushed', dataIndex: 'pushedAt', render: fmtTime },
            { title: 'confirmed', dataIndex: 'confirmedAt', render: fmtTime },
          ], 'story-confirmations')}
          {table(p.items, [
            { title: t('common.time'), dataIndex: 'at', render: fmtTime, width: 160 },
            { title: '⇅', dataIndex: 'direction', width: 50 },
            { title: 'interface', dataIndex: 'interface', width: 200 },
            { title: 'Ret', dataIndex: 'ret', width: 60 },
            { title: 'request', dataIndex: 'request', render: json },
            { title: 'response', dataIndex: 'response', render: json },
          ], 'story-envelopes')}
        </Space>
      );
    case 'payments':
      return table(p.items, [
        { title: 'out_trade_no', dataIndex: 'outTradeNo' },
        { title: t('order.amount'), dataIndex: 'amount' },
        { title: t('common.status'), dataIndex: 'status' },
        { title: t('common.time'), dataIndex: 'createdAt', render: fmtTime },
        { title: 'callbacks', dataIndex: 'events', render: (es: any[]) => es?.map((e, i) => <Tag key={i}>{`${e.kind}:${e.outcome}`}</Tag>) },
      ], 'story-payments');
    case 'ledger':
      return table(p.items, [
        { title: t('common.time'), dataIndex: 'at', render: fmtTime },
        { title: 'cause', dataIndex: 'cause' },
        { title: 'ref', dataIndex: 'causeRef' },
        { title: t('common.remark'), dataIndex: 'remark' },
        { title: 'entries', dataIndex: 'entries', render: (es: any[]) => es?.map((e, i) => <div key={i}>{`${e.account}${e.ref ? `(${e.ref})` : ''} ${e.amount} → ${e.balanceAfter}`}</div>) },
      ], 'story-ledger');
    case 'notifications':
      return table(p.items, [
        { title: t('common.time'), dataIndex: 'sentAt', render: fmtTime },
        { title: 'event', dataIndex: 'event', render: (v: string) => t(`evt.${v}`, { defaultValue: v }) },
        { title: 'channel', dataIndex: 'channel' },
        { title: 'to', dataIndex: 'recipient' },
        { title: 'text', dataIndex: 'text' },
      ], 'story-notifications');
    default:
      return p.items.length ? <div data-testid={`story-items-${p.name}`}>{p.items.map((x, i) => <div key={i}>{json(x)}</div>)}</div> : null;
  }
}

/** The whole story of one session: every part, each linking to where its evidence lives. */
export function SupportStory({ params }: { params: { orderNo?: string; sessionId?: string } }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const key = params.orderNo ? `orderNo=${params.orderNo}` : `sessionId=${params.sessionId}`;
  const s = useApi<{ subject: any; parts: Part[] }>(`/support/story?${key}`);
  const subj = s.data?.subject;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space>
        <Button onClick={() => history.back()}>← {t('common.back')}</Button>
        {subj?.orderNo && (
          <Button
            type="primary"
            data-testid="story-make-case"
            onClick={() => makeCaseFrom(subj.orderNo).then((c) => message.success(t('sup.caseMade', { no: c.caseNo }))).catch((e) => message.error(t('common.failed', { msg: e.message })))}
          >
            {t('sup.makeCase')}
          </Button>
        )}
      </Space>
      <ApiErrorAlert error={s.error} />
      {subj && (
        <Card title={<span data-testid="story-title">{t('sup.storyOf', { key: subj.orderNo ?? `#${subj.sessionId}` })}</span>}>
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }} bordered>
            <Descriptions.Item label={t('station')}>{subj.stationName ?? subj.stationId}</Descriptions.Item>
            <Descriptions.Item label={t('charger')}>
              <Typography.Link onClick={() => navigate(`/chargers/${subj.chargerId}`)}>{subj.chargerId}</Typography.Link> #{subj.connectorId}
            </Descriptions.Item>
            <Descriptions.Item label={t('order.start')}>{fmtTime(subj.startedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('order.end')}>{fmtTime(subj.endedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('sup.phone')}>
              <RevealButton masked={subj.phoneMasked} target={subj.orderNo ? { orderNo: subj.orderNo } : { phone: subj.phoneMasked }} />
            </Descriptions.Item>
            <Descriptions.Item label={t('order.partnerNo')}>{subj.startChargeSeq ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('sup.network')}>
              <span data-testid="story-network">{s.data!.parts.find((p) => p.name === 'connections')?.summary ?? '-'}</span>
            </Descriptions.Item>
            <Descriptions.Item label={t('sup.faults')}>{s.data!.parts.find((p) => p.name === 'faults')?.summary || t('common.none')}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      {s.data?.parts.map((p) => (
        <Card
          key={p.name}
          size="small"
          data-testid={`story-part-${p.name}`}
          title={
            <Space>
              {t(`sup.part.${p.name}`, { defaultValue: p.name })}
              {p.summary ? <Tag color={p.summary === '正常' ? 'green' : 'orange'}>{p.summary}</Tag> : null}
            </Space>
          }
          extra={
            p.evidence && (
              <Typography.Link onClick={() => navigate(p.evidence!.href)} data-testid={`evidence-${p.name}`}>
                {t('sup.evidence')} →
              </Typography.Link>
            )
          }
        >
          {p.error ? <Alert type="warning" showIcon message={t('sup.part.error', { msg: p.error })} /> : !p.items.length && !p.data ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sup.part.empty')} /> : <PartBody part={p} t={t} lang={i18n.language} />}
        </Card>
      ))}
    </Space>
  );
}
