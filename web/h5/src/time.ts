import { DEFAULT_ZONE, knownZone } from '../../shared/zone.ts';
import { getLang } from './i18n.ts';

/**
 * H5 times: in the operator's time zone (from its brand, issue 18.5) and the driver's chosen language
 * (not the phone's locale: "12月4日 19:25", "Dec 4, 19:25").
 */
let zone = DEFAULT_ZONE;
export const setZone = (z: string | null | undefined) => {
  zone = knownZone(z);
};
const locale = () => (getLang() === 'en' ? 'en-GB' : 'zh-CN');

/** Month, day and time of day. */
export const dateTime = (s: string | null) =>
  s ? new Intl.DateTimeFormat(locale(), { timeZone: zone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(s)) : '-';
/** Time of day, 24 h. */
export const hhmm = (s: string) => new Intl.DateTimeFormat(locale(), { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(s));
