import { useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Progress, Select, Space, Table, Tabs, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../hooks.ts';
import { post, put, session, uploadRaw, qs, type ApiError } from '../../api.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { fmtTime } from '../../format.ts';

export const CAMPAIGN_COLOR: Record<string, string> = { running: 'processing', paused: 'default', halted: 'error', completed: 'success' };
const SEVERITY_COLOR: Record<string, string> = { low: 'blue', medium: 'gold', high: 'orange', critical: 'red' };

export interface WaveProgress {
  wave: number;
  total: number;
  succeeded: number;
  failed: number;
  inProgress: number;
}

/** One wave as a bar: green succeeded, red failed (antd's success segment + the rest). */
export function WaveBar({ w, testId }: { w: WaveProgress; testId?: string }) {
  const { t } = useTranslation();
  const done = w.succeeded + w.failed;
  return (
    <Tooltip title={t('fw.waveFigures', { s: w.succeeded, f: w.failed, p: w.inProgress, t: w.total })}>
      <div data-testid={testId} style={{ minWidth: 120 }}>
        <Progress
          size="small"
          percent={w.total ? Math.round((done * 100) / w.total) : 0}
          success={{ percent: w.total ? Math.round((w.succeeded * 100) / w.total) : 0 }}
          strokeColor="#ff4d4f"
          format={() => `${w.succeeded}/${w.total}`}
        />
      </div>
    </Tooltip>
  );
}

/** Firmware (issue 13): campaigns with their waves, a new campaign, the inventory by version, the advisories. */
export function Firmware() {
  const { t } = useTranslation();
  const admin = session.me()?.role !== 'operator_staff';
  return (
    <Card>
      <Tabs
        defaultActiveKey={new URLSearchParams(location.search).get('tab') ?? 'campaigns'}
        items={[
          { key: 'campaigns', label: t('fw.campaigns'), children: <Campaigns admin={admin} /> },
          { key: 'inventory', label: t('fw.inventory'), children: <Inventory /> },
          { key: 'advisories', label: t('fw.advisories'), children: <Advisories admin={admin} /> },
        ]}
      />
    </Card>
  );
}

function Campaigns({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const list = useApi<{ items: any[] }>('/firmware/campaigns', { pollMs: 3000 });
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {admin && <NewCampaign onCreated={(id) => navigate(`/firmware/campaigns/${id}`)} />}
      <ApiErrorAlert error={list.error} />
      <Table
        size="small"
        rowKey="id"
        data-testid="fw-campaigns"
        dataSource={list.data?.items ?? []}
        onRow={(r) => ({ onClick: () => navigate(`/firmware/campaigns/${r.id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: '#', dataIndex: 'id', width: 60 },
          { title: t('fw.file'), render: (_: unknown, r: any) => `${r.file.name} → ${r.file.version}` },
          { title: t('fw.target'), dataIndex: 'target', render: (x: any) => targetText(x, t) },
          { title: t('fw.status'), dataIndex: 'status', render: (s: string) => <Tag color={CAMPAIGN_COLOR[s]}>{t(`fw.status.${s}`)}</Tag> },
          {
            title: t('fw.progress'),
            render: (_: unknown, r: any) => (
              <Space>
                {r.progress.map((w: WaveProgress) => (
                  <WaveBar key={w.wave} w={w} testId={`fw-list-wave-${r.id}-${w.wave}`} />
                ))}
              </Space>
            ),
          },
          { title: t('common.time'), dataIndex: 'createdAt', render: fmtTime },
        ]}
      />
    </Space>
  );
}

export const targetText = (x: any, t: (k: string) => string) => {
  const k = ['advisoryId', 'model', 'version', 'chargerIds'].find((k) => x?.[k] !== undefined);
  return k ? `${t(`fw.target.${k}`)}: ${Array.isArray(x[k]) ? x[k].join(', ') : x[k]}` : '-';
};

/** Upload a file (the raw body, stored with its SHA-256), then a campaign over it. */
function NewCampaign({ onCreated }: { onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const files = useApi<{ items: any[] }>('/firmware/files');
  const advisories = useApi<{ items: any[] }>('/firmware/advisories');
  const [form] = Form.useForm();
  const [file, setFile] = useState<File | null>(null);
  const [version, setVersion] = useState('');
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<ApiError | null>(null);
  const kind = Form.useWatch('kind', form) ?? 'advisoryId';

  const uploadFile = async () => {
    setBusy(true);
    setErr(null);
    try {
      const f = await uploadRaw(`/firmware/files${qs({ name: file!.name, version: version.trim() })}`, file!);
      message.success(t('fw.uploaded', { name: f.name, sha: f.sha256.slice(0, 12) }));
      await files.reload(true);
      form.setFieldValue('fileId', f.id);
    } catch (e) {
      setErr(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const create = async () => {
    const v = await form.validateFields();
    const value = String(v.value).trim();
    const target = { [v.kind]: v.kind === 'chargerIds' ? value.split(/[\s,，]+/).filter(Boolean) : value };
    const waves = String(v.waves ?? '').trim() ? String(v.waves).split(/[\s,，]+/).filter(Boolean).map(Number) : undefined;
    setBusy(true);
    setErr(null);
    try {
      const c = await post('/firmware/campaigns', { fileId: v.fileId, target, ...(waves ? { waves } : {}), ...(v.threshold != null ? { failureThreshold: v.threshold } : {}) });
      message.success(t('fw.created', { id: c.id }));
      onCreated(c.id);
    } catch (e) {
      setErr(e as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small" title={t('fw.newCampaign')}>
      <Space wrap style={{ marginBottom: 12 }}>
        <span>{t('fw.upload')}</span>
        <input type="file" data-testid="fw-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <Input placeholder={t('fw.fileVersion')} style={{ width: 160 }} value={version} onChange={(e) => setVersion(e.target.value)} data-testid="fw-file-version" />
        <Button disabled={!file || !version.trim()} loading={busy} onClick={uploadFile} data-testid="fw-upload">
          {t('fw.upload')}
        </Button>
      </Space>
      <Form form={form} layout="inline" initialValues={{ kind: 'advisoryId', waves: '5, 25, 100', threshold: 20 }} data-testid="fw-form">
        <Form.Item name="fileId" label={t('fw.file')} rules={[{ required: true }]}>
          <Select style={{ width: 240 }} data-testid="fw-file-select" options={(files.data?.items ?? []).map((f) => ({ value: f.id, label: `${f.name} (${f.version})` }))} />
        </Form.Item>
        <Form.Item name="kind" label={t('fw.target')}>
          <Select style={{ width: 200 }} data-testid="fw-target-kind" options={['advisoryId', 'model', 'version', 'chargerIds'].map((k) => ({ value: k, label: t(`fw.target.${k}`) }))} />
        </Form.Item>
        <Form.Item name="value" label={t('fw.targetValue')} rules={[{ required: true }]}>
          {kind === 'advisoryId' ? (
            <Select style={{ width: 200 }} data-testid="fw-target-value" options={(advisories.data?.items ?? []).map((a) => ({ value: a.id, label: a.id }))} />
          ) : (
            <Input style={{ width: 260 }} data-testid="fw-target-value" />
          )}
        </Form.Item>
        <Form.Item name="waves" label={t('fw.waves')}>
          <Input style={{ width: 140 }} data-testid="fw-waves" />
        </Form.Item>
        <Form.Item name="threshold" label={t('fw.threshold')}>
          <InputNumber min={0} max={100} data-testid="fw-threshold" />
        </Form.Item>
        <Button type="primary" loading={busy} onClick={create} data-testid="fw-create">
          {t('fw.create')}
        </Button>
      </Form>
      <div style={{ marginTop: 12 }}>
        <ApiErrorAlert error={err} />
      </div>
    </Card>
  );
}

/** Chargers by vendor, model and version; the rows an advisory names are highlighted, then every charger. */
function Inventory() {
  const { t } = useTranslation();
  const inv = useApi<{ items: any[] }>('/firmware/inventory', { pollMs: 10000 });
  const items = inv.data?.items ?? [];
  const byVersion = useMemo(() => {
    const m = new Map<string, { key: string; vendor: string; model: string; firmwareVersion: string; count: number; advisories: string[] }>();
    for (const c of items) {
      const key = `${c.vendor ?? ''}|${c.model ?? ''}|${c.firmwareVersion ?? ''}`;
      const g = m.get(key) ?? { key, vendor: c.vendor ?? '-', model: c.model ?? '-', firmwareVersion: c.firmwareVersion ?? '-', count: 0, advisories: [] as string[] };
      g.count++;
      for (const a of c.advisories) if (!g.advisories.includes(a)) g.advisories.push(a);
      m.set(key, g);
    }
    return [...m.values()].sort((a, b) => a.key.localeCompare(b.key));
  }, [items]);
  const flagged = (r: { advisories: string[] }) => (r.advisories.length ? { style: { background: '#fff1f0' } } : {});
  const advCol = { title: t('fw.flagged'), dataIndex: 'advisories', render: (a: string[]) => (a.length ? a.map((x) => <Tag key={x} color="red">{`${x} · ${t('fw.vulnerable')}`}</Tag>) : '-') };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <ApiErrorAlert error={inv.error} />
      <Card size="small" title={t('fw.byVersion')}>
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          data-testid="fw-by-version"
          dataSource={byVersion}
          onRow={flagged}
          columns={[
            { title: t('fw.vendor'), dataIndex: 'vendor' },
            { title: t('fw.model'), dataIndex: 'model' },
            { title: t('fw.version'), dataIndex: 'firmwareVersion' },
            { title: t('fw.count'), dataIndex: 'count', align: 'right' as const },
            advCol,
          ]}
        />
      </Card>
      <Table
        size="small"
        rowKey="chargerId"
        data-testid="fw-inventory"
        dataSource={items}
        onRow={(r) => ({ ...flagged(r), onClick: () => navigate(`/chargers/${encodeURIComponent(r.chargerId)}`) })}
        columns={[
          { title: t('inc.charger'), dataIndex: 'chargerId' },
          { title: t('inc.station'), dataIndex: 'stationId' },
          { title: t('fw.vendor'), dataIndex: 'vendor' },
          { title: t('fw.model'), dataIndex: 'model' },
          { title: t('fw.version'), dataIndex: 'firmwareVersion' },
          advCol,
        ]}
      />
    </Space>
  );
}

/** The operator's advisories, edited as a list and saved whole (PUT replaces it). */
function Advisories({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const adv = useApi<{ items: any[] }>('/firmware/advisories');
  const [rows, setRows] = useState<any[] | null>(null);
  const [err, setErr] = useState<ApiError | null>(null);
  const [form] = Form.useForm();
  const shown = rows ?? adv.data?.items ?? [];
  const save = async () => {
    setErr(null);
    try {
      const r = await put('/firmware/advisories', { items: shown });
      setRows(null);
      adv.setData(r);
      message.success(t('fw.adv.saved'));
    } catch (e) {
      setErr(e as ApiError);
    }
  };
  const add = async () => {
    const v = await form.validateFields();
    setRows([...shown.filter((a) => a.id !== v.id.trim()), { ...v, id: v.id.trim() }]);
    form.resetFields();
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <ApiErrorAlert error={adv.error ?? err} />
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        data-testid="fw-advisories"
        dataSource={shown}
        columns={[
          { title: t('fw.adv.id'), dataIndex: 'id' },
          { title: t('fw.vendor'), dataIndex: 'vendor' },
          { title: t('fw.adv.modelPattern'), dataIndex: 'modelPattern', render: (p: string) => <code>{p}</code> },
          { title: t('fw.adv.versionPattern'), dataIndex: 'versionPattern', render: (p: string) => <code>{p}</code> },
          { title: t('fw.adv.severity'), dataIndex: 'severity', render: (s: string) => <Tag color={SEVERITY_COLOR[s]}>{t(`fw.adv.severity.${s}`)}</Tag> },
          { title: t('fw.adv.text'), dataIndex: 'text' },
          ...(admin ? [{ title: '', render: (_: unknown, r: any) => <a onClick={() => setRows(shown.filter((a) => a.id !== r.id))}>{t('fw.adv.remove')}</a> }] : []),
        ]}
      />
      {admin && (
        <>
          <Form form={form} layout="inline" initialValues={{ severity: 'high', modelPattern: '.*', versionPattern: '.*' }} data-testid="fw-adv-form">
            <Form.Item name="id" rules={[{ required: true }]}>
              <Input placeholder={t('fw.adv.id')} style={{ width: 100 }} />
            </Form.Item>
            <Form.Item name="vendor" rules={[{ required: true }]}>
              <Input placeholder={t('fw.vendor')} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item name="modelPattern" rules={[{ required: true }]}>
              <Input placeholder={t('fw.adv.modelPattern')} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="versionPattern" rules={[{ required: true }]}>
              <Input placeholder={t('fw.adv.versionPattern')} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="severity">
              <Select style={{ width: 100 }} options={['low', 'medium', 'high', 'critical'].map((s) => ({ value: s, label: t(`fw.adv.severity.${s}`) }))} />
            </Form.Item>
            <Form.Item name="text" rules={[{ required: true }]}>
              <Input placeholder={t('fw.adv.text')} style={{ width: 260 }} />
            </Form.Item>
            <Button onClick={add}>{t('fw.adv.add')}</Button>
          </Form>
          <Button type="primary" disabled={rows === null} onClick={save} data-testid="fw-adv-save">
            {t('fw.adv.save')}
          </Button>
        </>
      )}
    </Space>
  );
}
