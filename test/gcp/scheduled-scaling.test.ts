import { Validator } from '../../lib/core/errors';
import { ScalingSchedule, WEEKDAYS, Weekday } from '../../lib/core/schedule';
import { GCP_MIN_SCHEDULE_SECONDS, planGoogleScaling, renderedFloorHours } from '../../lib/gcp/scheduled-scaling';

const preset = ScalingSchedule.guidePreset('America/New_York');
const v = new Validator();
// GIVEN the guide's schedule for a baseline of 4 with the business-critical floor of 3
const plan = planGoogleScaling({ schedule: preset, baseline: 4, floor: 3 }, v);

/** The minimum Google keeps at a local weekday and minute, read from the rendered schedules only. */
function renderedMinAt(dayIndex: number, minuteOfDay: number): number {
  let min = plan.minReplicas;
  const m = dayIndex * 1440 + minuteOfDay;
  for (const s of plan.schedules) {
    const [minute, hour, , , days] = s.schedule.split(' ');
    for (const cronDay of days.split(',').map(Number)) {
      const start = ((cronDay + 6) % 7) * 1440 + Number(hour) * 60 + Number(minute);
      const into = (m - start + 10080) % 10080;
      if (into < s.durationSec / 60) min = Math.max(min, s.minRequiredReplicas);
    }
  }
  return min;
}

describe('Google scaling schedules from the core schedule', () => {
  test('no problem for the guide preset', () => {
    expect(v.problems).toEqual([]);
  });

  test('at every minute of the week Google keeps exactly the minimum of the core window in force', () => {
    const caps = preset.capacityFor(4, 3);
    const mismatches: string[] = [];
    for (let d = 0; d < 7; d++) {
      for (let minute = 0; minute < 1440; minute += 5) {
        const window = preset.windowAt(WEEKDAYS[d], minute);
        const expected = caps.find((c) => c.windowName === window.name)!.minCapacity;
        const got = renderedMinAt(d, minute);
        if (got !== expected) mismatches.push(`${WEEKDAYS[d]} ${minute}: ${got} != ${expected}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('only windows above the autoscaler minimum get a schedule; each lasts its window, at least 300 s, in the IANA zone', () => {
    expect(plan.minReplicas).toBe(3);
    expect(plan.schedules.map((s) => [s.windowName, s.schedule, s.durationSec, s.minRequiredReplicas])).toEqual([
      ['business-hours', '0 7 * * 1,2,3,4,5', 12 * 3600, 6],
      ['off-hours', '0 19 * * 1,2,3,4', 12 * 3600, 4],
    ]);
    for (const s of plan.schedules) {
      expect(s.durationSec).toBeGreaterThanOrEqual(GCP_MIN_SCHEDULE_SECONDS);
      expect(s.timeZone).toBe('America/New_York');
    }
  });

  test('one maximum all week: the highest window maximum (Google cannot lower it per window, and says so)', () => {
    expect(plan.maxReplicas).toBe(Math.max(...preset.capacityFor(4, 3).map((c) => c.maxCapacity)));
    expect(plan.notExpressed.join('\n')).toMatch(/per-window maximums .*Google keeps one max_replicas \(8\) all week/);
  });

  test('instance-hours are what Google runs: computed from the rendered crons, equal to the core floor', () => {
    expect(plan.weeklyFloorInstanceHours).toBe(renderedFloorHours(plan.schedules, plan.minReplicas));
    expect(plan.weeklyFloorInstanceHours).toBe(preset.weeklyInstanceHours(4, 3).floorInstanceHours);
    // The ceiling is max_replicas around the clock, not the core's per-window ceiling.
    expect(plan.weeklyCeilingInstanceHours).toBe(168 * plan.maxReplicas);
    expect(plan.weeklyCeilingInstanceHours).toBeGreaterThan(preset.weeklyInstanceHours(4, 3).ceilingInstanceHours);
  });

  test('a window shorter than 300 s is refused, naming the window', () => {
    const short = ScalingSchedule.of({
      timeZone: 'UTC',
      windows: [
        { name: 'blip', times: [{ weekdays: [Weekday.MONDAY], start: '12:00', end: '12:04' }], minPercent: 200, maxPercent: 200 },
        {
          name: 'rest', minPercent: 100, maxPercent: 100,
          times: [
            { weekdays: [Weekday.MONDAY], start: '00:00', end: '12:00' }, { weekdays: [Weekday.MONDAY], start: '12:04', end: '24:00' },
            { weekdays: [Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY, Weekday.SATURDAY, Weekday.SUNDAY], start: '00:00', end: '24:00' },
          ],
        },
      ],
    });
    const sv = new Validator();
    planGoogleScaling({ schedule: short, baseline: 4, floor: 3 }, sv);
    expect(sv.problems).toEqual([expect.objectContaining({
      prop: 'schedule.windows[0].times', value: 'blip: 240 s', allowed: expect.stringMatching(/^windows of at least 300 s/),
    })]);
  });

  test('holidays are refused: a scaling schedule can only raise the minimum', () => {
    const hv = new Validator();
    planGoogleScaling({ schedule: ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 12, day: 25 }] }), baseline: 4, floor: 3 }, hv);
    expect(hv.problems.map((p) => `${p.prop}: ${p.allowed}`)).toEqual([expect.stringMatching(/^schedule\.holidays\[0\]: no holiday windows on Google Cloud/)]);
  });

  test('a maximum below the highest scheduled minimum is refused', () => {
    const mv = new Validator();
    planGoogleScaling({ schedule: preset, baseline: 4, floor: 3, max: 5 }, mv);
    expect(mv.problems).toEqual([expect.objectContaining({ prop: 'capacity.max', value: 5 })]);
    expect(mv.problems[0].allowed).toMatch(/at least the highest scheduled minimum \(6\)/);
  });

  test('without a schedule: the larger of baseline and floor, up to twice the baseline, all week', () => {
    const flat = planGoogleScaling({ baseline: 4, floor: 3 }, new Validator());
    expect([flat.minReplicas, flat.maxReplicas, flat.schedules.length, flat.weeklyFloorInstanceHours]).toEqual([4, 8, 0, 672]);
  });

  test('snapshot of the guide preset as Google schedules', () => {
    expect(plan).toMatchSnapshot();
  });
});
