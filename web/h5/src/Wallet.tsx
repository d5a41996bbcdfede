import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { t } from './i18n.ts';
import { Note, errorText } from './Note.tsx';

const AMOUNTS = ['20.00', '50.00', '100.00', '200.00', '300.00', '500.00'];

/** Back from the cashier (?topup=...): the top-up's state until it is credited. */
function TopupStatus({ outTradeNo, onCredited }: { outTradeNo: string; onCredited: () => void }) {
  const [st, setSt] = useState<{ status: string; amount: string } | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      api('GET', `/topups/${encodeURIComponent(outTradeNo)}`)
        .then((x) => {
          if (!alive) return;
          setSt(x);
          if (x.status === 'credited') onCredited();
        })
        .catch(() => {});
    load();
    const id = setInterval(load, 2000);
    return () => ((alive = false), clearInterval(id));
  }, [outTradeNo]);
  if (!st) return null;
  return (
    <div className="card" data-testid="h5-topup-status">
      <div className="between">
        <span>
          {t('topup')} ¥{st.amount}
        </span>
        <b className={st.status === 'credited' ? 'ok' : 'muted'}>{st.status === 'credited' ? t('credited') : t('topupPending')}</b>
      </div>
    </div>
  );
}

export function Wallet() {
  const topup = new URLSearchParams(location.search).get('topup');
  const [w, setW] = useState<{ phone: string; balance: string; availableBalance?: string; holds?: { cause: string; amount: string }[] } | null>(null);
  const [amount, setAmount] = useState('50.00');
  const [msg, setMsg] = useState<{ ok?: string; err?: string }>({});
  const [busy, setBusy] = useState(false);
  const load = () => api('GET', '/h5/wallet').then(setW).catch((e) => setMsg({ err: errorText(e) }));
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
      const url = p.h5Url ?? p.h5_url;
      setMsg({ ok: t('topupPending') });
      if (url) {
        // WeChat's H5 cashier sends the payer back to redirect_url: this page with ?topup={outTradeNo}
        const back = encodeURIComponent(p.redirectUrl ?? `${location.origin}${location.pathname}?topup=${r.outTradeNo}`);
        location.href = url + (url.includes('?') ? '&' : '?') + `redirect_url=${back}`;
      }
    } catch (e) {
      setMsg({ err: errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {topup && <TopupStatus outTradeNo={topup} onCredited={load} />}
      <div className="card">
        <div className="muted">{t('balance')}</div>
        <div className="price" data-testid="h5-wallet-balance">
          ¥{w?.balance ?? '—'}
        </div>
        {w?.availableBalance !== undefined && w.availableBalance !== w.balance && (
          <div className="muted" data-testid="h5-wallet-available">
            {t('available')} ¥{w.availableBalance} · {t('held')} ¥{(w.holds ?? []).map((h) => h.amount).join(' + ')}
          </div>
        )}
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
        <Note text={msg.err} onClose={() => setMsg({})} />
        {msg.ok && <div className="ok">{msg.ok}</div>}
        <button className="btn" disabled={busy || !w} onClick={pay} data-testid="h5-pay">
          {t('pay')} ¥{amount}
        </button>
      </div>
    </>
  );
}
