import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { dict } from './dict.ts';

export const LANG_KEY = 'chargeops.lang';
export type Lang = 'zh-CN' | 'en';

const zh: Record<string, string> = {};
const en: Record<string, string> = {};
for (const [k, [z, e]] of Object.entries(dict) as [string, [string, string]][]) (zh[k] = z), (en[k] = e);

const saved = (typeof localStorage !== 'undefined' && localStorage.getItem(LANG_KEY)) as Lang | null;

i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zh }, en: { translation: en } },
  lng: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLng: 'zh-CN',
  keySeparator: false,
  interpolation: { escapeValue: false },
});

export function setLang(l: Lang) {
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
  return i18n.changeLanguage(l);
}

export default i18n;
