import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ConfigProvider, App as AntApp } from 'antd';
import zhCNmod from 'antd/es/locale/zh_CN.js';
import enUSmod from 'antd/es/locale/en_US.js';
import type { Locale } from 'antd/es/locale/index.js';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn.js';
import { useTranslation } from 'react-i18next';
import './i18n.ts';
import { session, setOnUnauthorized } from './api.ts';

// antd/es is ESM without "type": "module": TypeScript sees the CJS shape, vite the ESM default.
const zhCN = ((zhCNmod as any).default ?? zhCNmod) as Locale;
const enUS = ((enUSmod as any).default ?? enUSmod) as Locale;
import { Login } from './pages/Login.tsx';
import { Shell } from './Shell.tsx';

function Root() {
  const { i18n } = useTranslation();
  const [authed, setAuthed] = useState(() => !!session.token());
  useEffect(() => setOnUnauthorized(() => (session.clear(), setAuthed(false))), []);
  const zh = i18n.language !== 'en';
  useEffect(() => {
    dayjs.locale(zh ? 'zh-cn' : 'en');
    document.documentElement.lang = zh ? 'zh-CN' : 'en';
    document.title = i18n.t('app.title');
  }, [zh, i18n]);
  return (
    <ConfigProvider locale={zh ? zhCN : enUS} theme={{ token: { colorPrimary: '#1677ff', borderRadius: 6 } }}>
      <AntApp>{authed ? <Shell onLogout={() => (session.clear(), setAuthed(false))} /> : <Login onLogin={() => setAuthed(true)} />}</AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
