import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const COLORS: Record<string, string> = {
  Available: 'green',
  Preparing: 'cyan',
  Charging: 'blue',
  SuspendedEV: 'gold',
  SuspendedEVSE: 'gold',
  Finishing: 'purple',
  Reserved: 'magenta',
  Faulted: 'red',
  Unavailable: 'default',
  Offline: 'default',
};
export const STATUS_HEX: Record<string, string> = {
  Available: '#52c41a',
  Preparing: '#13c2c2',
  Charging: '#1677ff',
  SuspendedEV: '#faad14',
  SuspendedEVSE: '#d4b106',
  Finishing: '#722ed1',
  Reserved: '#eb2f96',
  Faulted: '#f5222d',
  Unavailable: '#8c8c8c',
  Offline: '#bfbfbf',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <Tag color={COLORS[status] ?? 'default'} data-testid={`status-${status}`}>
      {t(`st.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function PeriodTag({ type }: { type: string }) {
  const { t } = useTranslation();
  const c: Record<string, string> = { sharp: 'red', peak: 'orange', flat: 'blue', valley: 'green' };
  return <Tag color={c[type] ?? 'default'}>{t(`period.${type}`, { defaultValue: type })}</Tag>;
}
