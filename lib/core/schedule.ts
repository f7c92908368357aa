/**
 * A cloud-neutral scaling schedule: which capacity (as percent of a baseline)
 * holds at each minute of the week, in one IANA time zone.
 *
 * The clouds render it differently (AWS Auto Scaling scheduled actions with a cron
 * recurrence and an IANA `TimeZone`, Azure autoscale recurrence profiles with a
 * Windows time zone name, Google Cloud autoscaler scaling schedules), but they all
 * start from the same list of transitions computed here, so one rule holds on every
 * cloud: every minute of the week is covered by exactly one window.
 *
 * Domain source: the scaling section of the MCP high-availability guide
 * ("Business hours scaling (7 AM - 7 PM): 150-200% baseline capacity", off-hours
 * 80-100 %, weekend 60-80 %, holiday/maintenance 40-60 %).
 */
import { Validator } from './errors';
import { daylightSavingWallRanges, ianaTimeZoneExists, mergeWallRanges, observesDaylightSaving } from './timezones';

/** A day of the week (values are the cron day names). */
export enum Weekday {
  MONDAY = 'MON',
  TUESDAY = 'TUE',
  WEDNESDAY = 'WED',
  THURSDAY = 'THU',
  FRIDAY = 'FRI',
  SATURDAY = 'SAT',
  SUNDAY = 'SUN',
}

/** The weekdays in week order, Monday first. */
export const WEEKDAYS: readonly Weekday[] = [
  Weekday.MONDAY,
  Weekday.TUESDAY,
  Weekday.WEDNESDAY,
  Weekday.THURSDAY,
  Weekday.FRIDAY,
  Weekday.SATURDAY,
  Weekday.SUNDAY,
];

/** Unix cron day-of-week numbers (Sunday = 0). */
const CRON_DAY: Readonly<Record<Weekday, number>> = {
  [Weekday.MONDAY]: 1,
  [Weekday.TUESDAY]: 2,
  [Weekday.WEDNESDAY]: 3,
  [Weekday.THURSDAY]: 4,
  [Weekday.FRIDAY]: 5,
  [Weekday.SATURDAY]: 6,
  [Weekday.SUNDAY]: 0,
};

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
/** AWS Auto Scaling: at most 125 scheduled actions per Auto Scaling group. */
export const MAX_SCHEDULED_ACTIONS = 125;
const PERCENT_RANGE = { min: 0, max: 1000 };
const NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const NAME_ALLOWED =
  '1 to 40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen ' +
  '(it becomes part of cloud resource names)';
/** Days per month in a year that recurs every year (February 29 does not). */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** When a window applies during the week. */
export interface WeeklyTimes {
  /** Days on which the window starts at `start`. Each day at most once. */
  readonly weekdays: Weekday[];
  /** Local start time, 'HH:MM' (24 h), from 00:00 to 23:59. */
  readonly start: string;
  /**
   * Local end time, 'HH:MM' (24 h), from 00:00 to 24:00, exclusive. An end at or
   * before `start` runs into the next day ('19:00' to '07:00'); an end equal to
   * `start` means a full 24 hours.
   */
  readonly end: string;
}

/** A named part of the week with its capacity range. */
export interface ScheduleWindowProps {
  /** Window name: lowercase letters, digits and hyphens, 1-40 characters (used in resource names). */
  readonly name: string;
  /** When the window applies. */
  readonly times: WeeklyTimes[];
  /** Minimum capacity, percent of the baseline (integer 0..1000). */
  readonly minPercent: number;
  /** Maximum capacity, percent of the baseline (integer 0..1000, at least `minPercent`). */
  readonly maxPercent: number;
}

/** A weekly window as the schedule holds it. */
export interface ScheduleWindow extends ScheduleWindowProps {
  /** Minutes of the week this window covers (of 10080). */
  readonly minutesPerWeek: number;
}

/** A day of the year that recurs every year (February 29 is refused). */
export interface RecurringDate {
  /** 1..12 */
  readonly month: number;
  /** 1..31, valid for the month */
  readonly day: number;
}

/**
 * Capacity for holidays (or maintenance days), set by an action that fires at
 * 00:00 local time on each date, every year.
 *
 * Semantics (what recurring cron actions can express without fixed start dates
 * that expire): the holiday action fires at 00:00 on its date and its capacity
 * holds until the next weekly transition fires. Cron cannot suppress a weekly
 * action on one date, so a weekly transition later that same day still fires and
 * ends the holiday: in the guide preset a Saturday or Sunday holiday holds until
 * Monday 07:00, a Monday-to-Friday holiday until 07:00 that day (its night hours
 * run at holiday capacity, its business hours at business capacity). Holidays emit
 * no end action. Because the holiday action fires at 00:00, a schedule with
 * holidays may have no weekly transition at 00:00 (two actions at the same minute
 * have no defined order), and needs at least one weekly transition to end a holiday.
 */
export interface HolidayWindowProps {
  /** Name: lowercase letters, digits and hyphens, 1-40 characters, unique among windows and holidays. */
  readonly name: string;
  /** Dates, every year. */
  readonly dates: RecurringDate[];
  /** Minimum capacity, percent of the baseline (integer 0..1000). */
  readonly minPercent: number;
  /** Maximum capacity, percent of the baseline (integer 0..1000, at least `minPercent`). */
  readonly maxPercent: number;
}

/** A custom schedule: weekly windows covering the week, plus optional holidays (`new ScalingSchedule(props)`). */
export interface ScalingScheduleProps {
  /** IANA time zone name the times are in ('America/New_York', 'UTC'). */
  readonly timeZone: string;
  /** Weekly windows; together they cover every minute of the week exactly once. */
  readonly windows: ScheduleWindowProps[];
  /** Holiday windows. @default - none */
  readonly holidays?: HolidayWindowProps[];
}

/** Options of `ScalingSchedule.guidePreset`. */
export interface GuidePresetOptions {
  /** Holiday dates, every year, at 40-60 % (e.g. January 1 and December 25). @default - none */
  readonly holidays?: RecurringDate[];
}

/** Kind of a window or transition. */
export enum WindowKind {
  /** A weekly window. */
  WEEKLY = 'weekly',
  /** A holiday window (recurring date). */
  HOLIDAY = 'holiday',
}

/**
 * One scheduled action, cloud-neutral: at `hour:minute` local time (in `timeZone`)
 * on `weekdays` (weekly) or on `month`/`dayOfMonth` (holiday, every year), set the
 * capacity range to `minPercent`..`maxPercent` of the baseline.
 */
export interface ScheduleTransition {
  /** Stable, deterministic name: `<window>-<HHMM>` (weekly) or `<holiday>-<MMDD>` (holiday). */
  readonly name: string;
  /** Whether the action belongs to a weekly window or to a holiday. */
  readonly kind: WindowKind;
  /** Window (or holiday) whose capacity this action sets. */
  readonly windowName: string;
  /** 0..23, local */
  readonly hour: number;
  /** 0..59 */
  readonly minute: number;
  /** Days the weekly action fires on, in week order (weekly only). @default - unset on a holiday action */
  readonly weekdays?: Weekday[];
  /** 1..12 (holiday only). @default - unset on a weekly action */
  readonly month?: number;
  /** 1..31 (holiday only). @default - unset on a weekly action */
  readonly dayOfMonth?: number;
  /** Lower end of the capacity range the action sets, in percent of the baseline. */
  readonly minPercent: number;
  /** Upper end of the capacity range the action sets, in percent of the baseline. */
  readonly maxPercent: number;
  /** IANA time zone of `hour` and `minute`. */
  readonly timeZone: string;
  /** Five-field Unix cron expression (minute hour day-of-month month day-of-week, Sunday = 0). */
  readonly cronExpression: string;
}

/** Instance counts of one window for a baseline. */
export interface WindowCapacity {
  /** The window's (or holiday's) name. */
  readonly windowName: string;
  /** Weekly window or holiday. */
  readonly kind: WindowKind;
  /** The window's lower capacity, in percent of the baseline. */
  readonly minPercent: number;
  /** The window's upper capacity, in percent of the baseline. */
  readonly maxPercent: number;
  /** max(floor, ceil(baseline * minPercent / 100)) */
  readonly minCapacity: number;
  /** max(floor, ceil(baseline * maxPercent / 100)) */
  readonly maxCapacity: number;
}

/** Instance-hours of a typical week (no holiday) for a baseline. */
export interface WeeklyInstanceHours {
  /** The baseline instance count the percentages apply to. */
  readonly baseline: number;
  /** The floor applied to every window's capacities. */
  readonly floor: number;
  /** Sum over the 168 hours of the covering window's minCapacity: what the schedule keeps running. */
  readonly floorInstanceHours: number;
  /** Sum over the 168 hours of the covering window's maxCapacity: the most the schedule allows. */
  readonly ceilingInstanceHours: number;
  /** 168 x the largest maxCapacity of any weekly window: peak capacity provisioned around the clock. */
  readonly flatPeakInstanceHours: number;
  /** 100 x (1 - ceiling / flatPeak): saving of the schedule's ceiling against flat peak provisioning. */
  readonly savingPercent: number;
  /** 100 x (1 - floor / flatPeak). */
  readonly floorSavingPercent: number;
}

interface Segment {
  readonly windowIndex: number;
  readonly timesIndex: number;
  /** Week minute the segment starts at (0 = Monday 00:00). */
  readonly startWeekMinute: number;
  readonly lengthMinutes: number;
}

/** Minutes since 00:00 for 'HH:MM' (24:00 only when `allow24`), undefined when malformed. */
function parseTime(value: unknown, allow24: boolean): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{2}):(\d{2})$/.exec(value);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && allow24) return MINUTES_PER_DAY;
  if (hours > 23) return undefined;
  return hours * 60 + minutes;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** 'HH:MM' of a minute of the day. */
export function formatMinuteOfDay(minuteOfDay: number): string {
  return `${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`;
}

/** 'MON 07:00' of a minute of the week (0 = Monday 00:00). */
export function formatWeekMinute(weekMinute: number): string {
  const day = WEEKDAYS[Math.floor(weekMinute / MINUTES_PER_DAY)];
  return `${day} ${formatMinuteOfDay(weekMinute % MINUTES_PER_DAY)}`;
}

function formatWeekRange(first: number, last: number): string {
  const sameDay = Math.floor(first / MINUTES_PER_DAY) === Math.floor(last / MINUTES_PER_DAY) && last >= first;
  return sameDay
    ? `${formatWeekMinute(first)}-${formatMinuteOfDay(last % MINUTES_PER_DAY)}`
    : `${formatWeekMinute(first)}-${formatWeekMinute(last)}`;
}

/** Cron day list, runs compressed ('1-5', '0,6'). */
function cronDays(weekdays: readonly Weekday[]): string {
  const numbers = [...new Set(weekdays.map((d) => CRON_DAY[d]))].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(j - i >= 2 ? `${numbers[i]}-${numbers[j]}` : numbers.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** The weekly segments a window's times describe (skips malformed entries). */
function segmentsOf(windowIndex: number, times: readonly WeeklyTimes[]): Segment[] {
  const segments: Segment[] = [];
  times.forEach((t, timesIndex) => {
    const start = parseTime(t?.start, false);
    const end = parseTime(t?.end, true);
    if (start === undefined || end === undefined || !Array.isArray(t.weekdays)) return;
    const length = end > start ? end - start : end - start + MINUTES_PER_DAY;
    for (const day of new Set(t.weekdays)) {
      const dayIndex = WEEKDAYS.indexOf(day);
      if (dayIndex < 0) continue;
      segments.push({ windowIndex, timesIndex, startWeekMinute: dayIndex * MINUTES_PER_DAY + start, lengthMinutes: length });
    }
  });
  return segments;
}

/** Index of the covering window for every minute of the week, per schedule (kept off the public shape). */
const COVERAGE = new WeakMap<ScalingSchedule, Int16Array>();

function coverageOf(schedule: ScalingSchedule): Int16Array {
  return COVERAGE.get(schedule) as Int16Array;
}

/**
 * A validated scaling schedule. Create with `ScalingSchedule.of(props)` or
 * `ScalingSchedule.guidePreset(timeZone)`.
 */
export class ScalingSchedule {
  /**
   * Validates `props` and returns the schedule.
   * @throws McpHaValidationError listing every problem (prop path, value given, what is allowed)
   */
  public static of(props: ScalingScheduleProps): ScalingSchedule {
    const validator = new Validator({ propPrefix: 'schedule' });
    const cover = validateSchedule(validator, props);
    validator.throwIfInvalid();
    return new ScalingSchedule(props, cover as Int16Array);
  }

  /**
   * The guide's schedule:
   * - business-hours: Monday to Friday 07:00-19:00 at 150-200 %;
   * - off-hours: weekday nights, Monday to Thursday 19:00 to 07:00 the next day, at 80-100 %;
   * - weekend: Friday 19:00 to Monday 07:00 at 60-80 % (so the only weekly transitions
   *   are at 07:00 and 19:00 and none at 00:00, where holiday actions fire);
   * - holiday: the given dates at 40-60 % (see `HolidayWindowProps` for how long a holiday holds).
   * @param timeZone IANA time zone. @default 'UTC'
   */
  public static guidePreset(timeZone: string = 'UTC', options: GuidePresetOptions = {}): ScalingSchedule {
    const holidays = options.holidays ?? [];
    return ScalingSchedule.of({
      timeZone,
      windows: [
        {
          name: 'business-hours',
          times: [
            {
              weekdays: [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY],
              start: '07:00',
              end: '19:00',
            },
          ],
          minPercent: 150,
          maxPercent: 200,
        },
        {
          name: 'off-hours',
          times: [{ weekdays: [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY], start: '19:00', end: '07:00' }],
          minPercent: 80,
          maxPercent: 100,
        },
        {
          name: 'weekend',
          times: [
            { weekdays: [Weekday.FRIDAY], start: '19:00', end: '24:00' },
            { weekdays: [Weekday.SATURDAY, Weekday.SUNDAY], start: '00:00', end: '24:00' },
            { weekdays: [Weekday.MONDAY], start: '00:00', end: '07:00' },
          ],
          minPercent: 60,
          maxPercent: 80,
        },
      ],
      holidays: holidays.length > 0 ? [{ name: 'holiday', dates: holidays, minPercent: 40, maxPercent: 60 }] : [],
    });
  }

  /** IANA time zone of every time in the schedule. */
  public readonly timeZone: string;
  /** Weekly windows, in the order given. */
  public readonly windows: ScheduleWindow[];
  /** Holiday windows, in the order given. */
  public readonly holidays: HolidayWindowProps[];
  private constructor(props: ScalingScheduleProps, cover: Int16Array) {
    this.timeZone = props.timeZone;
    COVERAGE.set(this, cover);
    this.windows = props.windows.map((w, i) => ({
      name: w.name,
      times: w.times.map((t) => ({ weekdays: [...t.weekdays], start: t.start, end: t.end })),
      minPercent: w.minPercent,
      maxPercent: w.maxPercent,
      minutesPerWeek: cover.reduce((sum, c) => (c === i ? sum + 1 : sum), 0),
    }));
    this.holidays = (props.holidays ?? []).map((h) => ({
      name: h.name,
      dates: h.dates.map((d) => ({ month: d.month, day: d.day })),
      minPercent: h.minPercent,
      maxPercent: h.maxPercent,
    }));
  }

  /** The weekly window covering this local weekday and minute of the day (0..1439): exactly one, by construction. */
  public windowAt(weekday: Weekday, minuteOfDay: number): ScheduleWindow {
    const dayIndex = WEEKDAYS.indexOf(weekday);
    if (dayIndex < 0 || !Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay >= MINUTES_PER_DAY) {
      const validator = new Validator();
      validator.oneOf('weekday', weekday, WEEKDAYS);
      validator.integerInRange('minuteOfDay', minuteOfDay, { min: 0, max: MINUTES_PER_DAY - 1 });
      validator.throwIfInvalid();
    }
    return this.windows[coverageOf(this)[dayIndex * MINUTES_PER_DAY + minuteOfDay]];
  }

  /**
   * The cloud-neutral scheduled actions: one per (window, start time) where the
   * covering window changes, with the weekdays it changes on merged into one day
   * list (consecutive parts of the same window produce none), then one per holiday
   * date at 00:00. Weekly actions come first, ordered by time of day, then by first
   * weekday; holiday actions follow by date. A schedule with a single window has no
   * weekly action: the fleet's own capacity range (from `capacityFor`) holds.
   */
  public transitions(): ScheduleTransition[] {
    return computeTransitions(coverageOf(this), this.windows, this.holidays, this.timeZone);
  }

  /**
   * Instance counts for a baseline: per weekly window, then per holiday,
   * minCapacity = ceil(baseline x minPercent / 100) and maxCapacity =
   * ceil(baseline x maxPercent / 100), both at least `floor`.
   * @param baseline instances at 100 % (integer 1..100000)
   * @param floor lower bound of every capacity, e.g. the tier's minimum zone count (integer 0..100000). @default 0
   */
  public capacityFor(baseline: number, floor: number = 0): WindowCapacity[] {
    validateBaseline(baseline, floor);
    const capacity = (percent: number): number => Math.max(floor, Math.ceil((baseline * percent) / 100));
    const row = (name: string, kind: WindowKind, minPercent: number, maxPercent: number): WindowCapacity => ({
      windowName: name,
      kind,
      minPercent,
      maxPercent,
      minCapacity: capacity(minPercent),
      maxCapacity: capacity(maxPercent),
    });
    return [
      ...this.windows.map((w) => row(w.name, WindowKind.WEEKLY, w.minPercent, w.maxPercent)),
      ...this.holidays.map((h) => row(h.name, WindowKind.HOLIDAY, h.minPercent, h.maxPercent)),
    ];
  }

  /**
   * Instance-hours of a typical week (no holiday) for a baseline: the floor
   * (sum of minCapacity over the week's hours), the ceiling (sum of maxCapacity),
   * flat peak provisioning (168 h x the largest weekly maxCapacity) and the savings
   * of ceiling and floor against flat peak.
   */
  public weeklyInstanceHours(baseline: number, floor: number = 0): WeeklyInstanceHours {
    const capacities = this.capacityFor(baseline, floor).slice(0, this.windows.length);
    let floorMinutes = 0;
    let ceilingMinutes = 0;
    this.windows.forEach((w, i) => {
      floorMinutes += w.minutesPerWeek * capacities[i].minCapacity;
      ceilingMinutes += w.minutesPerWeek * capacities[i].maxCapacity;
    });
    const peak = Math.max(...capacities.map((c) => c.maxCapacity));
    const flatPeakInstanceHours = 168 * peak;
    const floorInstanceHours = floorMinutes / 60;
    const ceilingInstanceHours = ceilingMinutes / 60;
    const saving = (hours: number): number => (flatPeakInstanceHours === 0 ? 0 : 100 * (1 - hours / flatPeakInstanceHours));
    return {
      baseline,
      floor,
      floorInstanceHours,
      ceilingInstanceHours,
      flatPeakInstanceHours,
      savingPercent: saving(ceilingInstanceHours),
      floorSavingPercent: saving(floorInstanceHours),
    };
  }
}

function validateBaseline(baseline: number, floor: number): void {
  const validator = new Validator();
  validator.check(typeof baseline === 'number', 'baseline', baseline, 'an integer from 1 to 100000');
  validator.integerInRange('baseline', baseline, { min: 1, max: 100_000 });
  validator.check(typeof floor === 'number', 'floor', floor, 'an integer from 0 to 100000');
  validator.integerInRange('floor', floor, { min: 0, max: 100_000 });
  validator.throwIfInvalid();
}

function computeTransitions(
  cover: Int16Array,
  windows: readonly ScheduleWindowProps[],
  holidays: readonly HolidayWindowProps[],
  timeZone: string,
): ScheduleTransition[] {
  // (window, minute of day) -> weekdays the covering window changes to it there.
  const changes = new Map<string, { windowIndex: number; minuteOfDay: number; days: number[] }>();
  for (let m = 0; m < MINUTES_PER_WEEK; m++) {
    const current = cover[m];
    const previous = cover[(m + MINUTES_PER_WEEK - 1) % MINUTES_PER_WEEK];
    if (current === previous) continue;
    const minuteOfDay = m % MINUTES_PER_DAY;
    const key = `${current}:${minuteOfDay}`;
    const entry = changes.get(key) ?? { windowIndex: current, minuteOfDay, days: [] };
    entry.days.push(Math.floor(m / MINUTES_PER_DAY));
    changes.set(key, entry);
  }
  const weekly = [...changes.values()]
    .sort((a, b) => a.minuteOfDay - b.minuteOfDay || a.days[0] - b.days[0] || a.windowIndex - b.windowIndex)
    .map((c): ScheduleTransition => {
      const w = windows[c.windowIndex];
      const weekdays = c.days.map((d) => WEEKDAYS[d]);
      const hour = Math.floor(c.minuteOfDay / 60);
      const minute = c.minuteOfDay % 60;
      return {
        name: `${w.name}-${pad2(hour)}${pad2(minute)}`,
        kind: WindowKind.WEEKLY,
        windowName: w.name,
        hour,
        minute,
        weekdays,
        minPercent: w.minPercent,
        maxPercent: w.maxPercent,
        timeZone,
        cronExpression: `${minute} ${hour} * * ${cronDays(weekdays)}`,
      };
    });
  const holidayActions = holidays
    .flatMap((h) => h.dates.map((d) => ({ h, d })))
    .sort((a, b) => a.d.month - b.d.month || a.d.day - b.d.day)
    .map(
      ({ h, d }): ScheduleTransition => ({
        name: `${h.name}-${pad2(d.month)}${pad2(d.day)}`,
        kind: WindowKind.HOLIDAY,
        windowName: h.name,
        hour: 0,
        minute: 0,
        month: d.month,
        dayOfMonth: d.day,
        minPercent: h.minPercent,
        maxPercent: h.maxPercent,
        timeZone,
        cronExpression: `0 0 ${d.day} ${d.month} *`,
      }),
    );
  return [...weekly, ...holidayActions];
}

function validatePercents(v: Validator, prefix: string, minPercent: number, maxPercent: number): void {
  v.check(typeof minPercent === 'number', `${prefix}.minPercent`, minPercent, 'an integer from 0 to 1000');
  v.check(typeof maxPercent === 'number', `${prefix}.maxPercent`, maxPercent, 'an integer from 0 to 1000');
  if (typeof minPercent === 'number') v.integerInRange(`${prefix}.minPercent`, minPercent, PERCENT_RANGE, 'percent of the baseline');
  if (typeof maxPercent === 'number') v.integerInRange(`${prefix}.maxPercent`, maxPercent, PERCENT_RANGE, 'percent of the baseline');
  if (typeof minPercent === 'number' && typeof maxPercent === 'number' && minPercent > maxPercent) {
    v.add(`${prefix}.minPercent`, minPercent, `at most maxPercent (${maxPercent})`);
  }
}

function validateName(v: Validator, prop: string, name: string, seen: Map<string, string>): void {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    v.add(prop, name, NAME_ALLOWED);
    return;
  }
  const first = seen.get(name);
  if (first !== undefined) {
    v.add(prop, name, `a name not used by another window or holiday (${first} is already '${name}')`);
  } else {
    seen.set(name, prop);
  }
}

/** Validates into `v`; returns the coverage (window index per week minute) when it could be computed. */
function validateSchedule(v: Validator, props: ScalingScheduleProps): Int16Array | undefined {
  const timeZoneValid = typeof props.timeZone === 'string' && ianaTimeZoneExists(props.timeZone);
  v.check(timeZoneValid, 'timeZone', props.timeZone, 'an IANA time zone name, exact case (e.g. "UTC", "America/New_York", "Europe/Berlin")');

  const windows = Array.isArray(props.windows) ? props.windows : [];
  v.check(windows.length > 0, 'windows', props.windows, 'at least one window');
  const names = new Map<string, string>();
  let timesValid = true;

  windows.forEach((w, i) => {
    const prefix = `windows[${i}]`;
    validateName(v, `${prefix}.name`, w.name, names);
    validatePercents(v, prefix, w.minPercent, w.maxPercent);
    const times = Array.isArray(w.times) ? w.times : [];
    if (times.length === 0) {
      v.add(`${prefix}.times`, w.times, 'at least one weekly time range');
      timesValid = false;
    }
    times.forEach((t, j) => {
      const tp = `${prefix}.times[${j}]`;
      const weekdays = Array.isArray(t?.weekdays) ? t.weekdays : [];
      if (weekdays.length === 0) {
        v.add(`${tp}.weekdays`, t?.weekdays, 'at least one weekday');
        timesValid = false;
      }
      const seenDays = new Set<Weekday>();
      weekdays.forEach((d, k) => {
        if (!WEEKDAYS.includes(d)) {
          v.add(`${tp}.weekdays[${k}]`, d, `one of ${WEEKDAYS.map((x) => `"${x}"`).join(', ')} (Weekday)`);
          timesValid = false;
        } else if (seenDays.has(d)) {
          v.add(`${tp}.weekdays[${k}]`, d, 'each weekday at most once per time range');
          timesValid = false;
        }
        seenDays.add(d);
      });
      if (parseTime(t?.start, false) === undefined) {
        v.add(`${tp}.start`, t?.start, "a time 'HH:MM' from 00:00 to 23:59 (24:00 only as an end)");
        timesValid = false;
      }
      if (parseTime(t?.end, true) === undefined) {
        v.add(`${tp}.end`, t?.end, "a time 'HH:MM' from 00:00 to 24:00");
        timesValid = false;
      }
    });
  });

  const holidays = Array.isArray(props.holidays) ? props.holidays : [];
  const dates = new Map<string, string>();
  holidays.forEach((h, i) => {
    const prefix = `holidays[${i}]`;
    validateName(v, `${prefix}.name`, h.name, names);
    validatePercents(v, prefix, h.minPercent, h.maxPercent);
    const list = Array.isArray(h.dates) ? h.dates : [];
    v.check(list.length > 0, `${prefix}.dates`, h.dates, 'at least one date');
    list.forEach((d, j) => {
      const dp = `${prefix}.dates[${j}]`;
      const monthOk = Number.isInteger(d?.month) && d.month >= 1 && d.month <= 12;
      v.check(monthOk, `${dp}.month`, d?.month, 'an integer from 1 to 12');
      if (!monthOk) return;
      const days = DAYS_IN_MONTH[d.month - 1];
      const dayOk = Number.isInteger(d.day) && d.day >= 1 && d.day <= days;
      v.check(
        dayOk,
        `${dp}.day`,
        d.day,
        `an integer from 1 to ${days} for month ${d.month}${d.month === 2 ? ' (February 29 does not recur every year)' : ''}`,
      );
      if (!dayOk) return;
      const key = `${pad2(d.month)}-${pad2(d.day)}`;
      const first = dates.get(key);
      if (first !== undefined) v.add(dp, d, `a date not listed before (${first} is the same date)`);
      else dates.set(key, dp);
    });
  });

  if (!timesValid || windows.length === 0) return undefined;

  // Coverage: each window's minutes, then overlaps and gaps.
  const segments = windows.flatMap((w, i) => segmentsOf(i, w.times));
  const covered = windows.map(() => new Uint8Array(MINUTES_PER_WEEK));
  for (const s of segments) {
    for (let k = 0; k < s.lengthMinutes; k++) covered[s.windowIndex][(s.startWeekMinute + k) % MINUTES_PER_WEEK] = 1;
  }
  const cover = new Int16Array(MINUTES_PER_WEEK).fill(-1);
  let coverageValid = true;
  const reportedPairs = new Set<string>();
  for (let m = 0; m < MINUTES_PER_WEEK; m++) {
    const here: number[] = [];
    for (let i = 0; i < windows.length; i++) if (covered[i][m]) here.push(i);
    if (here.length === 1) cover[m] = here[0];
    for (let a = 0; a < here.length; a++) {
      for (let b = a + 1; b < here.length; b++) {
        coverageValid = false;
        const pair = `${here[a]}:${here[b]}`;
        if (reportedPairs.has(pair)) continue;
        reportedPairs.add(pair);
        const first = windows[here[a]].name;
        const second = windows[here[b]].name;
        v.add(
          `windows[${here[b]}].times`,
          formatWeekMinute(m),
          `times that overlap no other window: ${formatWeekMinute(m)} is covered by '${first}' (windows[${here[a]}]) and '${second}' (windows[${here[b]}])`,
        );
      }
    }
  }
  // Gaps, on the cyclic week: start scanning just after a covered minute.
  const anchor = cover.findIndex((c) => c >= 0);
  if (anchor < 0) {
    coverageValid = false;
    v.add('windows', 'MON 00:00-SUN 23:59', 'every minute of the week covered by exactly one window: MON 00:00-SUN 23:59 is covered by no window');
  } else {
    for (let k = 1; k <= MINUTES_PER_WEEK; k++) {
      const m = (anchor + k) % MINUTES_PER_WEEK;
      const prev = (m + MINUTES_PER_WEEK - 1) % MINUTES_PER_WEEK;
      const uncovered = !covered.some((c) => c[m] === 1);
      const prevUncovered = !covered.some((c) => c[prev] === 1);
      if (!uncovered || prevUncovered) continue;
      let last = m;
      while (!covered.some((c) => c[(last + 1) % MINUTES_PER_WEEK] === 1)) last = (last + 1) % MINUTES_PER_WEEK;
      coverageValid = false;
      const range = formatWeekRange(m, last);
      v.add('windows', range, `every minute of the week covered by exactly one window: ${range} is covered by no window`);
    }
  }
  if (!coverageValid) return undefined;

  const weeklyProps = windows.map((w) => ({ name: w.name, times: w.times, minPercent: w.minPercent, maxPercent: w.maxPercent }));
  const weekly = computeTransitions(cover, weeklyProps, [], props.timeZone);

  // Daylight saving: wall times skipped or repeated on change days. 01:00-02:59 covers the usual
  // rules (North America, Europe, Australia) whatever the year; the zone's own changes this year and
  // next are added (midnight in America/Santiago, America/Havana, Africa/Cairo; 23:00 in America/Nuuk...).
  if (timeZoneValid && observesDaylightSaving(props.timeZone)) {
    const unsafe = mergeWallRanges([{ start: 60, end: 180 }, ...daylightSavingWallRanges(props.timeZone)]);
    const unsafeText = unsafe.map((r) => `${formatMinuteOfDay(r.start)}-${formatMinuteOfDay(r.end - 1)}`).join(' and ');
    for (const t of weekly) {
      const minuteOfDay = t.hour * 60 + t.minute;
      if (!unsafe.some((r) => minuteOfDay >= r.start && minuteOfDay < r.end)) continue;
      const windowIndex = windows.findIndex((w) => w.name === t.windowName);
      const timesIndex = windows[windowIndex].times.findIndex((x) => parseTime(x.start, false) === minuteOfDay);
      const prop = timesIndex >= 0 ? `windows[${windowIndex}].times[${timesIndex}].start` : `windows[${windowIndex}].times`;
      v.add(
        prop,
        formatMinuteOfDay(minuteOfDay),
        `a window boundary outside ${unsafeText}: ${props.timeZone} observes daylight saving time, and on change days ` +
          `those wall-clock times are skipped or repeated, so a scheduled action there fires zero or two times`,
      );
    }
  }

  if (holidays.length > 0) {
    const atMidnight = weekly.filter((t) => t.hour === 0 && t.minute === 0);
    if (atMidnight.length > 0) {
      const days = WEEKDAYS.filter((d) => atMidnight.some((t) => t.weekdays?.includes(d)));
      v.add(
        'holidays',
        props.holidays,
        `weekly transitions at minutes other than 00:00: holiday actions fire at 00:00 and would collide with ` +
          `the weekly transition at 00:00 on ${days.join(', ')} (two actions at the same minute have no defined order)`,
      );
    }
    if (weekly.length === 0) {
      v.add('holidays', props.holidays, 'holidays only with at least two weekly windows: a weekly transition ends each holiday');
    }
  }

  const total = weekly.length + holidays.reduce((n, h) => n + (Array.isArray(h.dates) ? h.dates.length : 0), 0);
  v.check(
    total <= MAX_SCHEDULED_ACTIONS,
    'windows',
    `${total} scheduled actions`,
    `at most ${MAX_SCHEDULED_ACTIONS} scheduled actions (weekly transitions plus holiday dates; AWS Auto Scaling limit per group)`,
  );
  return cover;
}
