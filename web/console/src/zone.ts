import dayjs, { type Dayjs } from 'dayjs';
import { DEFAULT_ZONE, formatIn, instantOf, knownZone } from '../../shared/zone.ts';

/**
 * The operator's time zone for every time the console shows or asks for (issue 18.5). The Shell sets it
 * from the operator's settings before any page renders. Date pickers hold "wall-clock" dayjs values:
 * the operator's local date and time in the picker's fields, whatever the browser's zone; toPicker and
 * fromPicker convert at the edges, so a range filter sends the instants of the operator's days.
 */
let zone = DEFAULT_ZONE;
export const operatorZone = () => zone;
export function setOperatorZone(z: string | null | undefined) {
  zone = knownZone(z);
}

/** An instant in the operator's zone, "YYYY-MM-DD HH:mm:ss" by default. */
export const fmtIn = (t: string | number | Date, pattern?: string) => formatIn(t, zone, pattern);

/** A picker value showing this instant's operator-local date and time. */
export const toPicker = (t: string | number | Date): Dayjs => dayjs(formatIn(t, zone, 'YYYY-MM-DDTHH:mm:ss'));
/** The operator-local now, for a picker's default. */
export const pickerNow = (): Dayjs => toPicker(dayjs().valueOf());
/** The instant (ISO, UTC) a picker value means in the operator's zone. */
export const fromPicker = (d: Dayjs): string => new Date(instantOf(d.format('YYYY-MM-DDTHH:mm:ss'), zone)).toISOString();
