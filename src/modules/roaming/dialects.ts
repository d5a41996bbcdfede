/**
 * Partner dialects as data: the field spellings and default paths each partner's version of T/CEC
 * 102 uses. One canonical model inside; the spelling is applied at the edge (see reference §A.12).
 */
export const INTERFACES = [
  'query_token',
  'notification_stationStatus',
  'notification_start_charge_result',
  'notification_equip_charge_status',
  'notification_stop_charge_result',
  'notification_charge_order_info',
  'check_charge_orders',
] as const;
export type OutboundInterface = (typeof INTERFACES)[number];

export interface Dialect {
  name: string;
  /** ServicePrice in PolicyInfos and ChargeDetails */
  servicePrice: 'SevicePrice' | 'ServicePrice';
  /** SeviceMoney in charge status */
  serviceMoney: 'SeviceMoney' | 'ServiceMoney';
  totalServiceMoney: 'TotalSeviceMoney' | 'TotalServiceMoney';
  detailServiceMoney: 'DetailSeviceMoney' | 'DetailServiceMoney';
  /** ElecMoney in the query_equip_charge_status answer (Xiaoju spells it ElectMoney there) */
  elecMoneyQuery: 'ElecMoney' | 'ElectMoney';
  /** ElecMoney in notification_equip_charge_status */
  elecMoneyNotify: 'ElecMoney' | 'ElectMoney';
  /** the QR code field of query_start_charge (we accept both spellings inbound) */
  qrCode: 'QRCode' | 'QrCode';
  /** default path of each interface we call on the partner, relative to baseUrl */
  paths: Record<OutboundInterface, string>;
}

const under = (prefix: string): Record<OutboundInterface, string> =>
  Object.fromEntries(INTERFACES.map((i) => [i, `${prefix}/${i}`])) as Record<OutboundInterface, string>;

export const DIALECTS: Record<string, Dialect> = {
  'cec-2016': {
    name: 'cec-2016',
    servicePrice: 'SevicePrice',
    serviceMoney: 'SeviceMoney',
    totalServiceMoney: 'TotalSeviceMoney',
    detailServiceMoney: 'DetailSeviceMoney',
    elecMoneyQuery: 'ElecMoney',
    elecMoneyNotify: 'ElecMoney',
    qrCode: 'QrCode',
    paths: under('/evcs/v1'),
  },
  xiaoju: {
    name: 'xiaoju',
    servicePrice: 'ServicePrice',
    serviceMoney: 'ServiceMoney',
    totalServiceMoney: 'TotalServiceMoney',
    detailServiceMoney: 'DetailServiceMoney',
    elecMoneyQuery: 'ElectMoney',
    elecMoneyNotify: 'ElecMoney',
    qrCode: 'QRCode',
    // Xiaoju: token under /evcs/sdk/, notifications and check_charge_orders at root paths
    paths: { ...under(''), query_token: '/evcs/sdk/query_token' },
  },
};

export const DIALECT_NAMES = Object.keys(DIALECTS) as [string, ...string[]];

export function dialectOf(name: string): Dialect {
  const d = DIALECTS[name];
  if (!d) throw new Error(`unknown dialect ${name}`);
  return d;
}

export function partnerUrl(p: { baseUrl: string; dialect: string; paths?: Partial<Record<string, string>> | null }, iface: OutboundInterface): string {
  const path = p.paths?.[iface] ?? dialectOf(p.dialect).paths[iface];
  if (/^https?:\/\//.test(path)) return path;
  return p.baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}
