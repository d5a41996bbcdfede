import { useEffect, useState } from 'react';
import { api, auth, go, operatorId } from './api.ts';
import { t } from './i18n.ts';
import { Note, errorText } from './Note.tsx';

export function Login() {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [wait, setWait] = useState(0);
  const [msg, setMsg] = useState<{ ok?: string; err?: string }>({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (wait <= 0) return;
    const id = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);
  const send = async () => {
    setMsg({});
    try {
      const r = await api('POST', '/driver-auth/code', { operatorId, phone: phone.trim() });
      setWait(r.resendAfterSeconds ?? 60);
      setMsg({ ok: t('codeSent') });
    } catch (e) {
      setMsg({ err: errorText(e) });
    }
  };
  const login = async () => {
    setBusy(true);
    setMsg({});
    try {
      const r = await api('POST', '/driver-auth/login', { operatorId, phone: phone.trim(), code: code.trim() });
      auth.set(r.token);
      // back where the driver was: a route ('/wallet') or the gun they scanned ('?c=...&g=...')
      const next = new URLSearchParams(location.search).get('next') ?? '';
      if (next.startsWith('?')) go('', next);
      else go(next.startsWith('/') ? next : '');
    } catch (e) {
      setMsg({ err: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card">
      <h2>{t('login')}</h2>
      <label>{t('phone')}</label>
      <input inputMode="tel" autoComplete="tel" value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="h5-phone" />
      <label>{t('code')}</label>
      <div className="row">
        <input inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} data-testid="h5-code" />
        <button className="btn small ghost" disabled={wait > 0 || !phone.trim()} onClick={send} data-testid="h5-get-code">
          {wait > 0 ? t('resend', { s: wait }) : t('getCode')}
        </button>
      </div>
      <Note text={msg.err} onClose={() => setMsg({})} />
      <Note text={msg.ok} kind="ok" onClose={() => setMsg({})} testId="h5-notice" />
      <button className="btn" disabled={busy || code.length !== 6} onClick={login} data-testid="h5-login">
        {t('login')}
      </button>
    </div>
  );
}
