/** One tariff period of the day as the API gives it (Charge.tsx shows these too). */
export interface Period {
  start: string;
  end: string;
  type: 'sharp' | 'peak' | 'flat' | 'valley';
  electricityPrice: string;
  servicePrice: string;
}

const COLORS: Record<string, string> = { sharp: '#d4380d', peak: '#fa8c16', flat: '#1677ff', valley: '#52c41a' };
const minutes = (hhmm: string) => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

/** Today's periods as one 24-hour bar, coloured by sharp/peak/flat/valley. */
export function Timeline({ periods }: { periods: Period[] }) {
  return (
    <>
      <div className="timeline">
        {periods.map((p, i) => (
          <div key={i} title={`${p.start}–${p.end}`} style={{ width: `${((minutes(p.end) - minutes(p.start)) / 1440) * 100}%`, background: COLORS[p.type] }} />
        ))}
      </div>
      <div className="ticks">
        <span>0</span>
        <span>6</span>
        <span>12</span>
        <span>18</span>
        <span>24</span>
      </div>
    </>
  );
}
