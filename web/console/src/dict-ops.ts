/** Strings of issue 18's console work (time zone, running sessions, QR print, ...): [zh-CN, English]. */
export const opsDict: Record<string, [string, string]> = {
  'zone.note': ['时间均为运营商时区 {{zone}}（UTC{{offset}}）', 'Times in the operator’s zone {{zone}} (UTC{{offset}})'],
};
