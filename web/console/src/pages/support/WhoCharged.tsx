import { useEffect, useState } from 'react';
import { Alert, Button, Card, DatePicker, Form, Select, Space } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { fromPicker, pickerNow, toPicker } from '../../zone.ts';
import { get, qs, type ApiError } from '../../api.ts';
import { useApi } from '../../hooks.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { useLocation } from '../../router.ts';
import { SessionTable, type SupportSession } from './sessionColumns.tsx';

/** Case 3: a station and a time window → every session that occupied a connector then, with one-click cases. */
export function WhoCharged() {
  const { t } = useTranslation();
  const stations = useApi<{ items: { id: string; name: string }[] }>('/stations');
  const [data, setData] = useState<{ sessions: SupportSession[]; truncated: boolean } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const search = async (f: { stationId: string; window: [Dayjs, Dayjs] }) => {
    setLoading(true);
    try {
      setData(await get(`/support/who-charged${qs({ stationId: f.stationId, from: fromPicker(f.window[0]), to: fromPicker(f.window[1]) })}`));
      setError(null);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setLoading(false);
    }
  };
  // a link may carry the question: ?stationId=&from=&to=
  const { search: params } = useLocation();
  const [form] = Form.useForm();
  useEffect(() => {
    const stationId = params.get('stationId');
    const from = params.get('from');
    const to = params.get('to');
    if (!stationId || !from || !to) return;
    const f = { stationId, window: [toPicker(from), toPicker(to)] as [Dayjs, Dayjs] };
    form.setFieldsValue(f);
    search(f);
  }, []);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('sup.who.title')}>
        <Form form={form} layout="inline" onFinish={search} initialValues={{ window: [pickerNow().subtract(2, 'hour').startOf('minute'), pickerNow().startOf('minute')] }} style={{ rowGap: 12 }}>
          <Form.Item name="stationId" label={t('station')} rules={[{ required: true }]}>
            <Select style={{ width: 200 }} options={(stations.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} data-testid="who-station" />
          </Form.Item>
          <Form.Item name="window" label={t('order.window')} rules={[{ required: true }]}>
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" data-testid="who-window" />
          </Form.Item>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="who-search">
            {t('common.search')}
          </Button>
        </Form>
      </Card>
      <ApiErrorAlert error={error} />
      {data?.truncated && <Alert type="warning" showIcon message={t('sup.who.truncated')} />}
      <Card>
        <SessionTable rows={data?.sessions ?? []} loading={loading} testId="who-table" />
      </Card>
    </Space>
  );
}
