import { useState } from 'react';
import { Button, Card, Descriptions, Drawer, Space, Table, Tag, Timeline, Typography, Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../hooks.ts';
import { navigate } from '../router.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { PeriodTag } from '../components/StatusTag.tsx';
import { CorrectionForm } from '../components/CorrectionForm.tsx';
import { periodAmounts, statusColor } from '../components/orderColumns.tsx';
import { fmtTime, fmtDuration, durationOf, reasonText } from '../format.ts';

export function OrderDetail({ params }: { params: { orderNo: string } }) {
  const { t, i18n } = useTranslation();
  const o = useApi<any>(`/orders/${params.orderNo}`);
  const [correcting, setCorrecting] = useState(false);
  const [showFound, setShowFound] = useState(false);
  const d = o.data;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space>
        <Button onClick={() => history.back()}>← {t('common.back')}</Button>
        {d && d.status !== 'idle' && (
          <Button type="primary" onClick={() => setCorrecting(true)} data-testid="order-correct">
            {t('abn.correct')}
          </Button>
        )}
      </Space>
      <ApiErrorAlert error={o.error} />
      {d && (
        <>
          {d.abnormal && d.review !== 'resolved' && (
            <Alert type="error" showIcon message={t('order.reasons')} description={d.abnormalReasons.map((r: any) => reasonText(r, t)).join('；')} data-testid="order-reasons" />
          )}
          {d.review === 'resolved' && (
            <Alert
              type="success"
              showIcon
              data-testid="order-resolved"
              message={t('order.resolved', { by: d.reviewedBy ?? '-', at: fmtTime(d.reviewedAt), v: d.version })}
              description={
                <>
                  <Typography.Link onClick={() => setShowFound(!showFound)} data-testid="order-history-link">
                    {t('order.resolvedHistory', { reasons: d.abnormalReasons.length })}
                  </Typography.Link>
                  {showFound && (
                    <div data-testid="order-found-reasons">
                      {d.abnormalReasons.map((r: any) => reasonText(r, t)).join('；')} ·{' '}
                      <Typography.Link onClick={() => document.getElementById('order-history')?.scrollIntoView()}>{t('order.versions')}</Typography.Link>
                    </div>
                  )}
                </>
              }
            />
          )}
          <Card title={<span data-testid="order-title">{d.orderNo}</span>} extra={<Tag color={statusColor[d.status]}>{t(`ost.${d.status}`, { defaultValue: d.status })}</Tag>}>
            <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} bordered>
              <Descriptions.Item label={t('station')}>{d.stationName ?? d.stationId}</Descriptions.Item>
              <Descriptions.Item label={t('charger')}>
                <Typography.Link onClick={() => navigate(`/chargers/${d.chargerId}`)}>{d.chargerId}</Typography.Link> #{d.connectorId}
              </Descriptions.Item>
              <Descriptions.Item label={t('order.user')}>{d.driver ? `${d.driver.name ?? ''} ${d.driver.phone}` : '-'}</Descriptions.Item>
              <Descriptions.Item label={t('order.card')}>{d.card ?? '-'}</Descriptions.Item>
              <Descriptions.Item label={t('order.origin')}>{t(`origin.${d.origin}`, { defaultValue: d.origin })}</Descriptions.Item>
              <Descriptions.Item label={t('order.payment')}>{d.paymentMethod ? t(`pay.${d.paymentMethod}`, { defaultValue: d.paymentMethod }) : '-'}</Descriptions.Item>
              <Descriptions.Item label={t('order.start')}>{fmtTime(d.startTime)}</Descriptions.Item>
              <Descriptions.Item label={t('order.end')}>{fmtTime(d.endTime)}</Descriptions.Item>
              <Descriptions.Item label={t('abn.idleEnd')}>{fmtTime(d.idleEndTime)}</Descriptions.Item>
              <Descriptions.Item label={t('order.duration')}>{fmtDuration(durationOf(d), i18n.language)}</Descriptions.Item>
              <Descriptions.Item label={t('order.soc')}>
                {d.socStart ?? '-'}% → {d.socEnd ?? '-'}%
              </Descriptions.Item>
              <Descriptions.Item label={t('order.partnerNo')}>{d.partnerOrderNo ?? '-'}</Descriptions.Item>
              <Descriptions.Item label={t('order.energy')}>{d.energyKwh}</Descriptions.Item>
              <Descriptions.Item label={t('order.electricity')}>{d.electricityAmount}</Descriptions.Item>
              <Descriptions.Item label={t('order.service')}>{d.serviceAmount}</Descriptions.Item>
              <Descriptions.Item label={t('order.idleFee')}>
                <span data-testid="order-idle-fee">{d.idleFee}</span>
                {d.idle && (
                  <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
                    {d.idle.billableMinutes}/{d.idle.totalMinutes} min{d.idle.exempt ? ` (${d.idle.exemptReason})` : ''}{d.idle.capped ? ' cap' : ''}
                  </Typography.Text>
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('order.total')}>
                <b data-testid="order-total">{d.totalAmount}</b>
              </Descriptions.Item>
              <Descriptions.Item label={t('order.periods')}>{periodAmounts(d, t)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t('order.breakdown')}>
            <Table
              size="small"
              pagination={false}
              rowKey={(p: any) => p.start}
              dataSource={d.periods}
              data-testid="order-breakdown"
              columns={[
                { title: t('tariff.type'), dataIndex: 'type', render: (x: string) => <PeriodTag type={x} /> },
                { title: t('order.start'), dataIndex: 'start', render: fmtTime },
                { title: t('order.end'), dataIndex: 'end', render: fmtTime },
                { title: t('order.energy'), dataIndex: 'energyKwh', align: 'right' as const },
                { title: t('order.elecPrice'), dataIndex: 'electricityPrice', align: 'right' as const },
                { title: t('order.servPrice'), dataIndex: 'servicePrice', align: 'right' as const },
                { title: t('order.electricity'), dataIndex: 'electricityAmount', align: 'right' as const },
                { title: t('order.service'), dataIndex: 'serviceAmount', align: 'right' as const },
              ]}
              summary={() => (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={3}>
                    <b>{t('order.total')}</b>
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={3} align="right">{d.energyKwh}</Table.Summary.Cell>
                  <Table.Summary.Cell index={4} colSpan={2} />
                  <Table.Summary.Cell index={6} align="right">{d.electricityAmount}</Table.Summary.Cell>
                  <Table.Summary.Cell index={7} align="right">{d.serviceAmount}</Table.Summary.Cell>
                </Table.Summary.Row>
              )}
            />
          </Card>
          <Card title={t('order.versions')} id="order-history">
            <Table
              size="small"
              pagination={false}
              rowKey="version"
              dataSource={d.versions ?? []}
              data-testid="order-versions"
              columns={[
                { title: t('order.version'), dataIndex: 'version', width: 70 },
                { title: t('common.time'), dataIndex: 'createdAt', render: fmtTime },
                { title: t('order.by'), dataIndex: 'createdBy', render: (v: string | null, r: any) => v ?? r.source },
                { title: t('order.reason'), dataIndex: 'reason' },
                { title: t('order.energy'), dataIndex: 'energyKwh' },
                { title: t('order.idleFee'), dataIndex: 'idleFee' },
                { title: t('order.total'), dataIndex: 'totalAmount', render: (v: string) => <b>{v}</b> },
              ]}
            />
          </Card>
          <Card title={t('order.audit')}>
            <Timeline
              data-testid="order-audit"
              items={(d.audit ?? []).map((a: any) => ({
                children: (
                  <div>
                    <b>{a.action}</b> · {a.actor} · {fmtTime(a.at)}
                    {a.reason && <div>{a.reason}</div>}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('order.before')}: {summarize(a.before)} → {t('order.after')}: {summarize(a.after)}
                    </Typography.Text>
                  </div>
                ),
              }))}
            />
          </Card>
        </>
      )}
      <Drawer open={correcting} width={720} onClose={() => setCorrecting(false)} title={t('abn.correctTitle', { no: params.orderNo })} destroyOnHidden>
        {d && <CorrectionForm order={d} onDone={() => (setCorrecting(false), o.reload())} />}
      </Drawer>
    </Space>
  );
}

function summarize(v: any): string {
  if (v == null) return '-';
  if (typeof v !== 'object') return String(v);
  const keys = ['totalAmount', 'idleFee', 'energyKwh', 'total', 'status', 'version'];
  const parts = keys.filter((k) => v[k] !== undefined).map((k) => `${k}=${v[k]}`);
  return parts.length ? parts.join(' ') : JSON.stringify(v).slice(0, 120);
}
