import { createRoot } from 'react-dom/client';
import { useEffect, useState } from 'react';
import './style.css';
import { api, auth, route, go, operatorId } from './api.ts';
import { t, toggleLang } from './i18n.ts';
import { Login } from './Login.tsx';
import { Charge } from './Charge.tsx';
import { Live } from './Live.tsx';
import { Orders } from './Orders.tsx';
import { Wallet } from './Wallet.tsx';
import { setZone } from './time.ts';

interface Brand {
  name: string;
  logo: string | null;
  color: string;
  timeZone?: string;
}

/**
 * The route and its query string: '?c=…&g=…' (the gun) is a page of its own, so a change of the query
 * alone (查看充电枪, a scanned code, back) must re-render too.
 */
function useRoute() {
  const [loc, setLoc] = useState(() => route() + location.search);
  useEffect(() => {
    const f = () => setLoc(route() + location.search);
    addEventListener('popstate', f);
    addEventListener('h5:navigate', f);
    return () => (removeEventListener('popstate', f), removeEventListener('h5:navigate', f));
  }, []);
  return loc.replace(/\?.*$/, '');
}

function App() {
  const r = useRoute();
  const [, setLangTick] = useState(0);
  const [brand, setBrand] = useState<Brand | null>(null);
  const [brandError, setBrandError] = useState<string | null>(null);
  useEffect(() => {
    api<Brand>('GET', `/public/operators/${encodeURIComponent(operatorId)}/brand`)
      .then((b) => {
        setZone(b.timeZone);
        setBrand(b);
        document.documentElement.style.setProperty('--brand', b.color);
        document.title = b.name;
      })
      .catch((e) => setBrandError(e.message));
  }, []);
  const authed = !!auth.token();
  // Everything but the price view needs a login; the QR code's page (charger + gun) shows prices first.
  const needsLogin = !authed && r !== '' && r !== '/login';
  useEffect(() => {
    if (needsLogin) go('/login', `?next=${encodeURIComponent(r)}`, true);
  }, [needsLogin, r]);
  // WeChat Pay's H5 cashier returns to /h5/{operatorId}?topup={outTradeNo}
  const backFromPay = r === '' && new URLSearchParams(location.search).has('topup');
  let page = backFromPay && authed ? <Wallet /> : <Charge />;
  if (r === '/login') page = <Login />;
  else if (r === '/session') page = <Live />;
  else if (r === '/orders') page = <Orders />;
  else if (r === '/wallet') page = <Wallet />;
  const tab = (to: string, label: string) => (
    <a href={`#${to}`} className={r === to ? 'on' : ''} onClick={(e) => (e.preventDefault(), go(to))} data-testid={`nav-${to.slice(1) || 'charge'}`}>
      {label}
    </a>
  );
  return (
    <>
      <header>
        {brand?.logo && <img src={brand.logo} alt="" />}
        <h1 data-testid="brand-name">{brand?.name ?? (brandError ? '—' : '')}</h1>
        <button data-testid="h5-lang" onClick={() => (toggleLang(), setLangTick((n) => n + 1))}>
          {t('lang')}
        </button>
        {authed && (
          <button onClick={() => (auth.clear(), go('/login'))} data-testid="h5-logout">
            {t('logout')}
          </button>
        )}
      </header>
      {/* pages wait for the brand: it carries the operator's time zone every time is shown in */}
      <main>{brandError ? <div className="card err">{brandError}</div> : brand ? page : null}</main>
      <footer>{t('poweredBy')}</footer>
      <nav>
        {tab('', t('charge'))}
        {tab('/session', t('charging'))}
        {tab('/orders', t('orders'))}
        {tab('/wallet', t('wallet'))}
      </nav>
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
