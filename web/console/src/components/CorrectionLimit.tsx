import { useEffect, useState } from 'react';
import { App, Button, Card, Input, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { put } from '../api.ts';
import { useApi } from '../hooks.ts';
import { isStaff } from '../roles.ts';
import { ApiErrorAlert } from './ApiErrorAlert.tsx';

const YUAN = /^\d{1,9}(\.\d{1,2})?$/;

/**
 * The operator's daily correction limit for operator_staff (GET/PUT /order-settings, docs/orders.md).
 * Staff see it read-only: the PUT is for admins, so no save button is shown to them (issue 18.7).
 */
export function CorrectionLimit() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const s = useApi<{ staffDailyCorrectionLimit: string }>('/order-settings');
  const [value, setValue] = useState('');
  useEffect(() => {
    if (s.data) setValue(s.data.staffDailyCorrectionLimit);
  }, [s.data]);
  const canEdit = !isStaff();
  const valid = YUAN.test(value.trim());
  const save = async () => {
    try {
      s.setData(await put('/order-settings', { staffDailyCorrectionLimit: value.trim() }));
      message.success(t('common.saved'));
    } catch (e) {
      message.error(t('common.failed', { msg: (e as Error).message }));
    }
  };
  return (
    <Card
      title={t('set.correctionLimit')}
      extra={
        canEdit && (
          <Button type="primary" disabled={!s.data || !valid} onClick={save} data-testid="correction-limit-save">
            {t('common.save')}
          </Button>
        )
      }
    >
      <ApiErrorAlert error={s.error} />
      <Space direction="vertical">
        <Space>
          <Input
            value={value}
            readOnly={!canEdit}
            status={valid || !s.data ? undefined : 'error'}
            onChange={(e) => setValue(e.target.value)}
            style={{ width: 160 }}
            data-testid="correction-limit"
          />
          {t('common.yuan')}
        </Space>
        <Typography.Text type="secondary">{t('set.correctionLimitHelp')}</Typography.Text>
      </Space>
    </Card>
  );
}
