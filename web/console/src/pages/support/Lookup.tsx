import { useEffect, useState } from 'react';
import { Alert, Button, Card, DatePicker, Input, Select, Space } from 'antd';
import { SearchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Dayjs } from 'dayjs';
import { fromPicker } from '../../zone.ts';
import { get, qs, type ApiError } from '../../api.ts';
import { useApi } from '../../hooks.ts';
import { navigate, useLocation } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { SessionTable, type SupportSession } from './sessionColumns.tsx';

interface Answer {
  sessions: SupportSession[];
  topup?: { outTradeNo: string; phoneMasked: string | null; amount: string; status: string };
}

/** Look-up by any key (the header box lands here with ?q=) or by station and time window. */
export function SupportLookup() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const [text, setText] = useState(q);
  const [stationId, setStationId] = useState<string | undefined>(search.get('stationId') ?? undefined);
  const [win, setWin] = useState<[Dayjs, Dayjs] | null>(null);
  const stations = useApi<{ items: { id: string; name: string }[] }>('/stations');
  const [data, setData] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const run = async (params: Record<string, unknown>) => {
    setLoading(true);
    try {
      setData(await get<Answer>(`/support/lookup${qs(params)}`));
      setError(null);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    setText(q);
    if (q) run({ q });
  }, [q]);
  const byWindow = () => {
    if (!win) return;
    run({ stationId, from: fromPicker(win[0]), to: fromPicker(win[1]) });
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('sup.lookup.title')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input.Search
            enterButton={<SearchOutlined />}
            placeholder={t('sup.lookup.placeholder')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => v.trim() && navigate(`/support/lookup?q=${encodeURIComponent(v.trim())}`)}
            style={{ maxWidth: 640 }}
            data-testid="lookup-input"
          />
          <Space wrap>
            <Select allowClear placeholder={t('station')} style={{ width: 200 }} value={stationId} onChange={setStationId} options={(stations.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))} data-testid="lookup-station" />
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" value={win as any} onChange={(v) => setWin(v as any)} data-testid="lookup-window" />
            <Button onClick={byWindow} disabled={!win} data-testid="lookup-window-search">
              {t('common.search')}
            </Button>
          </Space>
          <Alert type="info" showIcon message={t('sup.lookup.hint')} />
        </Space>
      </Card>
      <ApiErrorAlert error={error} />
      {data?.topup && (
        <Alert
          type="info"
          showIcon
          data-testid="lookup-topup"
          message={t('sup.lookup.topup', { no: data.topup.outTradeNo, phone: data.topup.phoneMasked, amount: data.topup.amount, status: data.topup.status })}
        />
      )}
      <Card>
        <SessionTable rows={data?.sessions ?? []} loading={loading} emptyText={data ? t('sup.lookup.none') : ' '} testId="lookup-table" />
      </Card>
    </Space>
  );
}
