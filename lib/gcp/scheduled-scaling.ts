/**
 * The core scaling schedule as Google Cloud autoscaler scaling schedules.
 *
 * What Google can express (https://cloud.google.com/compute/docs/autoscaler/scaling-schedules):
 * a scaling schedule raises the autoscaler's minimum (`min_required_replicas`) from
 * a cron start time (in an IANA zone) for `duration_sec` (at least 300 s); when
 * schedules overlap, the highest minimum wins; outside every schedule the
 * autoscaler's own `min_replicas` holds. There is one `max_replicas` for the whole
 * week.
 *
 * How the core's windows map:
 * - each contiguous run of a weekly window becomes one schedule (runs of the same
 *   window that start at the same local time and last as long share one cron with
 *   a day list), raising the minimum to the window's minCapacity; windows whose
 *   minimum is the autoscaler's own get no schedule;
 * - the autoscaler's min_replicas is the lowest window minimum (never below the
 *   tier's floor); max_replicas is the highest window maximum: a window's own
 *   maxPercent cannot be expressed (Google keeps one maximum all week);
 * - holiday windows cannot be expressed (they lower capacity; a schedule only
 *   raises it) and are refused;
 * - `duration_sec` is fixed seconds: on a daylight-saving change a 12-hour local
 *   window lasts 11 or 13 hours of real time, leaving an hour at min_replicas or an
 *   hour of overlap (the higher minimum wins).
 *
 * Instance-hours are computed from the rendered schedules, minute by minute, as
 * what Google will run at least (floor) and may run at most (ceiling).
 */
import { Validator } from '../core/errors';
import { ScalingSchedule, WEEKDAYS, Weekday } from '../core/schedule';

/** Shortest scaling schedule Google accepts: "The minimum allowed value is 300." */
export const GCP_MIN_SCHEDULE_SECONDS = 300;
/** Scaling schedules per autoscaler (https://cloud.google.com/compute/docs/autoscaler/scaling-schedules#limitations). */
export const GCP_MAX_SCALING_SCHEDULES = 128;
export const SCALING_SCHEDULES_DOC = 'https://cloud.google.com/compute/docs/reference/rest/v1/autoscalers';

const CRON_DAY: Readonly<Record<Weekday, number>> = {
  [Weekday.SUNDAY]: 0, [Weekday.MONDAY]: 1, [Weekday.TUESDAY]: 2, [Weekday.WEDNESDAY]: 3,
  [Weekday.THURSDAY]: 4, [Weekday.FRIDAY]: 5, [Weekday.SATURDAY]: 6,
};
const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** One scaling schedule as rendered into the autoscaler. */
export interface RenderedScalingSchedule {
  /** Schedule name, unique in the autoscaler (`<window>-<hhmm>-<days>`). */
  readonly name: string;
  /** The core window it raises the minimum for. */
  readonly windowName: string;
  /** Unix cron: minute hour * * days (0 = Sunday). */
  readonly schedule: string;
  /** IANA time zone of the cron. */
  readonly timeZone: string;
  /** How long the minimum holds (the window's length; at least 300 s). */
  readonly durationSec: number;
  /** The window's minimum instance count. */
  readonly minRequiredReplicas: number;
  /** Local start: weekdays (Monday = 0 in WEEKDAYS order) and minute of the day. */
  readonly startDays: readonly number[];
  /** Local start, minutes after midnight. */
  readonly startMinuteOfDay: number;
}

/** What the autoscaler will do, as rendered. */
export interface GoogleScalingPlan {
  /** The autoscaler's min_replicas (outside every schedule). */
  readonly minReplicas: number;
  /** The autoscaler's max_replicas (all week). */
  readonly maxReplicas: number;
  /** The scaling schedules, in start order. */
  readonly schedules: readonly RenderedScalingSchedule[];
  /** Instance-hours of a typical week: at least (floor) and at most (ceiling, max_replicas all week). */
  readonly weeklyFloorInstanceHours: number;
  /** Instance-hours at max_replicas all week. */
  readonly weeklyCeilingInstanceHours: number;
  /** What of the core schedule Google cannot express, in words (for the plan and the docs). */
  readonly notExpressed: readonly string[];
}

/** What `planGoogleScaling` maps onto a regional autoscaler: the core schedule and the fleet's capacity. */
export interface ScalingPlanInput {
  /** The core schedule. @default - none: min/max all week */
  readonly schedule?: ScalingSchedule;
  /** Instances at 100 %. */
  readonly baseline: number;
  /** The tier's (or the user's) floor: no window runs fewer instances. */
  readonly floor: number;
  /** User bounds, when set. @default - the lowest window minimum */
  readonly min?: number;
  /** User maximum. @default - the highest window maximum */
  readonly max?: number;
}

/** Maps the schedule; problems (a window shorter than 300 s, holidays, a max below a minimum) go to `v`. */
export function planGoogleScaling(input: ScalingPlanInput, v: Validator): GoogleScalingPlan {
  const { schedule, baseline, floor } = input;
  if (!schedule) {
    const min = input.min ?? Math.max(baseline, floor);
    const max = input.max ?? Math.max(min, 2 * baseline);
    v.check(max >= min, 'capacity.max', max, `at least capacity.min (${min})`);
    return {
      minReplicas: min, maxReplicas: max, schedules: [],
      weeklyFloorInstanceHours: 168 * min, weeklyCeilingInstanceHours: 168 * max, notExpressed: [],
    };
  }
  const caps = schedule.capacityFor(baseline, floor);
  const weekly = caps.slice(0, schedule.windows.length);
  const notExpressed: string[] = [];
  schedule.holidays.forEach((h, i) => {
    v.add(`schedule.holidays[${i}]`, h.name,
      'no holiday windows on Google Cloud: a scaling schedule only raises the autoscaler\'s minimum and overlapping '
      + `schedules combine to the highest, so a holiday cannot lower the weekday capacity (${SCALING_SCHEDULES_DOC})`);
  });
  const minReplicas = input.min ?? Math.min(...weekly.map((c) => c.minCapacity));
  const maxReplicas = input.max ?? Math.max(...weekly.map((c) => c.maxCapacity));
  const highestMin = Math.max(...weekly.map((c) => c.minCapacity));
  v.check(maxReplicas >= highestMin && maxReplicas >= minReplicas, 'capacity.max', maxReplicas,
    `at least the highest scheduled minimum (${highestMin}) and capacity.min (${minReplicas})`);
  if (new Set(weekly.map((c) => c.maxCapacity)).size > 1) {
    notExpressed.push(`per-window maximums (${weekly.map((c) => `${c.windowName} ${c.maxCapacity}`).join(', ')}): `
      + `Google keeps one max_replicas (${maxReplicas}) all week`);
  }

  // Reconstruct the week's coverage and its runs (the core guarantees exactly one window per minute).
  const cover: number[] = new Array(MINUTES_PER_WEEK);
  for (let m = 0; m < MINUTES_PER_WEEK; m++) {
    const w = schedule.windowAt(WEEKDAYS[Math.floor(m / MINUTES_PER_DAY)], m % MINUTES_PER_DAY);
    cover[m] = schedule.windows.indexOf(w);
  }
  const starts: number[] = [];
  for (let m = 0; m < MINUTES_PER_WEEK; m++) if (cover[m] !== cover[(m + MINUTES_PER_WEEK - 1) % MINUTES_PER_WEEK]) starts.push(m);
  const groups = new Map<string, { w: number; minuteOfDay: number; length: number; days: number[] }>();
  starts.forEach((start, i) => {
    const next = starts[(i + 1) % starts.length];
    const length = ((next - start + MINUTES_PER_WEEK - 1) % MINUTES_PER_WEEK) + 1;
    const w = cover[start];
    const minuteOfDay = start % MINUTES_PER_DAY;
    const key = `${w}:${minuteOfDay}:${length}`;
    const g = groups.get(key) ?? { w, minuteOfDay, length, days: [] };
    g.days.push(Math.floor(start / MINUTES_PER_DAY));
    groups.set(key, g);
  });
  const schedules: RenderedScalingSchedule[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.minuteOfDay - b.minuteOfDay || a.days[0] - b.days[0])) {
    const window = schedule.windows[g.w];
    const durationSec = g.length * 60;
    v.check(durationSec >= GCP_MIN_SCHEDULE_SECONDS, `schedule.windows[${g.w}].times`, `${window.name}: ${durationSec} s`,
      `windows of at least ${GCP_MIN_SCHEDULE_SECONDS} s: Google's scaling schedule duration_sec minimum (${SCALING_SCHEDULES_DOC})`);
    const min = weekly[g.w].minCapacity;
    if (min <= minReplicas) continue;
    const hour = Math.floor(g.minuteOfDay / 60);
    const minute = g.minuteOfDay % 60;
    const days = g.days.map((d) => CRON_DAY[WEEKDAYS[d]]).sort((a, b) => a - b);
    schedules.push({
      name: `${window.name}-${String(hour).padStart(2, '0')}${String(minute).padStart(2, '0')}-${g.days.map((d) => WEEKDAYS[d].toLowerCase()).join('')}`.slice(0, 63),
      windowName: window.name,
      schedule: `${minute} ${hour} * * ${days.join(',')}`,
      timeZone: schedule.timeZone,
      durationSec,
      minRequiredReplicas: min,
      startDays: g.days,
      startMinuteOfDay: g.minuteOfDay,
    });
  }
  v.check(schedules.length <= GCP_MAX_SCALING_SCHEDULES, 'schedule', `${schedules.length} scaling schedules`,
    `at most ${GCP_MAX_SCALING_SCHEDULES} per autoscaler (${SCALING_SCHEDULES_DOC})`);
  notExpressed.push('start lead time: Google starts adding instances at the window\'s start; instances are serving '
    + 'after their boot and the autoscaler\'s initialization period');
  return {
    minReplicas, maxReplicas, schedules,
    weeklyFloorInstanceHours: renderedFloorHours(schedules, minReplicas),
    weeklyCeilingInstanceHours: 168 * maxReplicas,
    notExpressed,
  };
}

/**
 * Instance-hours Google runs at least in a week (local time, no daylight-saving
 * change): at each minute the highest minimum of the schedules in force, else
 * min_replicas. Computed from the rendered schedules alone.
 */
export function renderedFloorHours(schedules: readonly RenderedScalingSchedule[], minReplicas: number): number {
  const floor = new Array<number>(MINUTES_PER_WEEK).fill(minReplicas);
  for (const s of schedules) {
    // Read back the rendered cron ("minute hour * * days", 0 = Sunday), not the window it came from.
    const [minute, hour, , , days] = s.schedule.split(' ');
    const minutes = s.durationSec / 60;
    for (const cronDay of days.split(',').map(Number)) {
      const start = ((cronDay + 6) % 7) * MINUTES_PER_DAY + Number(hour) * 60 + Number(minute);
      for (let k = 0; k < minutes; k++) {
        const m = (start + k) % MINUTES_PER_WEEK;
        if (s.minRequiredReplicas > floor[m]) floor[m] = s.minRequiredReplicas;
      }
    }
  }
  return floor.reduce((a, b) => a + b, 0) / 60;
}
