import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.ts';

/** A screen whose API is missing (404/501) says so plainly instead of showing an empty table. */
export function ApiErrorAlert({ error }: { error: ApiError | null | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  const missing = error.status === 404 && /no route/.test(error.message);
  return (
    <Alert
      type={missing ? 'info' : 'error'}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="api-error"
      message={missing || error.status === 501 ? t('common.notAvailable', { msg: error.message }) : t('common.failed', { msg: error.message })}
    />
  );
}
