import { App, Card, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { put } from '../../api.ts';
import { useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { ApiTable, usePagedApi } from '../../components/ApiTable.tsx';
import { fmtTime } from '../../format.ts';

/** The reveal audit (who, when, which number, why) and whether operator staff may reveal. Admins only. */
export function SupportReveals() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = usePagedApi('/support/reveals', {}, { pageSize: 50, showTotal: false });
  const settings = useApi<{ staffMayReveal: boolean }>('/support/settings');
  const toggle = (v: boolean) =>
    put('/support/settings', { staffMayReveal: v })
      .then((s: any) => (settings.setData(s), message.success(t('common.saved'))))
      .catch((e) => message.error(t('common.failed', { msg: e.message })));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card>
        <Space>
          <Switch checked={settings.data?.staffMayReveal ?? false} onChange={toggle} data-testid="staff-may-reveal" />
          {t('sup.settings.staffMayReveal')}
        </Space>
      </Card>
      <ApiTable
        api={list}
        title={t('sup.reveals')}
        rowKey="id"
        data-testid="reveals-table"
        columns={[
          { title: t('common.time'), dataIndex: 'at', width: 160, render: fmtTime },
          { title: t('sup.reveals.actor'), dataIndex: 'actor', width: 140, render: (v: string, r: any) => `${v} (${t(`role.${r.actorRole}`, { defaultValue: r.actorRole })})` },
          { title: t('sup.phone'), dataIndex: 'phone', width: 130 },
          { title: t('sup.reveals.via'), dataIndex: 'via', width: 100, render: (v: string) => t(`sup.reveals.via.${v}`) },
          { title: t('order.no'), dataIndex: 'orderNo', width: 200, render: (v: string | null) => (v ? <Typography.Link onClick={() => navigate(`/support/story/${v}`)}>{v}</Typography.Link> : '-') },
          { title: t('order.reason'), dataIndex: 'reason' },
        ]}
        pagination={list.pagination}
        />
    </Space>
  );
}
