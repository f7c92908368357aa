/**
 * lib/azure/private/autoscale-profiles.ts directly: the Azure autoscale profiles a schedule renders to.
 * Requirement (McpScheduledScalingProps, HolidayWindowProps, docs): one recurring profile per weekly transition
 * (Azure day names, local hour and minute, the window's capacity at least capacity.min); a schedule with one
 * window is a default profile; no schedule is one default profile at capacity.min..max; a holiday is a fixed-date
 * profile per date and year holding the holiday capacity from 00:00 until the next weekly transition (as on AWS:
 * a weekend holiday until Monday 07:00, a weekday one until 07:00 that day in the guide preset); the years are
 * required with holidays and refused without; at most 20 profiles (AZURE_FACTS.autoscaleMaxProfiles).
 */
import { AZURE_FACTS } from '../../../lib/azure/facts';
import { planProfiles } from '../../../lib/azure/private/autoscale-profiles';
import type { McpScheduledScalingProps } from '../../../lib/azure/scheduled-scaling';
import { Validator } from '../../../lib/core/errors';
import { ScalingSchedule, Weekday } from '../../../lib/core/schedule';

const CAPACITY = { baseline: 4, min: 3, max: 8 };

function plan(over: Partial<McpScheduledScalingProps> = {}) {
  const v = new Validator();
  const out = planProfiles({ resourceGroupName: 'rg', location: 'westeurope', targetResourceId: 'id', capacity: CAPACITY, ...over }, v);
  return { ...out, problems: v.problems };
}

const WEEKDAYS_AZ = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

describe('planProfiles', () => {
  test('no schedule: one default profile at capacity.min..capacity.max', () => {
    expect(plan()).toEqual({
      plans: [{ name: 'default', kind: 'default', windowName: 'default', minimum: 3, maximum: 8 }], problems: [],
    });
  });

  test('no schedule but holidayYears: refused', () => {
    expect(plan({ holidayYears: [2027] }).problems).toEqual([{ prop: 'holidayYears', value: [2027], allowed: 'no value: there is no schedule' }]);
  });

  test('the guide preset: one recurring profile per weekly transition, with Azure day names and the window\'s capacity over capacity.min', () => {
    const { plans, timeZone, problems } = plan({ schedule: ScalingSchedule.guidePreset('Europe/Berlin') });
    expect(problems).toEqual([]);
    expect(timeZone).toBe('W. Europe Standard Time');
    // baseline 4: business 150-200 % -> 6-8; off-hours 80-100 % -> 4-4; weekend 60-80 % -> 3 (floor 3)-4.
    expect(plans).toEqual([
      { name: 'business-hours-0700', kind: 'recurring', windowName: 'business-hours', minimum: 6, maximum: 8, days: WEEKDAYS_AZ, hour: 7, minute: 0 },
      { name: 'off-hours-1900', kind: 'recurring', windowName: 'off-hours', minimum: 4, maximum: 4, days: WEEKDAYS_AZ.slice(0, 4), hour: 19, minute: 0 },
      { name: 'weekend-1900', kind: 'recurring', windowName: 'weekend', minimum: 3, maximum: 4, days: ['Friday'], hour: 19, minute: 0 },
    ]);
  });

  test('a schedule of one window has no transition: one default profile holding that window\'s capacity', () => {
    const schedule = ScalingSchedule.of({
      timeZone: 'UTC',
      windows: [{ name: 'always', times: [{ weekdays: Object.values(Weekday), start: '00:00', end: '00:00' }], minPercent: 100, maxPercent: 150 }],
    });
    expect(plan({ schedule })).toEqual({
      plans: [{ name: 'always', kind: 'default', windowName: 'always', minimum: 4, maximum: 6 }], timeZone: 'UTC', problems: [],
    });
  });

  test('holidays: a fixed-date profile per date and year, from 00:00 to the next weekly transition', () => {
    const schedule = ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] });
    const { plans, problems } = plan({ schedule, holidayYears: [2027] });
    expect(problems).toEqual([]);
    // 2027-01-01 is a Friday: until 07:00 that day (business hours start). 2027-12-25 is a Saturday: until Monday 07:00.
    // Holiday 40-60 % of 4 -> 2-3, at least capacity.min 3.
    expect(plans.filter((p) => p.kind === 'fixed-date')).toEqual([
      { name: 'holiday-0101-2027', kind: 'fixed-date', windowName: 'holiday', minimum: 3, maximum: 3, start: '2027-01-01T00:00:00Z', end: '2027-01-01T07:00:00Z' },
      { name: 'holiday-1225-2027', kind: 'fixed-date', windowName: 'holiday', minimum: 3, maximum: 3, start: '2027-12-25T00:00:00Z', end: '2027-12-27T07:00:00Z' },
    ]);
    expect(plans.filter((p) => p.kind === 'recurring')).toHaveLength(3);
  });

  test('a Monday holiday (its 00:00-07:00 is weekend time) ends at 07:00 that day', () => {
    // 2028-01-03 is a Monday: the next transition after 00:00 Monday is business hours at 07:00 (Monday 00:00-07:00 is weekend).
    const schedule = ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 3 }] });
    const holiday = plan({ schedule, holidayYears: [2028] }).plans.find((p) => p.kind === 'fixed-date');
    expect(holiday).toMatchObject({ start: '2028-01-03T00:00:00Z', end: '2028-01-03T07:00:00Z' });
  });

  test('holidays without years are refused, saying why a fixed-date profile needs them', () => {
    const schedule = ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 1 }] });
    const { plans, problems } = plan({ schedule });
    expect(problems).toEqual([{
      prop: 'holidayYears', value: undefined,
      allowed: 'the years to render the schedule\'s holidays for: an Azure fixed-date profile carries a year (it cannot recur every year '
        + 'like the AWS holiday action), so the library renders one profile per date and year, each holding the holiday capacity '
        + 'from 00:00 until the next weekly transition, as on AWS',
    }]);
    expect(plans.filter((p) => p.kind === 'fixed-date')).toEqual([]);
  });

  test('years without holidays are refused', () => {
    expect(plan({ schedule: ScalingSchedule.guidePreset('UTC'), holidayYears: [2027] }).problems)
      .toEqual([{ prop: 'holidayYears', value: [2027], allowed: 'no value: the schedule has no holidays' }]);
  });

  test('each year from 2000 to 2100, once; a refused year renders no holiday profile', () => {
    const schedule = ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 1 }] });
    expect(plan({ schedule, holidayYears: [2000, 2100] }).problems).toEqual([]);
    const { problems, plans } = plan({ schedule, holidayYears: [1999, 2101, 2030, 2030, 2030.5] });
    const allowed = 'a year from 2000 to 2100, each once';
    expect(problems).toEqual([
      { prop: 'holidayYears[0]', value: 1999, allowed },
      { prop: 'holidayYears[1]', value: 2101, allowed },
      { prop: 'holidayYears[3]', value: 2030, allowed },
      { prop: 'holidayYears[4]', value: 2030.5, allowed },
    ]);
    expect(plans.filter((p) => p.kind === 'fixed-date')).toEqual([]);
  });

  test(`at most ${AZURE_FACTS.autoscaleMaxProfiles.value} profiles: 3 weekly + 17 holiday years pass, 18 are refused with the count`, () => {
    const limit = AZURE_FACTS.autoscaleMaxProfiles;
    const schedule = ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 1 }] });
    const years = (n: number) => Array.from({ length: n }, (_, i) => 2030 + i);
    const atLimit = plan({ schedule, holidayYears: years(limit.value - 3) });
    expect(atLimit.problems).toEqual([]);
    expect(atLimit.plans).toHaveLength(limit.value);
    const over = plan({ schedule, holidayYears: years(limit.value - 2) });
    expect(over.problems).toEqual([{
      prop: 'schedule', value: `${limit.value + 1} profiles`,
      allowed: `at most ${limit.value} autoscale profiles (${limit.docUrl}): 3 weekly transitions + 1 holiday dates x ${limit.value - 2} years; `
        + 'merge windows or render fewer holiday years',
    }]);
  });

  test('a time zone azurerm does not accept is refused, naming its Windows name and a nearby accepted zone', () => {
    const { problems, timeZone } = plan({ schedule: ScalingSchedule.guidePreset('America/Adak') });
    expect(timeZone).toBeUndefined();
    expect(problems).toEqual([{ prop: 'schedule.timeZone', value: 'America/Adak', allowed: expect.stringMatching(
      /^a time zone azurerm 4\.55 accepts for autoscale profiles: "America\/Adak" maps to "Aleutian Standard Time", which the provider refuses .*Nearby accepted zone: "[^"]+" \("[^"]+"\)/) }]);
  });
});
