import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Input, InputNumber, List, Row, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { fromPicker, pickerNow } from '../zone.ts';
import { TariffCalendar, type CalendarRule } from '../components/TariffCalendar.tsx';
import { useApi } from '../hooks.ts';
import { post, session } from '../api.ts';
import { ApiErrorAlert } from '../components/ApiErrorAlert.tsx';
import { TariffTimeline, validatePeriods, type PeriodDoc } from '../components/TariffTimeline.tsx';
import { PeriodTag } from '../components/StatusTag.tsx';
import { fmtTime } from '../format.ts';

interface IdleFeeDoc {
  graceMinutes: number;
  pricePerMinute: string;
  capPerSession?: string;
  freeHours?: { from: string; to: string }[];
  exemptStopReasons?: string[];
}
interface VersionView {
  id: number;
  status: 'in_force' | 'scheduled' | 'superseded';
  effectiveFrom: string;
  createdAt: string;
  periods: PeriodDoc[];
  calendar?: CalendarRule[];
  idleFee?: IdleFeeDoc;
}
interface TariffView {
  id: string;
  name: string;
  currentVersionId: number | null;
  versions: VersionView[];
}

const DEFAULT_PERIODS: PeriodDoc[] = [
  { start: '00:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
  { start: '08:00', type: 'flat', electricityPrice: '0.7000', servicePrice: '0.8000' },
  { start: '23:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
];

export function Tariffs() {
  const { t } = useTranslation();
  const list = useApi<{ items: TariffView[] }>('/tariffs');
  const [sel, setSel] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    if (!sel && list.data?.items[0]) setSel(list.data.items[0].id);
  }, [list.data, sel]);
  const tariff = list.data?.items.find((x) => x.id === sel) ?? null;
  const canEdit = session.me()?.role !== 'operator_staff';
  return (
    <Row gutter={16}>
      <Col xs={24} lg={6}>
        <Card
          title={t('tariff.list')}
          extra={canEdit && <Button size="small" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="tariff-new" />}
        >
          <ApiErrorAlert error={list.error} />
          <List
            dataSource={list.data?.items ?? []}
            renderItem={(x) => (
              <List.Item
                onClick={() => (setCreating(false), setSel(x.id))}
                style={{ cursor: 'pointer', background: x.id === sel && !creating ? '#e6f4ff' : undefined, paddingLeft: 8 }}
                data-testid={`tariff-${x.id}`}
              >
                <List.Item.Meta title={x.name} description={`${x.id} · ${x.versions.length} ${t('tariff.versions')}`} />
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={18}>
        {creating ? (
          <Editor key="new" tariff={null} canEdit={canEdit} onSaved={(id) => (list.reload(), setCreating(false), setSel(id))} />
        ) : (
          tariff && <Editor key={tariff.id + tariff.versions.length} tariff={tariff} canEdit={canEdit} onSaved={() => list.reload()} />
        )}
      </Col>
    </Row>
  );
}

function Editor({ tariff, canEdit, onSaved }: { tariff: TariffView | null; canEdit: boolean; onSaved: (id: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const current = tariff?.versions.find((v) => v.id === tariff.currentVersionId) ?? tariff?.versions.at(-1);
  const [periods, setPeriods] = useState<PeriodDoc[]>(() => structuredClone(current?.periods ?? DEFAULT_PERIODS));
  const [idleOn, setIdleOn] = useState(!!current?.idleFee);
  const [idle, setIdle] = useState<IdleFeeDoc>(() => current?.idleFee ?? { graceMinutes: 15, pricePerMinute: '0.5000', capPerSession: '30.00' });
  const [effective, setEffective] = useState<Dayjs>(() => pickerNow().add(1, 'day').startOf('day'));
  const [meta, setMeta] = useState({ id: '', name: '' });
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = useMemo(() => {
    const e = validatePeriods(periods, t);
    if (idleOn && !/^\d{1,4}(\.\d{1,4})?$/.test(idle.pricePerMinute)) e.push(`${t('tariff.idleFee')}: ${t('tariff.err.price')}`);
    if (!tariff && (!meta.id || !meta.name)) e.push(`${t('tariff.id')} / ${t('common.name')}`);
    return e;
  }, [periods, idleOn, idle, meta, tariff, t]);
  const set = (i: number, patch: Partial<PeriodDoc>) => setPeriods((ps) => ps.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const save = async () => {
    setServerError(null);
    setBusy(true);
    const idleFee = idleOn ? { ...idle, capPerSession: idle.capPerSession || undefined } : undefined;
    const version = { effectiveFrom: fromPicker(effective), periods, ...(current?.calendar ? { calendar: current.calendar } : {}), ...(idleFee ? { idleFee } : {}) };
    try {
      if (tariff) await post(`/tariffs/${encodeURIComponent(tariff.id)}/versions`, version);
      else await post('/tariffs', { id: meta.id, name: meta.name, versions: [version] });
      message.success(t('common.saved'));
      onSaved(tariff?.id ?? meta.id);
    } catch (e) {
      setServerError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title={tariff ? `${tariff.name} (${tariff.id})` : t('tariff.new')} data-testid="tariff-editor">
        {!tariff && (
          <Space style={{ marginBottom: 16 }}>
            <Input placeholder={t('tariff.id')} value={meta.id} onChange={(e) => setMeta({ ...meta, id: e.target.value.trim() })} data-testid="tariff-new-id" />
            <Input placeholder={t('common.name')} value={meta.name} onChange={(e) => setMeta({ ...meta, name: e.target.value })} data-testid="tariff-new-name" />
          </Space>
        )}
        <Typography.Title level={5} style={{ marginTop: 0 }}>
          {t('tariff.timeline')}
        </Typography.Title>
        <TariffTimeline periods={periods} />
        <Table
          style={{ marginTop: 16 }}
          size="small"
          pagination={false}
          rowKey={(_, i) => String(i)}
          dataSource={periods}
          data-testid="tariff-periods"
          columns={[
            {
              title: t('tariff.start'),
              render: (_: unknown, p: PeriodDoc, i: number) => (
                <Input value={p.start} disabled={!canEdit || i === 0} onChange={(e) => set(i, { start: e.target.value.trim() })} style={{ width: 80 }} data-testid={`period-start-${i}`} />
              ),
            },
            {
              title: t('tariff.type'),
              render: (_: unknown, p: PeriodDoc, i: number) => (
                <Select
                  value={p.type}
                  disabled={!canEdit}
                  style={{ width: 100 }}
                  onChange={(v) => set(i, { type: v })}
                  data-testid={`period-type-${i}`}
                  options={(['sharp', 'peak', 'flat', 'valley'] as const).map((k) => ({ value: k, label: <PeriodTag type={k} /> }))}
                />
              ),
            },
            {
              title: t('tariff.elec'),
              render: (_: unknown, p: PeriodDoc, i: number) => <Input value={p.electricityPrice} disabled={!canEdit} onChange={(e) => set(i, { electricityPrice: e.target.value.trim() })} style={{ width: 110 }} data-testid={`period-elec-${i}`} />,
            },
            {
              title: t('tariff.serv'),
              render: (_: unknown, p: PeriodDoc, i: number) => <Input value={p.servicePrice} disabled={!canEdit} onChange={(e) => set(i, { servicePrice: e.target.value.trim() })} style={{ width: 110 }} data-testid={`period-serv-${i}`} />,
            },
            {
              title: '',
              render: (_: unknown, _p: PeriodDoc, i: number) =>
                canEdit && i > 0 ? <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={() => setPeriods((ps) => ps.filter((_, j) => j !== i))} /> : null,
            },
          ]}
        />
        {canEdit && (
          <Button
            style={{ marginTop: 8 }}
            icon={<PlusOutlined />}
            data-testid="period-add"
            onClick={() => {
              const last = periods.at(-1);
              const h = last ? Math.min(23, Number(last.start.slice(0, 2)) + 1) : 0;
              setPeriods([...periods, { start: `${String(h).padStart(2, '0')}:00`, type: 'flat', electricityPrice: last?.electricityPrice ?? '0.7000', servicePrice: last?.servicePrice ?? '0.8000' }]);
            }}
          >
            {t('tariff.addPeriod')}
          </Button>
        )}
        <Typography.Title level={5}>
          {t('tariff.idleFee')} <Switch checked={idleOn} onChange={setIdleOn} disabled={!canEdit} data-testid="idle-switch" />
        </Typography.Title>
        {idleOn ? (
          <Form layout="inline">
            <Form.Item label={t('tariff.grace')}>
              <InputNumber min={0} max={1440} value={idle.graceMinutes} onChange={(v) => setIdle({ ...idle, graceMinutes: Number(v ?? 0) })} disabled={!canEdit} />
            </Form.Item>
            <Form.Item label={t('tariff.perMinute')}>
              <Input value={idle.pricePerMinute} onChange={(e) => setIdle({ ...idle, pricePerMinute: e.target.value.trim() })} style={{ width: 100 }} disabled={!canEdit} data-testid="idle-price" />
            </Form.Item>
            <Form.Item label={t('tariff.cap')}>
              <Input value={idle.capPerSession ?? ''} onChange={(e) => setIdle({ ...idle, capPerSession: e.target.value.trim() })} style={{ width: 100 }} disabled={!canEdit} />
            </Form.Item>
            <Form.Item label={t('tariff.freeHours')}>
              <Input
                placeholder="23:00-07:00"
                style={{ width: 180 }}
                disabled={!canEdit}
                value={(idle.freeHours ?? []).map((f) => `${f.from}-${f.to}`).join(',')}
                onChange={(e) =>
                  setIdle({
                    ...idle,
                    freeHours: e.target.value
                      .split(',')
                      .map((x) => x.trim().split('-'))
                      .filter((x) => x.length === 2 && x[0] && x[1])
                      .map(([from, to]) => ({ from: from.trim(), to: to.trim() })),
                  })
                }
              />
            </Form.Item>
          </Form>
        ) : (
          <Typography.Text type="secondary">{t('tariff.noIdle')}</Typography.Text>
        )}
        {current?.calendar && current.calendar.length > 0 && <TariffCalendar rules={current.calendar} />}
        {canEdit && (
          <Space direction="vertical" style={{ width: '100%', marginTop: 16 }}>
            {errors.length > 0 ? (
              <Alert type="warning" showIcon message={t('tariff.invalid')} description={<ul style={{ margin: 0 }}>{errors.map((e) => <li key={e}>{e}</li>)}</ul>} data-testid="tariff-errors" />
            ) : (
              <Alert type="success" showIcon message={t('tariff.valid')} data-testid="tariff-valid" />
            )}
            {serverError && <Alert type="error" showIcon message={serverError} data-testid="tariff-server-error" />}
            <Space>
              <span>{t('tariff.effectiveFrom')}</span>
              <DatePicker showTime value={effective} onChange={(d) => d && setEffective(d)} disabledDate={(d) => d.isBefore(pickerNow().startOf('day'))} data-testid="tariff-effective" />
              <Button type="primary" disabled={errors.length > 0} loading={busy} onClick={save} data-testid="tariff-save">
                {tariff ? t('tariff.newVersion') : t('common.save')}
              </Button>
            </Space>
          </Space>
        )}
      </Card>
      {tariff && (
        <Card title={t('tariff.versions')}>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={[...tariff.versions].reverse()}
            data-testid="tariff-versions"
            columns={[
              { title: '#', dataIndex: 'id', width: 60 },
              { title: t('tariff.effectiveFrom'), dataIndex: 'effectiveFrom', render: fmtTime },
              {
                title: t('common.status'),
                dataIndex: 'status',
                render: (s: string) => <Tag color={s === 'in_force' ? 'green' : s === 'scheduled' ? 'blue' : 'default'}>{s === 'in_force' ? t('tariff.current') : s}</Tag>,
              },
              { title: t('tariff.periods'), render: (_: unknown, v: VersionView) => <div style={{ minWidth: 260 }}><TariffTimelineMini periods={v.periods} /></div> },
              { title: t('tariff.idleFee'), render: (_: unknown, v: VersionView) => (v.idleFee ? `${v.idleFee.pricePerMinute}/min, ${v.idleFee.graceMinutes} min` : '-') },
            ]}
          />
        </Card>
      )}
    </Space>
  );
}

function TariffTimelineMini({ periods }: { periods: PeriodDoc[] }) {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
  const colors: Record<string, string> = { sharp: '#cf1322', peak: '#fa8c16', flat: '#1677ff', valley: '#52c41a' };
  return (
    <div style={{ display: 'flex', height: 10, borderRadius: 3, overflow: 'hidden' }}>
      {periods.map((p, i) => (
        <div key={i} style={{ width: `${(((i + 1 < periods.length ? m(periods[i + 1].start) : 1440) - m(p.start)) / 1440) * 100}%`, background: colors[p.type] }} />
      ))}
    </div>
  );
}

