/**
 * The region drill's promotion trigger on its own, with a scripted probe: the
 * extended-outage alarm's semantics (N consecutive breaching periods; missing data is
 * not breaching), one promotion on the transition into ALARM, retries while a
 * decision is blocked, and the report of what a missing-as-breaching alarm would have
 * done. Period by period (`tick`), no timers.
 */
import { Decision, PromotionAction } from '../../lib/core/promotion';
import { PromotionTrigger } from '../../scripts/drill/promotion-trigger';

function decision(action: PromotionAction, blocked: boolean): Decision {
  return { action, blocked, reason: action };
}

/** Runs a trigger period by period over scripted samples (true breaching, false ok, undefined: the probe is silent). */
async function run(samples: readonly (boolean | undefined)[], decisions: readonly Decision[]): Promise<{ trigger: PromotionTrigger; calls: number }> {
  let current: boolean | undefined;
  let calls = 0;
  const trigger = new PromotionTrigger({
    periodMs: 60_000, evaluationPeriods: 3, maxRunMs: 60_000,
    breaching: async () => current === true,
    promote: async () => decisions[Math.min(calls++, decisions.length - 1)],
  });
  for (const sample of samples) {
    current = sample;
    trigger.silence(sample === undefined ? Date.now() + 60_000 : 0);
    await trigger.tick();
  }
  return { trigger, calls };
}

describe('PromotionTrigger (the extended-outage alarm, missing data not breaching)', () => {
  test('N breaching periods: ALARM, one promotion; no retry after it promoted', async () => {
    const { trigger, calls } = await run([true, true, true, true, true, true, true, true], [decision(PromotionAction.PROMOTED, false)]);
    expect(calls).toBe(1);
    expect(trigger.promotions()).toHaveLength(1);
    expect(trigger.alarmState).toBe('ALARM');
  });

  test('a silent probe never raises the alarm (but a missing-as-breaching alarm would have)', async () => {
    const { trigger, calls } = await run([false, undefined, undefined, undefined, undefined, undefined, undefined, false], [decision(PromotionAction.PROMOTED, false)]);
    expect(calls).toBe(0);
    expect(trigger.events.filter((e) => e.kind === 'alarm')).toEqual([]);
    expect(trigger.events.some((e) => e.kind === 'naive-alarm')).toBe(true);
  });

  test('a silent period in the middle of an outage resets the count (no promotion on partial data)', async () => {
    const { calls } = await run([true, true, undefined, true, true, false, false], [decision(PromotionAction.PROMOTED, false)]);
    expect(calls).toBe(0);
  });

  test('a blocked decision is retried every period while the alarm stays in ALARM', async () => {
    const { trigger, calls } = await run(
      [true, true, true, true, true, true, true, true, true],
      [decision(PromotionAction.IN_PROGRESS, true), decision(PromotionAction.IN_PROGRESS, true), decision(PromotionAction.PROMOTED, false)],
    );
    expect(calls).toBe(3);
    expect(trigger.promotions()).toHaveLength(1);
  });

  test('a refusal that is not blocked (the primary answered) is not retried', async () => {
    const { calls } = await run([true, true, true, true, true, true, true], [decision(PromotionAction.PRIMARY_ANSWERS, false)]);
    expect(calls).toBe(1);
  });
});
