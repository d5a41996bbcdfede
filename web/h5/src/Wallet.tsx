import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { t } from './i18n.ts';

const AMOUNTS = ['20.00', '50.00', '100.00', '200.00', '300.00', '500.00'];

export function Wallet() {
  const [w, setW] = useState<{ phone: string; balance: string } | null>(null);
  const [amount, setAmount] = useState('50.00');
  const [msg, setMsg] = useState<{ ok?: string; err?: string }>({});
  const [busy, setBusy] = useState(false);
  const load = () => api('GET', '/h5/wallet').then(setW).catch((e) => setMsg({ err: e.message }));
  useEffect(() => {
    load();
    const id = setInterval(load, 5000);
    return () => clearInterval(id);
  }, []);
  const pay = async () => {
    if (!w) return;
    setBusy(true);
    setMsg({});
    try {
      const r = await api('POST', '/topups', { phone: w.phone, amount, channel: 'wechatpay_h5' });
      const p = r.payParams ?? {};
      const url = p.h5Url ?? p.h5_url ?? p.mwebUrl ?? p.mweb_url;
      setMsg({ ok: t('topupPending') });
      if (url) {
        // WeChat's H5 cashier returns to this page afterwards
        const back = encodeURIComponent(location.href);
        location.href = url + (url.includes('?') ? '&' : '?') + `redirect_url=${back}`;
      }
    } catch (e) {
      setMsg({ err: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <div className="card">
        <div className="muted">{t('balance')}</div>
        <div className="price" data-testid="h5-wallet-balance">
          ¥{w?.balance ?? '—'}
        </div>
        <div className="muted">{w?.phone}</div>
      </div>
      <div className="card">
        <h2>{t('topup')}</h2>
        <div className="amounts">
          {AMOUNTS.map((a) => (
            <button key={a} className={a === amount ? 'on' : ''} onClick={() => setAmount(a)}>
              ¥{a.replace('.00', '')}
            </button>
          ))}
        </div>
        {msg.err && <div className="err">{msg.err}</div>}
        {msg.ok && <div className="ok">{msg.ok}</div>}
        <button className="btn" disabled={busy || !w} onClick={pay} data-testid="h5-pay">
          {t('pay')} ¥{amount}
        </button>
      </div>
    </>
  );
}
