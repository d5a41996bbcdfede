import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { t, type Key } from './i18n.ts';
import { Note, errorText } from './Note.tsx';
import { dateTime as time, hhmm } from './time.ts';

interface Order {
  orderNo: string;
  stationName?: string | null;
  chargerId: string;
  connectorId: number;
  startTime: string;
  endTime: string | null;
  energyKwh: string;
  electricityAmount: string;
  serviceAmount: string;
  idleFee: string;
  totalAmount: string;
  status: string;
  abnormal: boolean;
  review?: 'none' | 'pending' | 'resolved';
  periods: { type: string; start: string; end: string; energyKwh: string; electricityAmount: string; serviceAmount: string }[];
}


export function Orders() {
  const [items, setItems] = useState<Order[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => {
    api<{ items: Order[] }>('GET', '/h5/orders')
      .then((r) => (setItems(r.items), setOpen(r.items[0]?.orderNo ?? null)))
      .catch((e) => setErr(errorText(e)));
  }, []);
  return (
    <div className="card" data-testid="h5-orders">
      <h2>{t('history')}</h2>
      <Note text={err} onClose={() => setErr(null)} />
      {items && items.length === 0 && <div className="muted">{t('noOrders')}</div>}
      {items?.map((o) => (
        <div className="order" key={o.orderNo} data-testid={`h5-order-${o.orderNo}`} onClick={() => setOpen(open === o.orderNo ? null : o.orderNo)}>
          <div className="between">
            <b>{o.stationName ?? o.chargerId}</b>
            <b>¥{o.totalAmount}</b>
          </div>
          <div className="between muted">
            <span>
              {time(o.startTime)} · {o.energyKwh} kWh
            </span>
            {o.abnormal && o.review !== 'resolved' && <span className="tag t-sharp">{t('abnormal')}</span>}
            {o.review === 'resolved' && (
              <span className="tag t-flat" data-testid="h5-resolved">
                {t('resolved')}
              </span>
            )}
          </div>
          {open === o.orderNo && (
            <div style={{ marginTop: 8 }} data-testid="h5-breakdown">
              <div className="muted">
                {o.orderNo} · {t('breakdown')}
              </div>
              <table>
                <thead>
                  <tr>
                    <th></th>
                    <th>{t('energy')}</th>
                    <th className="r">{t('electricity')}</th>
                    <th className="r">{t('service')}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.periods.map((p, i) => (
                    <tr key={i}>
                      <td>
                        <span className={`tag t-${p.type}`}>{t(p.type as Key)}</span> {hhmm(p.start)}–{hhmm(p.end)}
                      </td>
                      <td>{p.energyKwh}</td>
                      <td className="r">{p.electricityAmount}</td>
                      <td className="r">{p.serviceAmount}</td>
                    </tr>
                  ))}
                  <tr>
                    <td>{t('idleFee')}</td>
                    <td></td>
                    <td></td>
                    <td className="r">{o.idleFee}</td>
                  </tr>
                  <tr>
                    <th>{t('total')}</th>
                    <th>{o.energyKwh}</th>
                    <th className="r">{o.electricityAmount}</th>
                    <th className="r">{o.serviceAmount}</th>
                  </tr>
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
