import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Checkbox, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Spin, Table } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { fromPicker, toPicker } from '../zone.ts';
import { get, post, ApiError } from '../api.ts';
import { PeriodTag } from './StatusTag.tsx';
import { fmtTime, reasonText } from '../format.ts';

interface Inputs {
  tariffVersionId: number;
  startTime: string;
  endTime: string;
  meterStartWh: number;
  meterStopWh: number;
  idleEndTime: string | null;
  stopReason: string | null;
}
interface FormValues {
  meterStartWh: number;
  meterStopWh: number;
  startTime: Dayjs;
  endTime: Dayjs;
  idleEndTime: Dayjs | null;
  reason: string;
  notifyDriver: boolean;
}

/**
 * Corrected INPUTS (never totals). Every change re-prices through the API before anything is saved:
 * the orders module's preview when it has one, else the tariff engine's preview over the same inputs.
 */
export function CorrectionForm({ order, onDone }: { order: any; onDone: (result: any) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<FormValues>();
  const latest: Inputs | undefined = order.versions?.at(-1)?.inputs;
  const [preview, setPreview] = useState<any>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [computing, setComputing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notifyDefault, setNotifyDefault] = useState<boolean | null>(null);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    get('/settings/notifications')
      .then((s) => {
        const on = !!s?.events?.bill_adjusted?.enabled;
        setNotifyDefault(on);
        form.setFieldValue('notifyDriver', on);
      })
      .catch(() => (setNotifyDefault(false), form.setFieldValue('notifyDriver', false)));
  }, [form]);

  const body = (v: FormValues) => {
    const iso = (d: Dayjs | null | undefined) => (d ? fromPicker(d) : undefined);
    const b: Record<string, unknown> = { reason: v.reason?.trim() || 'preview' };
    if (latest && v.meterStartWh !== latest.meterStartWh) b.meterStartWh = v.meterStartWh;
    if (latest && v.meterStopWh !== latest.meterStopWh) b.meterStopWh = v.meterStopWh;
    if (latest && iso(v.startTime) && Date.parse(iso(v.startTime)!) !== Date.parse(latest.startTime)) b.startTime = iso(v.startTime);
    if (latest && iso(v.endTime) && Date.parse(iso(v.endTime)!) !== Date.parse(latest.endTime)) b.endTime = iso(v.endTime);
    if (v.idleEndTime && (!latest?.idleEndTime || Date.parse(iso(v.idleEndTime)!) !== Date.parse(latest.idleEndTime))) b.idleEndTime = iso(v.idleEndTime);
    return b;
  };

  const recompute = async () => {
    const v = form.getFieldsValue(true) as FormValues;
    const my = ++seq.current;
    setComputing(true);
    try {
      let p: any;
      try {
        p = await post(`/orders/${order.orderNo}/corrections/preview`, body(v));
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404 || !/no route/.test(e.message)) throw e;
        // no preview in the orders API: the tariff engine prices the same inputs (without meter samples)
        const iso = (d: Dayjs | null | undefined) => (d ? fromPicker(d) : null);
        p = await post('/tariffs/preview', {
          versionId: latest?.tariffVersionId ?? order.tariffVersionId,
          startAt: iso(v.startTime),
          endAt: iso(v.endTime),
          meterStartWh: v.meterStartWh,
          meterStopWh: v.meterStopWh,
          samples: [],
          ...(v.idleEndTime || latest?.idleEndTime
            ? { idle: { chargingEndedAt: iso(v.endTime), unpluggedAt: iso(v.idleEndTime) ?? latest?.idleEndTime ?? null, stopReason: latest?.stopReason ?? undefined } }
            : {}),
        });
      }
      if (my === seq.current) (setPreview(p), setPreviewError(null));
    } catch (e) {
      if (my === seq.current) (setPreview(null), setPreviewError((e as Error).message));
    } finally {
      if (my === seq.current) setComputing(false);
    }
  };
  const schedule = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(recompute, 300);
  };
  useEffect(() => {
    if (latest) recompute();
    return () => clearTimeout(timer.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const save = async (v: FormValues) => {
    setSaving(true);
    try {
      const r = await post(`/orders/${order.orderNo}/corrections`, { ...body(v), reason: v.reason.trim(), notifyDriver: v.notifyDriver });
      // over the staff member's daily limit (202): stored, waiting for an operator admin
      if (r.status === 'pending_approval') message.warning(t('corr.pending', { msg: r.message }));
      else message.success(t('abn.corrected', { v: r.version }));
      onDone(r);
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    } finally {
      setSaving(false);
    }
  };

  if (!latest) return <Alert type="warning" message="order versions carry no inputs" />;
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={save}
      onValuesChange={(ch) => !('reason' in ch) && !('notifyDriver' in ch) && schedule()}
      initialValues={{
        meterStartWh: latest.meterStartWh,
        meterStopWh: latest.meterStopWh,
        startTime: toPicker(latest.startTime),
        endTime: toPicker(latest.endTime),
        idleEndTime: latest.idleEndTime ? toPicker(latest.idleEndTime) : null,
        reason: '',
        notifyDriver: false,
      }}
      data-testid="correction-form"
    >
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item name="meterStartWh" label={t('abn.meterStart')} rules={[{ required: true }]}>
            <InputNumber min={0} style={{ width: '100%' }} data-testid="corr-meter-start" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="meterStopWh" label={t('abn.meterStop')} rules={[{ required: true }]}>
            <InputNumber min={0} style={{ width: '100%' }} data-testid="corr-meter-stop" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <div data-testid="corr-start">
            <Form.Item name="startTime" label={t('abn.startTime')} rules={[{ required: true }]}>
              <DatePicker showTime style={{ width: '100%' }} />
            </Form.Item>
          </div>
        </Col>
        <Col span={12}>
          <div data-testid="corr-end">
            <Form.Item name="endTime" label={t('abn.endTime')} rules={[{ required: true }]}>
              <DatePicker showTime style={{ width: '100%' }} />
            </Form.Item>
          </div>
        </Col>
        <Col span={12}>
          <div data-testid="corr-idle-end">
            <Form.Item name="idleEndTime" label={t('abn.idleEnd')}>
              <DatePicker showTime style={{ width: '100%' }} />
            </Form.Item>
          </div>
        </Col>
      </Row>
      <div style={{ background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 8, padding: 12, marginBottom: 16 }} data-testid="correction-preview">
        <b>{t('abn.preview')}</b> <span style={{ color: '#8c8c8c', fontSize: 12 }}>{t('abn.previewHint')}</span> {computing && <Spin size="small" />}
        {previewError && <Alert style={{ marginTop: 8 }} type="error" showIcon message={previewError} data-testid="preview-error" />}
        {preview?.stillAbnormal?.length > 0 && (
          <Alert style={{ marginTop: 8 }} type="warning" showIcon message={preview.stillAbnormal.map((r: any) => reasonText(r, t)).join('; ')} data-testid="preview-still-abnormal" />
        )}
        {preview && (
          <>
            <Descriptions size="small" column={3} style={{ marginTop: 8 }}>
              <Descriptions.Item label={t('order.energy')}>{preview.energyKwh}</Descriptions.Item>
              <Descriptions.Item label={t('order.electricity')}>{preview.electricityAmount}</Descriptions.Item>
              <Descriptions.Item label={t('order.service')}>{preview.serviceAmount}</Descriptions.Item>
              <Descriptions.Item label={t('order.idleFee')}>{preview.idleFee}</Descriptions.Item>
              <Descriptions.Item label={t('order.total')}>
                <b data-testid="preview-total">{preview.totalAmount}</b>
                <span style={{ color: '#8c8c8c', marginLeft: 8 }}>({t('order.before')} {order.totalAmount})</span>
              </Descriptions.Item>
            </Descriptions>
            <Table
              size="small"
              pagination={false}
              rowKey={(p: any) => p.start}
              dataSource={preview.periods}
              columns={[
                { title: t('tariff.type'), dataIndex: 'type', render: (x: string) => <PeriodTag type={x} /> },
                { title: t('order.start'), dataIndex: 'start', render: fmtTime },
                { title: t('order.end'), dataIndex: 'end', render: fmtTime },
                { title: t('order.energy'), dataIndex: 'energyKwh' },
                { title: t('order.electricity'), dataIndex: 'electricityAmount' },
                { title: t('order.service'), dataIndex: 'serviceAmount' },
              ]}
            />
          </>
        )}
      </div>
      <Form.Item name="reason" label={t('abn.reason')} rules={[{ required: true, whitespace: true, message: t('abn.reason') }]}>
        <Input.TextArea rows={2} data-testid="corr-reason" />
      </Form.Item>
      <Form.Item name="notifyDriver" valuePropName="checked">
        <Checkbox data-testid="corr-notify" disabled={notifyDefault === null}>
          {t('abn.notify')}
        </Checkbox>
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={saving} disabled={!!previewError} data-testid="corr-save">
        {t('abn.save')}
      </Button>
    </Form>
  );
}
