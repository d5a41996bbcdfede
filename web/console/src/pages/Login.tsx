import { useState } from 'react';
import { Button, Card, Form, Input, Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { post, session, type Me } from '../api.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';

export function Login({ onLogin }: { onLogin: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ token: string; role: Me['role']; operatorId: string | null; enterpriseId: string | null; username: string }>('/auth/login', v);
      session.save(r.token, { username: r.username, role: r.role, operatorId: r.operatorId, enterpriseId: r.enterpriseId });
      onLogin();
    } catch (e) {
      setError(t('login.failed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ minHeight: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(135deg,#e6f4ff,#f0f5ff 60%,#fff)' }}>
      <div style={{ position: 'absolute', top: 16, right: 24 }}>
        <LangSwitch />
      </div>
      <Card style={{ width: 380 }} data-testid="login-card">
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          ⚡ {t('app.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {t('login.title')}
        </Typography.Paragraph>
        {error && <Alert type="error" message={error} showIcon style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true }]}>
            <Input data-testid="login-username" autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true }]}>
            <Input.Password data-testid="login-password" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
