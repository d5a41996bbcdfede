import { useState } from 'react';
import { App, Button, Form, Input, Modal, Progress, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { put } from '../../api.ts';

/** The API's usage fields of a member or a department (GET .../members, GET .../departments). */
export interface Usage {
  limits?: { monthlyAmount: string | null; monthlyEnergyKwh: string | null; perSessionAmount: string | null };
  used?: { amount: string; energyKwh: string };
  left?: { amount: string | null; energyKwh: string | null };
}

// display only: a bar's length; the figures shown are the API's exact strings
const pct = (used: string, cap: string) => (Number(cap) > 0 ? Math.min(100, Math.round((Number(used) / Number(cap)) * 100)) : 100);

/** This month's usage against the caps: "60.00 / 80.00 元" with a bar per monthly cap, the per-session cap as a tag. */
export function UsageCell({ u, testId }: { u: Usage; testId?: string }) {
  const { t } = useTranslation();
  if (!u.used || !u.limits) return null;
  const l = u.limits;
  const bar = (used: string, cap: string) => <Progress size="small" showInfo={false} percent={pct(used, cap)} status={Number(used) >= Number(cap) ? 'exception' : 'normal'} style={{ width: 120, margin: 0 }} />;
  return (
    <Space direction="vertical" size={0} data-testid={testId}>
      <span>
        {t('ent.usage.amount')} {u.used.amount}
        {l.monthlyAmount !== null ? ` / ${l.monthlyAmount}` : ''} {t('ent.usage.yuan')}
        {l.monthlyAmount === null && <Typography.Text type="secondary"> · {t('ent.usage.noCap')}</Typography.Text>}
      </span>
      {l.monthlyAmount !== null && bar(u.used.amount, l.monthlyAmount)}
      {l.monthlyEnergyKwh !== null && (
        <>
          <span>
            {t('ent.usage.energy')} {u.used.energyKwh} / {l.monthlyEnergyKwh} kWh
          </span>
          {bar(u.used.energyKwh, l.monthlyEnergyKwh)}
        </>
      )}
      {l.perSessionAmount !== null && <Tag>{t('ent.usage.perSession', { v: l.perSessionAmount })}</Tag>}
    </Space>
  );
}

/** Edits the three caps of a member or a department (PUT .../limits: a cap left empty is no cap). */
export function LimitsButton({ path, u, onDone, testId }: { path: string; u: Usage; onDone: () => void; testId?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const submit = async (v: Record<string, string | undefined>) => {
    const body: Record<string, string> = {};
    for (const k of ['monthlyAmount', 'monthlyEnergyKwh', 'perSessionAmount']) if (v[k]?.trim()) body[k] = v[k]!.trim();
    try {
      await put(path, body);
      setOpen(false);
      onDone();
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  const yuan = { pattern: /^\d{1,9}(\.\d{1,2})?$/, message: t('ent.usage.badYuan') };
  return (
    <>
      <Button size="small" type="link" onClick={() => (setOpen(true), form.setFieldsValue({ ...u.limits }))} data-testid={testId}>
        {t('ent.usage.limits')}
      </Button>
      <Modal open={open} title={t('ent.usage.limits')} onCancel={() => setOpen(false)} onOk={() => form.submit()} okButtonProps={{ 'data-testid': 'limits-save' } as any} destroyOnHidden>
        <Form form={form} layout="vertical" onFinish={submit}>
          <Form.Item name="monthlyAmount" label={t('ent.usage.monthlyAmount')} rules={[yuan]} extra={t('ent.usage.emptyNoCap')}>
            <Input suffix={t('ent.usage.yuan')} data-testid="limits-amount" />
          </Form.Item>
          <Form.Item name="monthlyEnergyKwh" label={t('ent.usage.monthlyEnergy')} rules={[{ pattern: /^\d{1,9}(\.\d{1,3})?$/, message: t('ent.usage.badKwh') }]}>
            <Input suffix="kWh" data-testid="limits-energy" />
          </Form.Item>
          <Form.Item name="perSessionAmount" label={t('ent.usage.perSessionAmount')} rules={[yuan]}>
            <Input suffix={t('ent.usage.yuan')} data-testid="limits-session" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
