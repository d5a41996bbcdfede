/** The H5 strings, zh-CN first; a tiny dictionary instead of a library keeps the page small. */
const zh = {
  charge: '充电', orders: '订单', wallet: '钱包', login: '登录', logout: '退出',
  chargerNo: '充电桩编号', gun: '枪号', go: '查看充电枪', scanHint: '扫描充电桩上的二维码，或输入桩编号和枪号',
  priceNow: '当前电价', perKwh: '元/度', electricity: '电费', service: '服务费', todayTariff: '今日分时电价',
  idleFee: '占位费', idleRule: '充电结束 {g} 分钟后按 {p} 元/分钟收取，单次封顶 {c} 元',
  start: '开始充电', starting: '正在启动…', stop: '结束充电', stopping: '正在结束…',
  balance: '余额', available: '可用', held: '冻结', yuan: '元', lowBalance: '余额不足，请先充值',
  kwh: '已充电量 (度)', cost: '当前费用 (元)', soc: '电量 SOC', elapsed: '充电时长', power: '功率 (kW)',
  charging: '充电中', noSession: '当前没有进行中的充电', station: '电站',
  phone: '手机号', code: '验证码', getCode: '获取验证码', resend: '{s} 秒后重发', codeSent: '验证码已发送',
  topup: '充值', amount: '充值金额', pay: '微信支付', topupPending: '支付处理中，到账后余额自动更新',
  history: '充电记录', noOrders: '还没有充电记录', total: '合计', energy: '电量', duration: '时长',
  breakdown: '分时段明细', sharp: '尖', peak: '峰', flat: '平', valley: '谷',
  status_Available: '空闲', status_Preparing: '已插枪', status_Charging: '充电中', status_SuspendedEV: '车端暂停', status_SuspendedEVSE: '桩端暂停',
  status_Finishing: '充电结束', status_Reserved: '已预约', status_Faulted: '故障', status_Unavailable: '不可用', status_Offline: '离线',
  plugHint: '请先插好充电枪', poweredBy: '技术支持 ChargeOps', lang: 'EN', finished: '充电已结束', viewOrder: '查看订单', abnormal: '异常待审核', resolved: '已更正',
  notFound: '没有找到该充电枪', back: '返回', credited: '已到账', scan: '扫码充电',
  dismiss: '关闭', e_charger_offline: '充电桩离线，请换一个充电桩', e_gun_busy: '该充电枪正在使用中', e_session_in_progress: '您已有一笔充电正在进行，请先结束它',
  e_start_refused: '充电桩拒绝启动，请确认充电枪已插好', e_stop_refused: '充电桩拒绝结束充电，请稍后再试', e_blocked: '账户或卡已停用，请联系运营商',
  e_no_driver: '没有找到您的账户，请联系运营商', e_bad_code: '验证码错误或已过期，请重新获取', e_too_many_codes: '获取验证码过于频繁，请稍后再试',
  e_too_many_attempts: '错误次数过多，请重新获取验证码', e_login: '请重新登录', e_invalid: '输入有误，请检查', e_generic: '操作失败（{code}），请稍后再试',
  e_network: '网络异常，请稍后再试',
};
const en: typeof zh = {
  charge: 'Charge', orders: 'Orders', wallet: 'Wallet', login: 'Log in', logout: 'Log out',
  chargerNo: 'Charger number', gun: 'Gun', go: 'Show this gun', scanHint: 'Scan the QR code on the charger, or enter its number and gun',
  priceNow: 'Price now', perKwh: 'CNY/kWh', electricity: 'Electricity', service: 'Service', todayTariff: "Today's tariff",
  idleFee: 'Idle fee', idleRule: '{p} CNY/min from {g} min after charging ends, at most {c} CNY',
  start: 'Start charging', starting: 'Starting…', stop: 'Stop charging', stopping: 'Stopping…',
  balance: 'Balance', available: 'Available', held: 'Held', yuan: 'CNY', lowBalance: 'Balance too low: top up first',
  kwh: 'Energy (kWh)', cost: 'Cost so far (CNY)', soc: 'SoC', elapsed: 'Time', power: 'Power (kW)',
  charging: 'Charging', noSession: 'No charging session in progress', station: 'Station',
  phone: 'Phone', code: 'Code', getCode: 'Get code', resend: 'Resend in {s} s', codeSent: 'Code sent',
  topup: 'Top up', amount: 'Amount', pay: 'Pay with WeChat', topupPending: 'Payment in progress; the balance updates once it is credited',
  history: 'History', noOrders: 'No charging sessions yet', total: 'Total', energy: 'Energy', duration: 'Duration',
  breakdown: 'Per-period breakdown', sharp: 'Sharp', peak: 'Peak', flat: 'Flat', valley: 'Valley',
  status_Available: 'Available', status_Preparing: 'Plugged in', status_Charging: 'Charging', status_SuspendedEV: 'Paused by car', status_SuspendedEVSE: 'Paused by charger',
  status_Finishing: 'Finished', status_Reserved: 'Reserved', status_Faulted: 'Faulted', status_Unavailable: 'Unavailable', status_Offline: 'Offline',
  plugHint: 'Plug the gun into your car first', poweredBy: 'Powered by ChargeOps', lang: '中文', finished: 'Charging finished', viewOrder: 'See the order', abnormal: 'Under review', resolved: 'Corrected',
  notFound: 'No such gun', back: 'Back', credited: 'Credited', scan: 'Scan the QR code',
  dismiss: 'Dismiss', e_charger_offline: 'The charger is offline: try another one', e_gun_busy: 'This gun is already in use', e_session_in_progress: 'You already have a charging session in progress: stop it first',
  e_start_refused: 'The charger refused to start: check the gun is plugged in', e_stop_refused: 'The charger refused to stop: try again in a moment', e_blocked: 'Your account or card is blocked: contact the operator',
  e_no_driver: 'No account found for you: contact the operator', e_bad_code: 'Wrong or expired code: request a new one', e_too_many_codes: 'Too many codes requested: try again later',
  e_too_many_attempts: 'Too many wrong codes: request a new one', e_login: 'Please log in again', e_invalid: 'Please check what you entered', e_generic: 'That did not work ({code}); try again later',
  e_network: 'Network problem; try again later',
};
export type Key = keyof typeof zh;
const KEY = 'chargeops.h5.lang';
let lang: 'zh' | 'en' = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh';
export const getLang = () => lang;
export function toggleLang() {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}
export function t(k: Key, vars: Record<string, string | number> = {}): string {
  return (lang === 'zh' ? zh : en)[k].replace(/\{(\w+)\}/g, (_, v) => String(vars[v] ?? ''));
}
