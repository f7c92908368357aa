import * as fc from 'fast-check';
import { McpHaValidationError } from '../../lib/core/errors';
import {
  HolidayWindowProps,
  RecurringDate,
  ScalingSchedule,
  ScalingScheduleProps,
  ScheduleTransition,
  ScheduleWindowProps,
  WEEKDAYS,
  Weekday,
  WeeklyTimes,
  WindowKind,
} from '../../lib/core/schedule';
import { localWallTime, utcOffsetMinutes } from '../../lib/core/timezones';

const { MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY } = Weekday;
const DAY = 1440;
const WEEK = 7 * DAY;

/** Two windows, every day: 'day' 08:00-20:00 and 'night' 20:00-08:00. */
function dayNight(overrides: Partial<ScalingScheduleProps> = {}): ScalingScheduleProps {
  return {
    timeZone: 'UTC',
    windows: [
      { name: 'day', times: [{ weekdays: [...WEEKDAYS], start: '08:00', end: '20:00' }], minPercent: 100, maxPercent: 150 },
      { name: 'night', times: [{ weekdays: [...WEEKDAYS], start: '20:00', end: '08:00' }], minPercent: 50, maxPercent: 100 },
    ],
    ...overrides,
  };
}

function withWindow(index: number, change: Partial<ScheduleWindowProps>): ScalingScheduleProps {
  const base = dayNight();
  return { ...base, windows: base.windows.map((w, i) => (i === index ? { ...w, ...change } : w)) };
}

function withTimes(index: number, times: WeeklyTimes[]): ScalingScheduleProps {
  return withWindow(index, { times });
}

function holidays(dates: RecurringDate[], change: Partial<HolidayWindowProps> = {}): ScalingScheduleProps {
  return dayNight({ holidays: [{ name: 'holiday', dates, minPercent: 40, maxPercent: 60, ...change }] });
}

/** The error `ScalingSchedule.of(props)` throws. */
function errorOf(props: ScalingScheduleProps): McpHaValidationError {
  try {
    ScalingSchedule.of(props);
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return e as McpHaValidationError;
  }
  throw new Error('expected ScalingSchedule.of to throw');
}

/** Asserts one line names `prop`, the value as rendered and (part of) what is allowed. */
function expectProblem(props: ScalingScheduleProps, prop: string, renderedValue: string, allowed: string): void {
  const head = `  - ${prop}: got ${renderedValue}; allowed: `;
  const line = errorOf(props).message.split('\n').find((l) => l.startsWith(head));
  expect(line).toBeDefined();
  expect((line as string).slice(head.length)).toContain(allowed);
}

describe('ScalingSchedule.guidePreset', () => {
  const preset = ScalingSchedule.guidePreset('America/New_York', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] });

  test('GIVEN the guide preset WHEN built THEN it has 3 weekly windows and the holiday window', () => {
    expect(preset.timeZone).toBe('America/New_York');
    expect(preset.windows.map((w) => [w.name, w.minPercent, w.maxPercent, w.minutesPerWeek / 60])).toEqual([
      ['business-hours', 150, 200, 60],
      ['off-hours', 80, 100, 48],
      ['weekend', 60, 80, 60],
    ]);
    expect(preset.holidays).toEqual([{ name: 'holiday', dates: [{ month: 1, day: 1 }, { month: 12, day: 25 }], minPercent: 40, maxPercent: 60 }]);
  });

  test('GIVEN no time zone and no holidays WHEN built THEN it is in UTC without holidays', () => {
    const plain = ScalingSchedule.guidePreset();
    expect(plain.timeZone).toBe('UTC');
    expect(plain.holidays).toEqual([]);
    expect(plain.transitions()).toHaveLength(3);
  });

  test('GIVEN the preset WHEN asking which window covers a minute THEN it follows the guide', () => {
    expect(preset.windowAt(MONDAY, 6 * 60 + 59).name).toBe('weekend'); // the weekend runs until Monday 07:00
    expect(preset.windowAt(MONDAY, 7 * 60).name).toBe('business-hours');
    expect(preset.windowAt(WEDNESDAY, 18 * 60 + 59).name).toBe('business-hours');
    expect(preset.windowAt(WEDNESDAY, 19 * 60).name).toBe('off-hours');
    expect(preset.windowAt(THURSDAY, 3 * 60).name).toBe('off-hours');
    expect(preset.windowAt(FRIDAY, 6 * 60).name).toBe('off-hours');
    expect(preset.windowAt(FRIDAY, 19 * 60).name).toBe('weekend');
    expect(preset.windowAt(SATURDAY, 12 * 60).name).toBe('weekend');
    expect(preset.windowAt(SUNDAY, 23 * 60 + 59).name).toBe('weekend');
  });

  test('GIVEN the preset WHEN listing transitions THEN it is exactly 07:00, 19:00 (two windows) and the holiday dates', () => {
    const common = { timeZone: 'America/New_York' };
    expect(preset.transitions()).toEqual<ScheduleTransition[]>([
      {
        ...common,
        name: 'business-hours-0700',
        kind: WindowKind.WEEKLY,
        windowName: 'business-hours',
        hour: 7,
        minute: 0,
        weekdays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY],
        minPercent: 150,
        maxPercent: 200,
        cronExpression: '0 7 * * 1-5',
      },
      {
        ...common,
        name: 'off-hours-1900',
        kind: WindowKind.WEEKLY,
        windowName: 'off-hours',
        hour: 19,
        minute: 0,
        weekdays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY],
        minPercent: 80,
        maxPercent: 100,
        cronExpression: '0 19 * * 1-4',
      },
      {
        ...common,
        name: 'weekend-1900',
        kind: WindowKind.WEEKLY,
        windowName: 'weekend',
        hour: 19,
        minute: 0,
        weekdays: [FRIDAY],
        minPercent: 60,
        maxPercent: 80,
        cronExpression: '0 19 * * 5',
      },
      {
        ...common,
        name: 'holiday-0101',
        kind: WindowKind.HOLIDAY,
        windowName: 'holiday',
        hour: 0,
        minute: 0,
        month: 1,
        dayOfMonth: 1,
        minPercent: 40,
        maxPercent: 60,
        cronExpression: '0 0 1 1 *',
      },
      {
        ...common,
        name: 'holiday-1225',
        kind: WindowKind.HOLIDAY,
        windowName: 'holiday',
        hour: 0,
        minute: 0,
        month: 12,
        dayOfMonth: 25,
        minPercent: 40,
        maxPercent: 60,
        cronExpression: '0 0 25 12 *',
      },
    ]);
  });

  test('GIVEN a baseline of 6 WHEN computing capacities THEN each is ceil(6 x percent / 100)', () => {
    // 6 x 150 % = 9, 6 x 200 % = 12; 6 x 80 % = 4.8 -> 5, 6 x 100 % = 6;
    // 6 x 60 % = 3.6 -> 4, 6 x 80 % = 4.8 -> 5; 6 x 40 % = 2.4 -> 3, 6 x 60 % = 3.6 -> 4
    expect(preset.capacityFor(6).map((c) => [c.windowName, c.kind, c.minCapacity, c.maxCapacity])).toEqual([
      ['business-hours', WindowKind.WEEKLY, 9, 12],
      ['off-hours', WindowKind.WEEKLY, 5, 6],
      ['weekend', WindowKind.WEEKLY, 4, 5],
      ['holiday', WindowKind.HOLIDAY, 3, 4],
    ]);
  });

  test('GIVEN a floor of 4 zones WHEN computing capacities for 2 THEN no capacity is below 4', () => {
    // 2 x 150 % = 3 -> 4, 2 x 200 % = 4; everything else is below 4 -> 4
    expect(preset.capacityFor(2, 4).map((c) => [c.minCapacity, c.maxCapacity])).toEqual([
      [4, 4],
      [4, 4],
      [4, 4],
      [4, 4],
    ]);
  });

  test('GIVEN a baseline of 100 WHEN computing weekly instance-hours THEN the figures match the hand computation', () => {
    // business-hours 5 x 12 h = 60 h, off-hours 4 x 12 h = 48 h, weekend Fri 19:00 -> Mon 07:00 = 5 + 48 + 7 = 60 h (168 h).
    // floor   = 60 x 150 + 48 x 80 + 60 x 60 = 9000 + 3840 + 3600 = 16440
    // ceiling = 60 x 200 + 48 x 100 + 60 x 80 = 12000 + 4800 + 4800 = 21600
    // flat peak = 168 x 200 = 33600; saving = 100 x (1 - 21600 / 33600) = 35.714...; floor saving = 100 x 17160 / 33600 = 51.071...
    const hours = preset.weeklyInstanceHours(100);
    expect(hours.baseline).toBe(100);
    expect(hours.floor).toBe(0);
    expect(hours.floorInstanceHours).toBe(16440);
    expect(hours.ceilingInstanceHours).toBe(21600);
    expect(hours.flatPeakInstanceHours).toBe(33600);
    expect(hours.savingPercent).toBeCloseTo(35.714, 3);
    expect(hours.floorSavingPercent).toBeCloseTo(51.071, 3);
  });

  test('GIVEN a baseline of 6 WHEN computing weekly instance-hours THEN rounding up per window shows', () => {
    // floor = 60 x 9 + 48 x 5 + 60 x 4 = 1020; ceiling = 60 x 12 + 48 x 6 + 60 x 5 = 1308; flat peak = 168 x 12 = 2016
    // saving = 100 x 708 / 2016 = 35.119; floor saving = 100 x 996 / 2016 = 49.405
    const hours = preset.weeklyInstanceHours(6);
    expect([hours.floorInstanceHours, hours.ceilingInstanceHours, hours.flatPeakInstanceHours]).toEqual([1020, 1308, 2016]);
    expect(hours.savingPercent).toBeCloseTo(35.119, 3);
    expect(hours.floorSavingPercent).toBeCloseTo(49.405, 3);
  });

  test('GIVEN an invalid time zone WHEN building the preset THEN it is refused', () => {
    expect(() => ScalingSchedule.guidePreset('Mars/Olympus_Mons')).toThrow(/schedule\.timeZone: got "Mars\/Olympus_Mons"; allowed: an IANA time zone name/);
  });
});

describe('ScalingSchedule.of validation', () => {
  test('GIVEN a valid day/night schedule WHEN built THEN it is accepted with one transition per window', () => {
    const schedule = ScalingSchedule.of(dayNight());
    expect(schedule.transitions().map((t) => [t.name, t.cronExpression])).toEqual([
      ['day-0800', '0 8 * * 0-6'],
      ['night-2000', '0 20 * * 0-6'],
    ]);
  });

  test('GIVEN a start time not in HH:MM WHEN built THEN the problem names the path, value and format', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS], start: '8:00', end: '20:00' }]), 'schedule.windows[0].times[0].start', '"8:00"', "a time 'HH:MM' from 00:00 to 23:59 (24:00 only as an end)");
  });

  test('GIVEN a start of 24:00 WHEN built THEN it is refused (24:00 only as an end)', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS], start: '24:00', end: '20:00' }]), 'schedule.windows[0].times[0].start', '"24:00"', '24:00 only as an end');
  });

  test('GIVEN an end with minute 60 WHEN built THEN it is refused', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS], start: '08:00', end: '19:60' }]), 'schedule.windows[0].times[0].end', '"19:60"', "a time 'HH:MM' from 00:00 to 24:00");
  });

  test('GIVEN an end of 24:30 WHEN built THEN it is refused', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS], start: '08:00', end: '24:30' }]), 'schedule.windows[0].times[0].end', '"24:30"', "a time 'HH:MM' from 00:00 to 24:00");
  });

  test('GIVEN empty weekdays WHEN built THEN it is refused', () => {
    expectProblem(withTimes(0, [{ weekdays: [], start: '08:00', end: '20:00' }]), 'schedule.windows[0].times[0].weekdays', '[]', 'at least one weekday');
  });

  test('GIVEN a weekday twice in one time range WHEN built THEN the duplicate is named', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS, MONDAY], start: '08:00', end: '20:00' }]), 'schedule.windows[0].times[0].weekdays[7]', '"MON"', 'each weekday at most once per time range');
  });

  test('GIVEN an unknown weekday value WHEN built THEN the allowed values are listed', () => {
    expectProblem(withTimes(0, [{ weekdays: [...WEEKDAYS.slice(1), 'MONDAY' as Weekday], start: '08:00', end: '20:00' }]), 'schedule.windows[0].times[0].weekdays[6]', '"MONDAY"', 'one of "MON", "TUE"');
  });

  test('GIVEN a window with no times WHEN built THEN it is refused', () => {
    expectProblem(withTimes(1, []), 'schedule.windows[1].times', '[]', 'at least one weekly time range');
  });

  test('GIVEN a fractional minPercent WHEN built THEN the integer range is given', () => {
    expectProblem(withWindow(0, { minPercent: 99.5 }), 'schedule.windows[0].minPercent', '99.5', 'an integer from 0 to 1000 (percent of the baseline)');
  });

  test('GIVEN a maxPercent above 1000 WHEN built THEN the integer range is given', () => {
    expectProblem(withWindow(1, { maxPercent: 1001 }), 'schedule.windows[1].maxPercent', '1001', 'an integer from 0 to 1000 (percent of the baseline)');
  });

  test('GIVEN minPercent above maxPercent WHEN built THEN the maximum is named', () => {
    expectProblem(withWindow(0, { minPercent: 200, maxPercent: 150 }), 'schedule.windows[0].minPercent', '200', 'at most maxPercent (150)');
  });

  test('GIVEN an empty window name WHEN built THEN the name rules are given', () => {
    expectProblem(withWindow(0, { name: '' }), 'schedule.windows[0].name', '""', '1 to 40 lowercase letters, digits and hyphens');
  });

  test('GIVEN a window name with capitals and spaces WHEN built THEN it is refused', () => {
    expectProblem(withWindow(0, { name: 'Business Hours' }), 'schedule.windows[0].name', '"Business Hours"', 'starting with a letter and not ending with a hyphen');
  });

  test('GIVEN a 41-character window name WHEN built THEN it is refused', () => {
    const name = 'a'.repeat(41);
    expectProblem(withWindow(0, { name }), 'schedule.windows[0].name', `"${name}"`, '1 to 40 lowercase letters');
  });

  test('GIVEN two windows with one name WHEN built THEN the second is named with the first', () => {
    expectProblem(withWindow(1, { name: 'day' }), 'schedule.windows[1].name', '"day"', "a name not used by another window or holiday (windows[0].name is already 'day')");
  });

  test('GIVEN a holiday named like a window WHEN built THEN it is refused', () => {
    expectProblem(holidays([{ month: 1, day: 1 }], { name: 'night' }), 'schedule.holidays[0].name', '"night"', "windows[1].name is already 'night'");
  });

  test('GIVEN an unknown time zone WHEN built THEN the IANA requirement is given', () => {
    expectProblem(dayNight({ timeZone: 'Europe/Atlantis' }), 'schedule.timeZone', '"Europe/Atlantis"', 'an IANA time zone name, exact case');
  });

  test('GIVEN a time zone in the wrong case WHEN built THEN it is refused', () => {
    expectProblem(dayNight({ timeZone: 'europe/berlin' }), 'schedule.timeZone', '"europe/berlin"', 'an IANA time zone name, exact case');
  });

  test('GIVEN a month of 13 WHEN built THEN the month range is given', () => {
    expectProblem(holidays([{ month: 13, day: 1 }]), 'schedule.holidays[0].dates[0].month', '13', 'an integer from 1 to 12');
  });

  test('GIVEN April 31 WHEN built THEN the days of April are given', () => {
    expectProblem(holidays([{ month: 4, day: 31 }]), 'schedule.holidays[0].dates[0].day', '31', 'an integer from 1 to 30 for month 4');
  });

  test('GIVEN February 29 WHEN built THEN it is refused because it does not recur every year', () => {
    expectProblem(holidays([{ month: 2, day: 29 }]), 'schedule.holidays[0].dates[0].day', '29', 'an integer from 1 to 28 for month 2 (February 29 does not recur every year)');
  });

  test('GIVEN a holiday date listed twice WHEN built THEN the second is named with the first', () => {
    expectProblem(holidays([{ month: 12, day: 25 }, { month: 1, day: 1 }, { month: 12, day: 25 }]), 'schedule.holidays[0].dates[2]', '{"month":12,"day":25}', 'a date not listed before (holidays[0].dates[0] is the same date)');
  });

  test('GIVEN a holiday without dates and with min above max WHEN built THEN both are reported', () => {
    const message = errorOf(holidays([], { minPercent: 70 })).message;
    expect(message).toContain('schedule.holidays[0].dates: got []; allowed: at least one date');
    expect(message).toContain('schedule.holidays[0].minPercent: got 70; allowed: at most maxPercent (60)');
  });

  test('GIVEN no windows WHEN built THEN at least one is required', () => {
    expectProblem(dayNight({ windows: [] }), 'schedule.windows', '[]', 'at least one window');
  });

  test('GIVEN overlapping windows WHEN built THEN the first shared minute and both windows are named', () => {
    // 'day' runs to 21:00 while 'night' starts at 20:00: MON 20:00 is the first minute both cover.
    expectProblem(
      withTimes(0, [{ weekdays: [...WEEKDAYS], start: '08:00', end: '21:00' }]),
      'schedule.windows[1].times',
      '"MON 20:00"',
      "times that overlap no other window: MON 20:00 is covered by 'day' (windows[0]) and 'night' (windows[1])",
    );
  });

  test('GIVEN a weekend covered by no window WHEN built THEN each gap is reported with its range', () => {
    // 'night' skips Saturday and 'day' skips Saturday and Sunday: the gaps are SAT 00:00 (after FRI night ends at 08:00) ...
    const props = dayNight({
      windows: [
        { name: 'day', times: [{ weekdays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY], start: '08:00', end: '20:00' }], minPercent: 100, maxPercent: 150 },
        { name: 'night', times: [{ weekdays: [SUNDAY, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY], start: '20:00', end: '08:00' }], minPercent: 50, maxPercent: 100 },
      ],
    });
    const message = errorOf(props).message;
    expect(message).toContain('schedule.windows: got "SAT 08:00-SUN 19:59"; allowed: every minute of the week covered by exactly one window: SAT 08:00-SUN 19:59 is covered by no window');
  });

  test('GIVEN a whole day uncovered WHEN built THEN the gap reads SAT 00:00-23:59', () => {
    const props = dayNight({
      windows: [
        { name: 'weekdays', times: [{ weekdays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY], start: '00:00', end: '24:00' }], minPercent: 100, maxPercent: 150 },
        { name: 'sunday', times: [{ weekdays: [SUNDAY], start: '00:00', end: '00:00' }], minPercent: 50, maxPercent: 100 },
      ],
    });
    expectProblem(props, 'schedule.windows', '"SAT 00:00-23:59"', 'SAT 00:00-23:59 is covered by no window');
  });

  test('GIVEN a boundary at 02:00 in a zone with daylight saving WHEN built THEN it is refused', () => {
    const props = dayNight({
      timeZone: 'Europe/Berlin',
      windows: [
        { name: 'day', times: [{ weekdays: [...WEEKDAYS], start: '08:00', end: '02:00' }], minPercent: 100, maxPercent: 150 },
        { name: 'night', times: [{ weekdays: [...WEEKDAYS], start: '02:00', end: '08:00' }], minPercent: 50, maxPercent: 100 },
      ],
    });
    expectProblem(props, 'schedule.windows[1].times[0].start', '"02:00"', 'a window boundary outside 01:00-02:59: Europe/Berlin observes daylight saving time');
    // THEN the same boundary is fine where clocks never change
    expect(() => ScalingSchedule.of({ ...props, timeZone: 'Asia/Tokyo' })).not.toThrow();
  });

  test('GIVEN holidays and a weekly transition at 00:00 WHEN built THEN the collision is reported on holidays', () => {
    const props: ScalingScheduleProps = {
      timeZone: 'UTC',
      windows: [
        { name: 'weekdays', times: [{ weekdays: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY], start: '00:00', end: '24:00' }], minPercent: 100, maxPercent: 150 },
        { name: 'weekend', times: [{ weekdays: [SATURDAY, SUNDAY], start: '00:00', end: '24:00' }], minPercent: 50, maxPercent: 100 },
      ],
      holidays: [{ name: 'holiday', dates: [{ month: 12, day: 25 }], minPercent: 40, maxPercent: 60 }],
    };
    expectProblem(
      props,
      'schedule.holidays',
      '[{"name":"holiday","dates":[{"month":12,"day":25}],"minPercent":40,"maxPercent":60}]',
      'weekly transitions at minutes other than 00:00: holiday actions fire at 00:00 and would collide with the weekly transition at 00:00 on MON, SAT',
    );
    // THEN without holidays the same windows are fine
    expect(() => ScalingSchedule.of({ ...props, holidays: [] })).not.toThrow();
  });

  test('GIVEN holidays on a single-window schedule WHEN built THEN it is refused: nothing would end a holiday', () => {
    const props: ScalingScheduleProps = {
      timeZone: 'UTC',
      windows: [{ name: 'always', times: [{ weekdays: [...WEEKDAYS], start: '06:00', end: '06:00' }], minPercent: 100, maxPercent: 100 }],
      holidays: [{ name: 'holiday', dates: [{ month: 1, day: 1 }], minPercent: 40, maxPercent: 60 }],
    };
    expect(errorOf(props).message).toContain('allowed: holidays only with at least two weekly windows: a weekly transition ends each holiday');
    // THEN without holidays a single window emits no action at all
    expect(ScalingSchedule.of({ ...props, holidays: [] }).transitions()).toEqual([]);
  });

  test('GIVEN more than 125 scheduled actions WHEN built THEN the AWS limit is given', () => {
    // 70 alternating windows per day would be 140 transitions; use 2 windows switching every 10 minutes on Monday (144 transitions).
    const a: WeeklyTimes[] = [];
    const b: WeeklyTimes[] = [];
    for (let m = 0; m < DAY; m += 10) {
      const start = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const endMinute = m + 10;
      const end = endMinute === DAY ? '24:00' : `${String(Math.floor(endMinute / 60)).padStart(2, '0')}:${String(endMinute % 60).padStart(2, '0')}`;
      ((m / 10) % 2 === 0 ? a : b).push({ weekdays: [MONDAY], start, end });
    }
    b.push({ weekdays: [TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY], start: '00:00', end: '24:00' });
    const props: ScalingScheduleProps = {
      timeZone: 'UTC',
      windows: [
        { name: 'a', times: a, minPercent: 100, maxPercent: 100 },
        { name: 'b', times: b, minPercent: 50, maxPercent: 50 },
      ],
    };
    expectProblem(props, 'schedule.windows', '"144 scheduled actions"', 'at most 125 scheduled actions (weekly transitions plus holiday dates; AWS Auto Scaling limit per group)');
  });

  test('GIVEN several mistakes WHEN built THEN one error lists all of them', () => {
    const props: ScalingScheduleProps = {
      timeZone: 'Nowhere/Special',
      windows: [
        { name: 'Day', times: [{ weekdays: [], start: '25:00', end: '20:00' }], minPercent: 120, maxPercent: 100 },
        { name: 'night', times: [{ weekdays: [...WEEKDAYS], start: '20:00', end: '08:00' }], minPercent: 50, maxPercent: 2000 },
      ],
      holidays: [{ name: 'holiday', dates: [{ month: 2, day: 29 }], minPercent: 40, maxPercent: 60 }],
    };
    const error = errorOf(props);
    expect(error.problems.map((p) => p.prop)).toEqual([
      'schedule.timeZone',
      'schedule.windows[0].name',
      'schedule.windows[0].minPercent',
      'schedule.windows[0].times[0].weekdays',
      'schedule.windows[0].times[0].start',
      'schedule.windows[1].maxPercent',
      'schedule.holidays[0].dates[0].day',
    ]);
    expect(error.message).toMatch(/^7 invalid settings\n/);
    expect(error.message).toContain('schedule.windows[0].minPercent: got 120; allowed: at most maxPercent (100)');
    expect(error.message).toContain('schedule.windows[1].maxPercent: got 2000; allowed: an integer from 0 to 1000');
  });
});

describe('ScalingSchedule queries refuse bad arguments', () => {
  const schedule = ScalingSchedule.guidePreset();

  test('GIVEN a minute of 1440 WHEN asking windowAt THEN the range is given', () => {
    expect(() => schedule.windowAt(MONDAY, 1440)).toThrow(/minuteOfDay: got 1440; allowed: an integer from 0 to 1439/);
  });

  test('GIVEN an unknown weekday WHEN asking windowAt THEN the weekdays are listed', () => {
    expect(() => schedule.windowAt('FUNDAY' as Weekday, 0)).toThrow(/weekday: got "FUNDAY"; allowed: one of "MON", "TUE"/);
  });

  test('GIVEN a baseline of 0 and a negative floor WHEN computing capacity THEN both are reported', () => {
    expect(() => schedule.capacityFor(0, -1)).toThrow(/baseline: got 0; allowed: an integer from 1 to 100000[\s\S]*floor: got -1; allowed: an integer from 0 to 100000/);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests
// ---------------------------------------------------------------------------------------------

function hhmm(minuteOfDay: number): string {
  return minuteOfDay === DAY ? '24:00' : `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

interface RandomWeek {
  /** Window props built from the cut points. */
  readonly windows: ScheduleWindowProps[];
  /** Expected window name per minute of the week. */
  readonly expected: string[];
}

/** Cuts the week at `cuts` and gives segment i to window `assign[i] % windowCount` (unused windows dropped). */
function buildWeek(cuts: number[], windowCount: number, assign: number[]): RandomWeek {
  const sorted = [...cuts].sort((a, b) => a - b);
  const owner = sorted.map((_, i) => assign[i % assign.length] % windowCount);
  const used = [...new Set(owner)];
  const times: WeeklyTimes[][] = used.map(() => []);
  const expected: string[] = new Array<string>(WEEK);
  sorted.forEach((start, i) => {
    const next = i + 1 < sorted.length ? sorted[i + 1] : sorted[0] + WEEK;
    const w = used.indexOf(owner[i]);
    let pos = start;
    let remaining = next - start;
    while (remaining > 0) {
      const dayIndex = Math.floor(pos / DAY) % 7;
      const startOfDay = pos % DAY;
      const piece = Math.min(remaining, DAY - startOfDay);
      times[w].push({ weekdays: [WEEKDAYS[dayIndex]], start: hhmm(startOfDay), end: hhmm(startOfDay + piece) });
      for (let k = 0; k < piece; k++) expected[(pos + k) % WEEK] = `w${w}`;
      pos += piece;
      remaining -= piece;
    }
  });
  const windows = used.map((_, w) => ({ name: `w${w}`, times: times[w], minPercent: 10 * (w + 1), maxPercent: 10 * (w + 1) + 5 }));
  return { windows, expected };
}

const FAST = { numRuns: 200 };

describe('property: coverage', () => {
  test('GIVEN random cut points assigned to random windows WHEN built THEN every minute is covered by exactly the expected window', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: WEEK - 1 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
        (cuts, windowCount, assign) => {
          // GIVEN
          const week = buildWeek(cuts, windowCount, assign);
          // WHEN
          const schedule = ScalingSchedule.of({ timeZone: 'UTC', windows: week.windows });
          // THEN
          for (let m = 0; m < WEEK; m++) {
            if (schedule.windowAt(WEEKDAYS[Math.floor(m / DAY)], m % DAY).name !== week.expected[m]) return false;
          }
          // and the transitions are exactly the minutes where the expected owner changes
          const changes = week.expected.filter((name, m) => name !== week.expected[(m + WEEK - 1) % WEEK]).length;
          const fired = schedule.transitions().reduce((n, t) => n + (t.weekdays?.length ?? 0), 0);
          return changes === fired;
        },
      ),
      FAST,
    );
  });

  test('GIVEN a valid random schedule WHEN one time range is removed THEN a gap is reported', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: WEEK - 1 }), { minLength: 2, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        fc.nat(),
        (cuts, assign, pick) => {
          const week = buildWeek(cuts, 3, assign);
          const target = week.windows.find((w) => w.times.length > 1);
          fc.pre(target !== undefined);
          const times = (target as ScheduleWindowProps).times;
          const trimmed = week.windows.map((w) => (w === target ? { ...w, times: times.filter((_, i) => i !== pick % times.length) } : w));
          const error = errorOf({ timeZone: 'UTC', windows: trimmed });
          return error.problems.some((p) => p.prop === 'schedule.windows' && p.allowed.includes('is covered by no window'));
        },
      ),
      FAST,
    );
  });
});

// --- (b) simulate the emitted transitions with cron semantics in local wall time -------------

const DST_ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney'];
const FIRST_YEAR = 2024;
const LAST_YEAR = 2030;
const RANGE_START = Date.UTC(FIRST_YEAR, 0, 1) / 60_000;
const RANGE_END = Date.UTC(LAST_YEAR + 1, 0, 1) / 60_000;

/** UTC minutes at which the zone's offset changes, found by a daily scan and a binary search. */
function dstChanges(timeZone: string): number[] {
  const offset = (minute: number): number => utcOffsetMinutes(timeZone, new Date(minute * 60_000));
  const changes: number[] = [];
  for (let day = RANGE_START; day < RANGE_END; day += DAY) {
    if (offset(day) === offset(day + DAY)) continue;
    let lo = day;
    let hi = day + DAY;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offset(mid) === offset(lo)) lo = mid;
      else hi = mid;
    }
    changes.push(hi);
  }
  return changes;
}

const DST_CHANGES: Record<string, number[]> = Object.fromEntries(DST_ZONES.map((z) => [z, dstChanges(z)]));

/** Local wall time as naive minutes since 1970 (calendar arithmetic, no zone). */
function naiveLocalMinute(timeZone: string, utcMinute: number): number {
  const t = localWallTime(timeZone, new Date(utcMinute * 60_000));
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute) / 60_000;
}

/** Monday = 0 for a naive minute (1970-01-01 was a Thursday). */
function weekMinuteOfNaive(naive: number): number {
  const day = Math.floor(naive / DAY);
  return ((day + 3) % 7) * DAY + (naive - day * DAY);
}

/** Cron semantics: the latest action at or before local wall time `naive`. */
function actionInForce(transitions: ScheduleTransition[], naive: number): ScheduleTransition {
  let best: ScheduleTransition | undefined;
  let bestAt = -Infinity;
  let ties = 0;
  const today = Math.floor(naive / DAY);
  const year = new Date(naive * 60_000).getUTCFullYear();
  for (const t of transitions) {
    const candidates: number[] = [];
    if (t.kind === WindowKind.WEEKLY) {
      for (let k = 0; k <= 7; k++) {
        const day = today - k;
        const at = day * DAY + t.hour * 60 + t.minute;
        if (at <= naive && (t.weekdays ?? []).includes(WEEKDAYS[(day + 3) % 7])) candidates.push(at);
      }
    } else {
      for (const y of [year, year - 1]) candidates.push(Date.UTC(y, (t.month as number) - 1, t.dayOfMonth as number, t.hour, t.minute) / 60_000);
    }
    for (const at of candidates.filter((c) => c <= naive)) {
      if (at > bestAt) {
        best = t;
        bestAt = at;
        ties = 0;
      } else if (at === bestAt && t !== best) {
        ties++;
      }
    }
  }
  expect(ties).toBe(0);
  return best as ScheduleTransition;
}

const OWNERS = new WeakMap<ScalingSchedule, string[]>();

/** The covering window's name per minute of the week, from windowAt. */
function ownersOf(schedule: ScalingSchedule): string[] {
  let owners = OWNERS.get(schedule);
  if (owners === undefined) {
    owners = [];
    for (let m = 0; m < WEEK; m++) owners.push(schedule.windowAt(WEEKDAYS[Math.floor(m / DAY)], m % DAY).name);
    OWNERS.set(schedule, owners);
  }
  return owners;
}

/** The model: windowAt, unless a holiday started at 00:00 and no weekly boundary came since. */
function modelInForce(schedule: ScalingSchedule, ownerByWeekMinute: string[], naive: number): { name: string; minPercent: number; maxPercent: number } {
  const year = new Date(naive * 60_000).getUTCFullYear();
  let holidayStart = -Infinity;
  let holiday: HolidayWindowProps | undefined;
  for (const h of schedule.holidays) {
    for (const d of h.dates) {
      for (const y of [year, year - 1]) {
        const at = Date.UTC(y, d.month - 1, d.day) / 60_000;
        if (at <= naive && at > holidayStart) {
          holidayStart = at;
          holiday = h;
        }
      }
    }
  }
  if (holiday !== undefined && naive - holidayStart < 8 * DAY) {
    let boundary = false;
    for (let n = holidayStart + 1; n <= naive && !boundary; n++) {
      boundary = ownerByWeekMinute[weekMinuteOfNaive(n)] !== ownerByWeekMinute[weekMinuteOfNaive(n - 1)];
    }
    if (!boundary) return { name: holiday.name, minPercent: holiday.minPercent, maxPercent: holiday.maxPercent };
  }
  const wm = weekMinuteOfNaive(naive);
  const w = schedule.windowAt(WEEKDAYS[Math.floor(wm / DAY)], wm % DAY);
  return { name: w.name, minPercent: w.minPercent, maxPercent: w.maxPercent };
}

/** A week minute whose local time avoids 00:00 (holiday actions) and 01:00-02:59 (DST). */
const safeCut = fc.integer({ min: 0, max: WEEK - 1 }).filter((m) => {
  const mod = m % DAY;
  return mod !== 0 && (mod < 60 || mod >= 180);
});

const recurringDate = fc.oneof(
  fc.record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 28 }) }),
  // dates on which clocks change in one of the zones in some year
  fc.constantFrom({ month: 3, day: 10 }, { month: 3, day: 31 }, { month: 3, day: 30 }, { month: 4, day: 6 }, { month: 10, day: 5 }, { month: 10, day: 27 }, { month: 11, day: 3 }),
);

const scheduleArb = fc.oneof(
  // the guide preset with random extra holidays
  fc.record({
    timeZone: fc.constantFrom(...DST_ZONES, 'UTC'),
    extra: fc.array(recurringDate, { maxLength: 3 }),
  }).map(({ timeZone, extra }) => {
    const dates: RecurringDate[] = [{ month: 1, day: 1 }, { month: 12, day: 25 }];
    for (const d of extra) if (!dates.some((x) => x.month === d.month && x.day === d.day)) dates.push(d);
    return ScalingSchedule.guidePreset(timeZone, { holidays: dates });
  }),
  // random schedules (boundaries outside 00:00 and 01:00-02:59) with random holidays
  fc
    .record({
      timeZone: fc.constantFrom(...DST_ZONES, 'UTC'),
      cuts: fc.uniqueArray(safeCut, { minLength: 2, maxLength: 8 }),
      windowCount: fc.integer({ min: 2, max: 4 }),
      assign: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
      dates: fc.uniqueArray(recurringDate, { minLength: 1, maxLength: 4, selector: (d) => `${d.month}-${d.day}` }),
    })
    .filter(({ cuts, windowCount, assign }) => new Set(cuts.map((_, i) => assign[i] % windowCount)).size >= 2)
    .map(({ timeZone, cuts, windowCount, assign, dates }) =>
      ScalingSchedule.of({
        timeZone,
        windows: buildWeek(cuts, windowCount, assign).windows,
        holidays: [{ name: 'holiday', dates, minPercent: 1, maxPercent: 2 }],
      }),
    ),
);

describe('property: emitted transitions reproduce the schedule', () => {
  test('GIVEN random instants (around DST changes and holidays too) WHEN replaying the cron actions THEN the capacity in force is the covering window or holiday', () => {
    fc.assert(
      fc.property(scheduleArb, fc.nat(), fc.integer({ min: -3 * DAY, max: 3 * DAY }), fc.integer({ min: 0, max: 2 }), (schedule, pick, shift, mode) => {
        // GIVEN an instant: uniform over the years, near a DST change, or near a holiday
        const zone = schedule.timeZone;
        let utcMinute: number;
        const changes = DST_CHANGES[zone] ?? [];
        if (mode === 1 && changes.length > 0) {
          utcMinute = changes[pick % changes.length] + shift;
        } else if (mode === 2) {
          const dates = schedule.holidays.flatMap((h) => h.dates);
          const d = dates[pick % dates.length];
          const year = FIRST_YEAR + (pick % (LAST_YEAR - FIRST_YEAR));
          utcMinute = Date.UTC(year, d.month - 1, d.day) / 60_000 + shift;
        } else {
          utcMinute = RANGE_START + 7 * DAY + (pick % (RANGE_END - RANGE_START - 7 * DAY));
        }
        const naive = naiveLocalMinute(zone, utcMinute);
        // WHEN
        const action = actionInForce(schedule.transitions(), naive);
        // THEN
        const model = modelInForce(schedule, ownersOf(schedule), naive);
        expect({ name: action.windowName, minPercent: action.minPercent, maxPercent: action.maxPercent }).toEqual(model);
      }),
      FAST,
    );
  });

  test('GIVEN the DST scan WHEN run THEN it found two changes a year in every zone', () => {
    for (const zone of DST_ZONES) expect(DST_CHANGES[zone]).toHaveLength(2 * (LAST_YEAR - FIRST_YEAR + 1));
  });
});

describe('property: weekly instance-hours', () => {
  test('GIVEN random schedules, baselines and floors WHEN computing instance-hours THEN floor <= ceiling <= flat peak and savings are 0..100', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: WEEK - 1 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 10 }),
        (cuts, windowCount, assign, percents, baseline, floor) => {
          const week = buildWeek(cuts, windowCount, assign);
          const windows = week.windows.map((w, i) => {
            const a = percents[i % percents.length];
            const b = percents[(i + 4) % percents.length];
            return { ...w, minPercent: Math.min(a, b), maxPercent: Math.max(a, b) };
          });
          const hours = ScalingSchedule.of({ timeZone: 'UTC', windows }).weeklyInstanceHours(baseline, floor);
          return (
            hours.floorInstanceHours <= hours.ceilingInstanceHours &&
            hours.ceilingInstanceHours <= hours.flatPeakInstanceHours &&
            hours.savingPercent >= 0 &&
            hours.savingPercent <= 100 &&
            hours.floorSavingPercent >= hours.savingPercent - 1e-9 &&
            hours.floorSavingPercent <= 100 &&
            hours.floorInstanceHours >= 168 * floor
          );
        },
      ),
      FAST,
    );
  });
});
