import { App, Button, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { navigate } from '../../router.ts';
import { fmtTime } from '../../format.ts';
import { RevealButton } from '../../components/RevealButton.tsx';
import { makeCaseFrom } from './makeCase.ts';

export interface SupportSession {
  orderNo: string | null;
  sessionId: number;
  startChargeSeq?: string;
  chargerId: string;
  connectorId: number;
  stationId: string | null;
  stationName: string | null;
  startedAt: string;
  endedAt: string | null;
  occupiedUntil: string | null;
  energyKwh: string;
  amount: string | null;
  phoneMasked: string | null;
  driverName?: string;
  card: string | null;
  status: string;
  matchedBy?: string[];
}

export const storyPath = (s: Pick<SupportSession, 'orderNo' | 'sessionId'>) => (s.orderNo ? `/support/story/${s.orderNo}` : `/support/session/${s.sessionId}`);

/** The session rows of the look-up and of "who charged here"; `makeCase` adds the one-click case button. */
export function sessionColumns(t: TFunction, opts: { makeCase?: (s: SupportSession) => void } = {}) {
  return [
    {
      title: t('order.no'),
      dataIndex: 'orderNo',
      width: 200,
      render: (v: string | null, s: SupportSession) => (
        <Typography.Link onClick={() => navigate(storyPath(s))} data-testid={`story-link-${v ?? s.sessionId}`}>
          {v ?? `#${s.sessionId}`}
        </Typography.Link>
      ),
    },
    { title: t('station'), dataIndex: 'stationName', width: 110, render: (v: string | null, s: SupportSession) => v ?? s.stationId ?? '-' },
    { title: t('charger'), dataIndex: 'chargerId', width: 190, render: (v: string) => <span style={{ fontFamily: 'monospace' }}>{v}</span> },
    { title: t('sup.gun'), dataIndex: 'connectorId', width: 60 },
    { title: t('order.start'), dataIndex: 'startedAt', width: 160, render: fmtTime },
    { title: t('order.end'), dataIndex: 'endedAt', width: 160, render: (v: string | null, s: SupportSession) => (v ? fmtTime(v) : s.status === 'charging' ? <Tag color="processing">{t('sup.charging')}</Tag> : '-') },
    { title: t('sup.driverName'), dataIndex: 'driverName', width: 100, render: (v?: string) => v ?? '-' },
    {
      title: t('sup.phone'),
      dataIndex: 'phoneMasked',
      width: 150,
      render: (v: string | null, s: SupportSession) => (s.orderNo ? <RevealButton masked={v} target={{ orderNo: s.orderNo }} /> : v ?? '-'),
    },
    { title: t('order.energy'), dataIndex: 'energyKwh', width: 100, align: 'right' as const },
    { title: t('order.amount'), dataIndex: 'amount', width: 100, align: 'right' as const, render: (v: string | null) => v ?? '-' },
    { title: t('order.card'), dataIndex: 'card', width: 100, render: (v: string | null) => v ?? '-' },
    { title: t('order.partnerNo'), dataIndex: 'startChargeSeq', width: 230, render: (v?: string) => v ?? '-' },
    {
      title: t('sup.matched'),
      dataIndex: 'matchedBy',
      width: 140,
      render: (v?: string[]) => (
        <Space size={2} wrap>
          {(v ?? []).map((m) => (
            <Tag key={m}>{t(`sup.m.${m}`)}</Tag>
          ))}
        </Space>
      ),
    },
    ...(opts.makeCase
      ? [
          {
            title: t('common.actions'),
            key: 'make',
            fixed: 'right' as const,
            width: 110,
            render: (_: unknown, s: SupportSession) => (
              <Tooltip title={s.orderNo ? '' : t('sup.noOrderYet')}>
                <Button size="small" disabled={!s.orderNo} onClick={() => opts.makeCase!(s)} data-testid={`make-case-${s.orderNo ?? s.sessionId}`}>
                  {t('sup.makeCase')}
                </Button>
              </Tooltip>
            ),
          },
        ]
      : []),
  ];
}

/** The session table of the look-up and of "who charged here", each row with its one-click case. */
export function SessionTable({ rows, loading, emptyText, testId }: { rows: SupportSession[]; loading: boolean; emptyText?: string; testId: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const make = (s: SupportSession) =>
    makeCaseFrom(s.orderNo!)
      .then((c) => message.success(t('sup.caseMade', { no: c.caseNo })))
      .catch((e) => message.error(t('common.failed', { msg: e.message })));
  return (
    <Table
      rowKey={(s: SupportSession) => s.orderNo ?? `s${s.sessionId}`}
      size="small"
      loading={loading}
      dataSource={rows}
      columns={sessionColumns(t, { makeCase: make })}
      scroll={{ x: 1800 }}
      locale={emptyText ? { emptyText } : undefined}
      pagination={false}
      data-testid={testId}
    />
  );
}
