/** The autoscale profiles a schedule renders to, shared by McpScheduledScaling and the topologies' checks (internal). */
import { Validator } from '../../core/errors';
import { WEEKDAYS, Weekday, WindowKind } from '../../core/schedule';
import { AZURE_FACTS } from '../facts';
import type { AutoscaleProfilePlan, McpScheduledScalingProps } from '../scheduled-scaling';
import { windowsTimeZoneForAzure } from '../validation';

const AZURE_DAY: Readonly<Record<Weekday, string>> = {
  [Weekday.MONDAY]: 'Monday', [Weekday.TUESDAY]: 'Tuesday', [Weekday.WEDNESDAY]: 'Wednesday', [Weekday.THURSDAY]: 'Thursday',
  [Weekday.FRIDAY]: 'Friday', [Weekday.SATURDAY]: 'Saturday', [Weekday.SUNDAY]: 'Sunday',
};

/** The profiles a schedule renders to (validated into `v`). */
export function planProfiles(props: McpScheduledScalingProps, v: Validator): { plans: AutoscaleProfilePlan[]; timeZone?: string } {
  const c = props.capacity;
  const schedule = props.schedule;
  if (!schedule) {
    v.check(props.holidayYears === undefined, 'holidayYears', props.holidayYears, 'no value: there is no schedule');
    return { plans: [{ name: 'default', kind: 'default', windowName: 'default', minimum: c.min, maximum: c.max }] };
  }
  const timeZone = windowsTimeZoneForAzure(schedule.timeZone, v);
  const capacities = new Map(schedule.capacityFor(c.baseline, c.min).map((w) => [`${w.kind}:${w.windowName}`, w]));
  const transitions = schedule.transitions();
  const weekly = transitions.filter((t) => t.kind === WindowKind.WEEKLY);
  const plans: AutoscaleProfilePlan[] = weekly.map((t) => {
    const w = capacities.get(`${WindowKind.WEEKLY}:${t.windowName}`)!;
    return {
      name: t.name, kind: 'recurring', windowName: t.windowName, minimum: w.minCapacity, maximum: Math.max(w.maxCapacity, w.minCapacity),
      days: t.weekdays!.map((d) => AZURE_DAY[d]), hour: t.hour, minute: t.minute,
    };
  });
  if (weekly.length === 0) {
    const w = capacities.get(`${WindowKind.WEEKLY}:${schedule.windows[0].name}`)!;
    plans.push({ name: schedule.windows[0].name, kind: 'default', windowName: w.windowName, minimum: w.minCapacity, maximum: w.maxCapacity });
  }
  const holidays = transitions.filter((t) => t.kind === WindowKind.HOLIDAY);
  const years = props.holidayYears ?? [];
  if (holidays.length > 0 && years.length === 0) {
    v.add('holidayYears', props.holidayYears,
      'the years to render the schedule\'s holidays for: an Azure fixed-date profile carries a year (it cannot recur every year '
      + 'like the AWS holiday action), so the library renders one profile per date and year, each holding the holiday capacity '
      + 'from 00:00 until the next weekly transition, as on AWS');
  }
  if (holidays.length === 0 && years.length > 0) v.add('holidayYears', years, 'no value: the schedule has no holidays');
  const seen = new Set<number>();
  years.forEach((y, i) => {
    v.check(Number.isInteger(y) && y >= 2000 && y <= 2100 && !seen.has(y), `holidayYears[${i}]`, y, 'a year from 2000 to 2100, each once');
    seen.add(y);
  });
  if (holidays.length > 0 && v.valid) {
    for (const year of years) {
      for (const h of holidays) {
        const w = capacities.get(`${WindowKind.HOLIDAY}:${h.windowName}`)!;
        const dayIndex = (new Date(Date.UTC(year, h.month! - 1, h.dayOfMonth!)).getUTCDay() + 6) % 7;
        const startMinute = dayIndex * 1440;
        // Minutes from the holiday's 00:00 to the next weekly transition (AWS: the next action ends it).
        let delta = Infinity;
        for (const t of weekly) {
          for (const d of t.weekdays!) {
            let m = WEEKDAYS.indexOf(d) * 1440 + t.hour * 60 + t.minute - startMinute;
            if (m <= 0) m += 7 * 1440;
            delta = Math.min(delta, m);
          }
        }
        const start = Date.UTC(year, h.month! - 1, h.dayOfMonth!);
        plans.push({
          name: `${h.name}-${year}`, kind: 'fixed-date', windowName: h.windowName, minimum: w.minCapacity, maximum: Math.max(w.maxCapacity, w.minCapacity),
          start: wall(start), end: wall(start + delta * 60_000),
        });
      }
    }
  }
  const limit = AZURE_FACTS.autoscaleMaxProfiles;
  v.check(plans.length <= limit.value, 'schedule', `${plans.length} profiles`,
    `at most ${limit.value} autoscale profiles (${limit.docUrl}): ${weekly.length} weekly transitions + `
    + `${holidays.length} holiday dates x ${years.length} years; merge windows or render fewer holiday years`);
  return { plans, timeZone };
}

/** Local wall time as the provider's RFC 3339 string; Azure reads it in the profile's `timezone`. */
function wall(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}:00Z`;
}
