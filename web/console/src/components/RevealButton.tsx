import { useState } from 'react';
import { App, Button, Input, Modal, Tooltip, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { post, ApiError } from '../api.ts';
import { useApi } from '../hooks.ts';

/** Shows a masked phone and, for a user who may, reveals the full number after asking why (the reveal is recorded). */
export function RevealButton({ target, masked }: { target: { orderNo?: string; caseId?: number; phone?: string }; masked: string | null }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const settings = useApi<{ youMayReveal: boolean }>('/support/settings');
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [phone, setPhone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!masked) return <span>-</span>;
  if (phone) return <Typography.Text copyable data-testid="revealed-phone">{phone}</Typography.Text>;
  const may = settings.data?.youMayReveal ?? false;
  const submit = async () => {
    setBusy(true);
    try {
      setPhone((await post<{ phone: string }>('/support/reveal', { ...target, reason: reason.trim() })).phone);
      setOpen(false);
    } catch (e) {
      message.error(e instanceof ApiError && e.status === 403 ? t('sup.reveal.noRight') : t('common.failed', { msg: (e as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      <span data-testid="masked-phone">{masked}</span>{' '}
      <Tooltip title={may ? t('sup.reveal') : t('sup.reveal.noRight')}>
        <Button size="small" type="link" icon={<EyeOutlined />} disabled={!may} onClick={() => setOpen(true)} data-testid="reveal-open" />
      </Tooltip>
      <Modal open={open} title={t('sup.reveal.title')} onCancel={() => setOpen(false)} onOk={submit} okButtonProps={{ disabled: reason.trim().length < 2, loading: busy, 'data-testid': 'reveal-submit' } as any}>
        <Input.TextArea rows={3} placeholder={t('sup.reveal.reason')} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} data-testid="reveal-reason" />
      </Modal>
    </span>
  );
}
