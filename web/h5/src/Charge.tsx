import { useEffect, useState } from 'react';
import { api, auth, go, operatorId } from './api.ts';
import { t, type Key } from './i18n.ts';
import { Timeline, type Period } from './Timeline.tsx';
import { Scan, canScan } from './Scan.tsx';
import { Note, errorText } from './Note.tsx';

interface ConnectorInfo {
  chargerId: string;
  connectorId: number;
  status: string;
  type: string;
  maxPowerKw: number;
  station: { id: string; name: string; address: string | null } | null;
  priceNow: (Period & { price: string }) | null;
  periods: Period[];
  idleFee: { graceMinutes: number; pricePerMinute: string; capPerSession: string | null } | null;
}

const addPrice = (a: string, b: string) => ((Math.round(Number(a) * 10000) + Math.round(Number(b) * 10000)) / 10000).toFixed(4);

export function Charge() {
  const q = new URLSearchParams(location.search);
  const c = q.get('c');
  const g = q.get('g');
  if (c && g) return <Gun chargerId={c} gun={g} />;
  return <Enter />;
}

function Enter() {
  const [c, setC] = useState('');
  const [g, setG] = useState('1');
  const [scanning, setScanning] = useState(false);
  if (scanning) return <Scan onClose={() => setScanning(false)} onCode={(x) => go('', `?c=${encodeURIComponent(x.c)}&g=${encodeURIComponent(x.g)}`)} />;
  return (
    <div className="card">
      {canScan() && (
        <button className="btn ghost" onClick={() => setScanning(true)} data-testid="h5-scan" style={{ marginTop: 0, marginBottom: 8 }}>
          {t('scan')}
        </button>
      )}
      <h2>{t('charge')}</h2>
      <div className="muted">{t('scanHint')}</div>
      <label>{t('chargerNo')}</label>
      <input inputMode="numeric" value={c} onChange={(e) => setC(e.target.value.trim())} data-testid="h5-charger" />
      <label>{t('gun')}</label>
      <input inputMode="numeric" value={g} onChange={(e) => setG(e.target.value.trim())} data-testid="h5-gun" />
      <button className="btn" disabled={!c || !g} onClick={() => go('', `?c=${encodeURIComponent(c)}&g=${encodeURIComponent(g)}`)} data-testid="h5-go">
        {t('go')}
      </button>
    </div>
  );
}

function Gun({ chargerId, gun }: { chargerId: string; gun: string }) {
  const [info, setInfo] = useState<ConnectorInfo | null>(null);
  const [err, setErr] = useState<string | null>(null);
  // what went wrong with the driver's own action: stays until dismissed (the 5 s poll leaves it alone)
  const [actionErr, setActionErr] = useState<string | null>(null);
  const [balance, setBalance] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    api<ConnectorInfo>('GET', `/h5/connectors/${encodeURIComponent(chargerId)}/${encodeURIComponent(gun)}?operatorId=${encodeURIComponent(operatorId)}`)
      .then((i) => (setInfo(i), setErr(null)))
      .catch((e) => setErr(errorText(e)));
  useEffect(() => {
    load();
    if (auth.token()) api('GET', '/h5/wallet').then((w) => setBalance(w.balance)).catch(() => {});
    const id = setInterval(load, 5000);
    return () => clearInterval(id);
  }, [chargerId, gun]);
  const start = async () => {
    if (!auth.token()) return go('/login', `?next=${encodeURIComponent(location.search)}`);
    setBusy(true);
    setActionErr(null);
    try {
      await api('POST', '/h5/sessions', { chargerId, connectorId: Number(gun) });
      go('/session');
    } catch (e) {
      setActionErr(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  if (!info)
    return (
      <div className="card">
        {err ? <div className="err" data-testid="h5-error">{err}</div> : <div className="muted">…</div>}
        <button className="btn ghost" onClick={() => go('')} data-testid="h5-back">
          {t('back')}
        </button>
      </div>
    );
  const p = info.priceNow;
  const status = info.status;
  const canStart = ['Preparing', 'Available', 'SuspendedEV', 'Finishing'].includes(status);
  return (
    <>
      <div className="card" data-testid="h5-connector">
        <div className="between">
          <div>
            <div style={{ fontWeight: 600 }}>{info.station?.name ?? ''}</div>
            <div className="muted">
              {info.chargerId} · {t('gun')} {info.connectorId} · {info.type} {info.maxPowerKw} kW
            </div>
          </div>
          <span className="tag" style={{ background: status === 'Available' || status === 'Preparing' ? '#16a34a' : status === 'Charging' ? '#1677ff' : '#8a8f99' }} data-testid="h5-status">
            {t(`status_${status}` as Key) ?? status}
          </span>
        </div>
      </div>
      {p && (
        <div className="card">
          <h2>{t('priceNow')}</h2>
          <div className="price" data-testid="h5-price">
            {addPrice(p.electricityPrice, p.servicePrice)}
            <small>{t('perKwh')}</small> <span className={`tag t-${p.type}`}>{t(p.type)}</span>
          </div>
          <div className="muted">
            {t('electricity')} {p.electricityPrice} + {t('service')} {p.servicePrice} · {p.start}–{p.end}
          </div>
        </div>
      )}
      {info.periods.length > 0 && (
        <div className="card">
          <h2>{t('todayTariff')}</h2>
          <Timeline periods={info.periods} />
          <table data-testid="h5-tariff">
            <tbody>
              {info.periods.map((x, i) => (
                <tr key={i}>
                  <td>
                    {x.start}–{x.end}
                  </td>
                  <td>
                    <span className={`tag t-${x.type}`}>{t(x.type)}</span>
                  </td>
                  <td className="r">
                    {addPrice(x.electricityPrice, x.servicePrice)} {t('perKwh')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {info.idleFee && (
            <div className="muted" style={{ marginTop: 8 }}>
              {t('idleFee')}: {t('idleRule', { g: info.idleFee.graceMinutes, p: info.idleFee.pricePerMinute, c: info.idleFee.capPerSession ?? '-' })}
            </div>
          )}
        </div>
      )}
      <div className="card">
        {balance !== null && (
          <div className="between">
            <span>{t('balance')}</span>
            <b data-testid="h5-balance">
              ¥{balance}
            </b>
          </div>
        )}
        {status === 'Available' && <div className="muted">{t('plugHint')}</div>}
        <Note text={actionErr} onClose={() => setActionErr(null)} />
        <button className="btn" disabled={busy || !canStart} onClick={start} data-testid="h5-start">
          {busy ? t('starting') : t('start')}
        </button>
      </div>
    </>
  );
}
