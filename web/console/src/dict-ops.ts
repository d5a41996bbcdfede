/** Strings of issue 18's console work (time zone, running sessions, QR print, ...): [zh-CN, English]. */
export const opsDict: Record<string, [string, string]> = {
  'zone.note': ['时间均为运营商时区 {{zone}}（UTC{{offset}}）', 'Times in the operator’s zone {{zone}} (UTC{{offset}})'],
  'dash.axis.energy': ['电量 (kWh)', 'Energy (kWh)'],
  'dash.axis.revenue': ['收入 (元)', 'Revenue (CNY)'],
  'dash.axis.sessions': ['次数', 'Sessions'],
  'run.title': ['进行中的充电', 'Sessions running'],
  'run.none': ['没有进行中的充电', 'No session running'],
  'run.stop': ['远程停止', 'Stop remotely'],
  'run.stopConfirm': ['停止 {{gun}} 号枪上的充电（交易 {{tx}}）？', 'Stop the session on gun #{{gun}} (transaction {{tx}})?'],
  'run.stopSent': ['已发送停止命令，桩已接受', 'Stop sent; the charger accepted it'],
  'run.stopRefused': ['充电桩拒绝停止（{{status}}）', 'The charger refused to stop ({{status}})'],
  'run.story': ['会话详情', 'Session story'],
  'order.columns': ['列设置', 'Columns'],
  'tariff.cal.rule': ['特殊日规则 {{n}}', 'Special rule {{n}}'],
  'tariff.cal.months': ['{{list}} 月', 'months {{list}}'],
  'tariff.cal.dates': ['日期 {{list}}', 'dates {{list}}'],
  'qr.print': ['打印二维码', 'Print QR codes'],
};
