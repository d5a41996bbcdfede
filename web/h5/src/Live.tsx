import { useEffect, useRef, useState } from 'react';
import { api, go } from './api.ts';
import { t } from './i18n.ts';
import { Note, errorText } from './Note.tsx';

interface Current {
  id: number;
  chargerId: string;
  connectorId: number;
  stationName: string | null;
  status: string;
  startedAt: string;
  durationSeconds: number;
  energyKwh: string;
  costSoFar: string;
  soc: number | null;
  powerKw: string | null;
}

const hms = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = Math.floor(s % 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
};

export function Live() {
  const [cur, setCur] = useState<Current | null | undefined>(undefined);
  const [err, setErr] = useState<string | null>(null);
  const [stopping, setStopping] = useState(false);
  const seen = useRef(false);
  useEffect(() => {
    let alive = true;
    const load = () =>
      api<{ session: Current | null }>('GET', '/h5/sessions/current')
        .then((r) => {
          if (!alive) return;
          if (r.session) seen.current = true;
          setCur(r.session);
        })
        .catch((e) => alive && setErr(errorText(e)));
    load();
    // polling keeps the page small (no socket client) and works behind any proxy
    const id = setInterval(load, 2000);
    return () => ((alive = false), clearInterval(id));
  }, []);
  const stop = async () => {
    if (!cur) return;
    setStopping(true);
    try {
      await api('POST', `/h5/sessions/${cur.id}/stop`);
    } catch (e) {
      setErr(errorText(e));
      setStopping(false);
    }
  };
  if (cur === undefined) return <div className="card muted">…</div>;
  if (!cur)
    return (
      <div className="card" data-testid="h5-no-session">
        <div>{seen.current ? t('finished') : t('noSession')}</div>
        <Note text={err} onClose={() => setErr(null)} />
        <button className="btn" onClick={() => go(seen.current ? '/orders' : '')} data-testid="h5-after">
          {seen.current ? t('viewOrder') : t('charge')}
        </button>
      </div>
    );
  const soc = cur.soc ?? 0;
  return (
    <div className="card" data-testid="h5-live">
      <div className="muted" style={{ textAlign: 'center' }}>
        {cur.stationName ?? ''} · {cur.chargerId} · {t('gun')} {cur.connectorId}
      </div>
      <div className="ring" style={{ background: `conic-gradient(var(--brand) ${soc * 3.6}deg, #e8eaee 0)` }}>
        <div>
          <span>
            <b data-testid="h5-soc">{cur.soc ?? '-'}%</b>
            <span className="muted">{t('soc')}</span>
          </span>
        </div>
      </div>
      <div className="grid">
        <div className="metric">
          <b data-testid="h5-kwh">{cur.energyKwh}</b>
          <span>{t('kwh')}</span>
        </div>
        <div className="metric">
          <b data-testid="h5-cost">{cur.costSoFar}</b>
          <span>{t('cost')}</span>
        </div>
        <div className="metric">
          <b data-testid="h5-elapsed">{hms(cur.durationSeconds)}</b>
          <span>{t('elapsed')}</span>
        </div>
        <div className="metric">
          <b data-testid="h5-power">{cur.powerKw ?? '-'}</b>
          <span>{t('power')}</span>
        </div>
      </div>
      <Note text={err} onClose={() => setErr(null)} />
      <button className="btn danger" disabled={stopping} onClick={stop} data-testid="h5-stop">
        {stopping ? t('stopping') : t('stop')}
      </button>
    </div>
  );
}
