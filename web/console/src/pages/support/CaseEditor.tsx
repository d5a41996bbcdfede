import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Form, Image, Input, List, Popconfirm, Radio, Row, Select, Space, Timeline, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined, DeleteOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { del, download, patch, post, session, ApiError } from '../../api.ts';
import { useApi } from '../../hooks.ts';
import { navigate } from '../../router.ts';
import { ApiErrorAlert } from '../../components/ApiErrorAlert.tsx';
import { RevealButton } from '../../components/RevealButton.tsx';
import { fmtTime } from '../../format.ts';
import { CASE_STATUSES, CaseStatusTag } from './caseStatus.tsx';

const FIELDS = ['date', 'city', 'operator', 'stationName', 'phone', 'orderNo', 'chargerId', 'connectorId', 'startTime', 'endTime', 'duration', 'energyKwh', 'amount', 'networkState', 'recentFaults'] as const;
const READ_ONLY = new Set(['date', 'phone']);

function authHeaders(): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${session.token()}` };
  const op = session.operator();
  if (op && session.me()?.role === 'platform_admin') h['x-operator-id'] = op;
  return h;
}

/** An image attachment shown from the API (the bearer token cannot ride on an <img src>). */
function Thumb({ url }: { url: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let u: string | null = null;
    fetch(url, { headers: authHeaders() })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => b && setSrc((u = URL.createObjectURL(b))));
    return () => {
      if (u) URL.revokeObjectURL(u);
    };
  }, [url]);
  return src ? <Image src={src} width={96} /> : null;
}

/** One case: the template's fields, texts, status, follow-up, analysis entries, attachments, exports. */
export function CaseEditor({ params }: { params: { id: string } }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const c = useApi<any>(`/support/cases/${params.id}`);
  const [form] = Form.useForm();
  const [entry, setEntry] = useState({ author: '', text: '' });
  const d = c.data;
  useEffect(() => {
    if (d) form.setFieldsValue({ status: d.status, description: d.description, operatorFindings: d.operatorFindings, resolution: d.resolution, assignees: d.assignees, fields: d.fields });
  }, [d, form]);
  const fail = (e: unknown) => message.error(t('common.failed', { msg: (e as Error).message }));
  const save = async (v: any) => {
    const fields = Object.fromEntries(Object.entries(v.fields ?? {}).filter(([k]) => !READ_ONLY.has(k)));
    try {
      c.setData(await patch(`/support/cases/${params.id}`, { status: v.status, description: v.description ?? '', operatorFindings: v.operatorFindings ?? '', resolution: v.resolution ?? '', assignees: v.assignees ?? [], fields }));
      message.success(t('common.saved'));
    } catch (e) {
      fail(e);
    }
  };
  const addEntry = async () => {
    try {
      c.setData(await post(`/support/cases/${params.id}/analysis`, { text: entry.text, ...(entry.author.trim() ? { author: entry.author.trim() } : {}) }));
      setEntry({ author: entry.author, text: '' });
    } catch (e) {
      fail(e);
    }
  };
  const upload = async (file: File) => {
    const res = await fetch(`/api/v1/support/cases/${params.id}/attachments?filename=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { ...authHeaders(), 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, body?.error?.code ?? String(res.status), body?.error?.message ?? res.statusText);
    c.setData(body.case);
  };
  const exp = (format: 'md' | 'xlsx') => download(`/support/cases/${params.id}/export?format=${format}`, `${d?.caseNo}.${format}`).then((name) => message.success(t('order.exported', { name })), fail);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space>
        <Button onClick={() => navigate('/support/cases')}>← {t('common.back')}</Button>
        <Button icon={<DownloadOutlined />} onClick={() => exp('md')} data-testid="case-export-md">
          {t('sup.case.exportMd')}
        </Button>
        <Button icon={<DownloadOutlined />} onClick={() => exp('xlsx')} data-testid="case-export-xlsx">
          {t('sup.case.exportXlsx')}
        </Button>
        {d?.orderNo && <Button onClick={() => navigate(`/support/story/${d.orderNo}`)}>{t('sup.story')}</Button>}
      </Space>
      <ApiErrorAlert error={c.error} />
      {d && (
        <Form form={form} layout="vertical" onFinish={save}>
          <Card
            title={
              <Space>
                <span data-testid="case-title">{d.caseNo}</span>
                <CaseStatusTag status={d.status} t={t} />
              </Space>
            }
            extra={
              <Button type="primary" htmlType="submit" data-testid="case-save">
                {t('common.save')}
              </Button>
            }
          >
            <Form.Item name="status" label={t('common.status')}>
              <Radio.Group optionType="button" options={CASE_STATUSES.map((s) => ({ value: s, label: t(`sup.cst.${s}`) }))} data-testid="case-status" />
            </Form.Item>
            <Typography.Title level={5}>{t('sup.case.fields')}</Typography.Title>
            <Row gutter={16}>
              {FIELDS.map((k) => (
                <Col key={k} xs={24} md={12} xl={8}>
                  {k === 'phone' ? (
                    <Form.Item label={t('sup.f.phone')}>
                      <RevealButton masked={d.phoneMasked} target={{ caseId: d.id }} />
                    </Form.Item>
                  ) : (
                    <Form.Item name={['fields', k]} label={t(`sup.f.${k}`)}>
                      <Input disabled={READ_ONLY.has(k)} data-testid={`case-field-${k}`} />
                    </Form.Item>
                  )}
                </Col>
              ))}
            </Row>
            <Form.Item name="description" label={t('sup.case.description')}>
              <Input.TextArea rows={3} data-testid="case-description" />
            </Form.Item>
            <Form.Item name="operatorFindings" label={t('sup.case.findings')}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Form.Item name="resolution" label={t('sup.case.resolution')}>
              <Input.TextArea rows={3} data-testid="case-resolution" />
            </Form.Item>
            <Form.Item name="assignees" label={t('sup.case.assignees')}>
              <Select mode="tags" tokenSeparators={[',', '、']} open={false} data-testid="case-assignees" />
            </Form.Item>
          </Card>
        </Form>
      )}
      {d && (
        <Card title={t('sup.case.analysis')} data-testid="case-analysis">
          <Timeline
            items={d.analysis.map((a: any) => ({
              children: (
                <div>
                  <b>【{a.author}】</b>:{a.text}
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {a.createdBy} · {fmtTime(a.createdAt)}
                    </Typography.Text>
                  </div>
                </div>
              ),
            }))}
          />
          <Space.Compact style={{ width: '100%' }}>
            <Input style={{ width: 140 }} placeholder={t('sup.case.author')} value={entry.author} onChange={(e) => setEntry({ ...entry, author: e.target.value })} data-testid="analysis-author" />
            <Input placeholder={t('sup.case.analysis')} value={entry.text} onChange={(e) => setEntry({ ...entry, text: e.target.value })} onPressEnter={addEntry} data-testid="analysis-text" />
            <Button type="primary" disabled={!entry.text.trim()} onClick={addEntry} data-testid="analysis-add">
              {t('sup.case.addAnalysis')}
            </Button>
          </Space.Compact>
        </Card>
      )}
      {d && (
        <Card
          title={t('sup.case.attachments')}
          extra={
            <Upload
              showUploadList={false}
              customRequest={({ file, onSuccess, onError }) =>
                upload(file as File).then(
                  () => onSuccess?.({}),
                  (e) => (fail(e), onError?.(e)),
                )
              }
            >
              <Button icon={<UploadOutlined />} data-testid="case-upload">
                {t('sup.case.upload')}
              </Button>
            </Upload>
          }
        >
          <List
            data-testid="case-attachments"
            dataSource={d.attachments}
            locale={{ emptyText: t('sup.part.empty') }}
            renderItem={(a: any) => (
              <List.Item
                actions={[
                  <Popconfirm key="del" title="?" onConfirm={() => del(`/support/cases/${params.id}/attachments/${a.id}`).then(() => c.reload(), fail)}>
                    <Button size="small" icon={<DeleteOutlined />} />
                  </Popconfirm>,
                ]}
              >
                <Space>
                  {a.contentType.startsWith('image/') && <Thumb url={`/api/v1/support/cases/${params.id}/attachments/${a.id}`} />}
                  <Typography.Link onClick={() => download(`/support/cases/${params.id}/attachments/${a.id}`, a.filename).catch(fail)}>{a.filename}</Typography.Link>
                  <Typography.Text type="secondary">
                    {(a.size / 1024).toFixed(1)} KB · {a.createdBy} · {fmtTime(a.createdAt)}
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </Card>
      )}
    </Space>
  );
}
