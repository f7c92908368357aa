/**
 * Fixed boundary cases next to the property tests (issue 16): the exact values
 * where a rule flips, each asserted on both sides, with the message. A property
 * test hits an equality about once in twenty runs; these hit it every time, so a
 * `<` turned into `<=` (or a range shifted by one) fails here.
 */
import { McpHaValidationError, Validator } from '../../lib/core/errors';
import { CLOUD_FACTS, PROBE_LIMITS, ProbeMechanism, TimeoutRule } from '../../lib/core/cloud-limits';
import { DnsRecordKind, FailoverBudget, TermSource, Topology, checkBudget } from '../../lib/core/failover-budget';
import { ProbeNumbers, validateProbeNumbers } from '../../lib/core/health-probe';
import { ScalingSchedule, ScalingScheduleProps, WEEKDAYS } from '../../lib/core/schedule';
import { TimeoutChain, TimeoutChainOptions } from '../../lib/core/timeouts';
import { daylightSavingWallRanges, mergeWallRanges } from '../../lib/core/timezones';
import { RoutingMechanism } from '../../lib/core/tiers';

/** The problems `build` throws (an McpHaValidationError), as "prop: got value; allowed: ..." lines; [] when it does not throw. */
function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return (e as McpHaValidationError).message.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
  }
  return [];
}

describe('timeout chain: every link at equality', () => {
  const GOOD: Required<TimeoutChainOptions> = {
    longestToolCallSeconds: 120, originReadTimeoutSeconds: 150, idleTimeoutSeconds: 180, keepAliveSeconds: 15, drainSeconds: 130,
  };
  const chain = (o: Partial<TimeoutChainOptions>): string[] => problemsOf(() => TimeoutChain.of({ ...GOOD, ...o }));

  test('origin read timeout == idle timeout is refused (the load balancer cuts the last second); one less is accepted', () => {
    expect(chain({ originReadTimeoutSeconds: 180 })).toEqual([
      'timeouts.idleTimeoutSeconds: got 180; allowed: more than originReadTimeoutSeconds (180): the load balancer would cut a response the origin is still producing',
    ]);
    expect(chain({ originReadTimeoutSeconds: 179 })).toEqual([]);
  });

  test('longest tool call == origin read timeout is refused; one less is accepted', () => {
    expect(chain({ longestToolCallSeconds: 150, drainSeconds: 150 })).toEqual([
      'timeouts.originReadTimeoutSeconds: got 150; allowed: more than longestToolCallSeconds (150): the origin would give up on the longest tool call',
    ]);
    expect(chain({ longestToolCallSeconds: 149, drainSeconds: 149 })).toEqual([]);
  });

  test('keep-alive == idle timeout is refused; one less is accepted', () => {
    expect(chain({ keepAliveSeconds: 180 })).toEqual([
      'timeouts.keepAliveSeconds: got 180; allowed: less than idleTimeoutSeconds (180): a quiet stream would be closed between keep-alives',
    ]);
    expect(chain({ keepAliveSeconds: 179 })).toEqual([]);
  });

  test('drain == longest tool call is accepted (allowed at least); one less is refused', () => {
    expect(chain({ drainSeconds: 120 })).toEqual([]);
    expect(chain({ drainSeconds: 119 })).toEqual([
      'timeouts.drainSeconds: got 119; allowed: at least longestToolCallSeconds (120): scale-in and deploys would cut calls in flight',
    ]);
  });

  test('the idle timeout and the drain at their documented limits (min, max accepted; min-1, max+1 refused)', () => {
    const idle = CLOUD_FACTS.awsAlbIdleTimeoutSeconds;
    const drain = CLOUD_FACTS.awsDeregistrationDelaySeconds;
    expect([idle.min, idle.max, drain.min, drain.max]).toEqual([1, 4000, 0, 3600]);
    // The smallest idle timeout a chain can hold: tool 1 < origin 2 < idle 3, drain >= 1.
    const tiny = { longestToolCallSeconds: 1, originReadTimeoutSeconds: 2, keepAliveSeconds: 1, drainSeconds: 1 };
    expect(chain({ ...tiny, idleTimeoutSeconds: 3 })).toEqual([]);
    expect(chain({ idleTimeoutSeconds: idle.max })).toEqual([]);
    expect(chain({ idleTimeoutSeconds: idle.max + 1 })).toEqual([expect.stringMatching(
      /^timeouts\.idleTimeoutSeconds: got 4001; allowed: an integer from 1 to 4000 \(Application Load Balancer idle timeout, https:\/\//)]);
    expect(chain({ ...tiny, idleTimeoutSeconds: idle.min - 1 })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^timeouts\.idleTimeoutSeconds: got 0; allowed: an integer from 1 to 4000/)]));
    expect(chain({ drainSeconds: drain.max })).toEqual([]);
    expect(chain({ drainSeconds: drain.max + 1 })).toEqual([expect.stringMatching(
      /^timeouts\.drainSeconds: got 3601; allowed: an integer from 0 to 3600 \(target group deregistration delay, https:\/\//)]);
    expect(chain({ drainSeconds: drain.min - 1 })).toEqual(expect.arrayContaining([
      expect.stringMatching(/^timeouts\.drainSeconds: got -1; allowed: an integer from 0 to 3600/)]));
  });

  test('the positive whole-number links: 1 accepted, 0 and 1.5 refused', () => {
    expect(chain({ keepAliveSeconds: 1 })).toEqual([]);
    expect(chain({ keepAliveSeconds: 0 })).toEqual(['timeouts.keepAliveSeconds: got 0; allowed: a positive whole number of seconds']);
    expect(chain({ keepAliveSeconds: 1.5 })).toEqual(['timeouts.keepAliveSeconds: got 1.5; allowed: a positive whole number of seconds']);
  });
});

describe('schedule: the daylight-saving guard at its edges', () => {
  /** Two windows every day, 'day' from `boundary` to 20:00 and 'night' from 20:00 to `boundary`. */
  const at = (boundary: string, timeZone: string): ScalingScheduleProps => ({
    timeZone,
    windows: [
      { name: 'day', times: [{ weekdays: [...WEEKDAYS], start: boundary, end: '20:00' }], minPercent: 100, maxPercent: 150 },
      { name: 'night', times: [{ weekdays: [...WEEKDAYS], start: '20:00', end: boundary }], minPercent: 50, maxPercent: 100 },
    ],
  });
  const refused = (boundary: string, zone: string): string[] => problemsOf(() => ScalingSchedule.of(at(boundary, zone)));

  test.each(['00:59', '03:00'])('America/New_York: a boundary at %s (just outside the changes) is accepted', (boundary) => {
    expect(refused(boundary, 'America/New_York')).toEqual([]);
  });

  test.each([
    ['01:00', 'repeated when clocks fall back'], ['01:59', 'repeated'], ['02:00', 'skipped when clocks spring forward'], ['02:59', 'skipped'],
  ])('America/New_York: a boundary at %s (%s) is refused with the zone named', (boundary) => {
    expect(refused(boundary, 'America/New_York')).toEqual([
      `schedule.windows[0].times[0].start: got "${boundary}"; allowed: a window boundary outside 01:00-02:59: America/New_York observes `
      + 'daylight saving time, and on change days those wall-clock times are skipped or repeated, so a scheduled action there fires zero or two times',
    ]);
  });

  test.each(['01:00', '02:59'])('UTC and Asia/Tokyo (no daylight saving): a boundary at %s is accepted', (boundary) => {
    expect(refused(boundary, 'UTC')).toEqual([]);
    expect(refused(boundary, 'Asia/Tokyo')).toEqual([]);
  });

  test('zones that change at midnight or 23:00 refuse their own changed hours, named in the message', () => {
    // America/Santiago springs forward at 24:00 (00:00-00:59 skipped) and falls back at 24:00 (23:00-23:59 repeated).
    expect(refused('00:30', 'America/Santiago')).toEqual([expect.stringContaining(
      'allowed: a window boundary outside 00:00-02:59 and 23:00-23:59: America/Santiago observes daylight saving time')]);
    expect(refused('23:59', 'America/Santiago')).toEqual([expect.stringMatching(/^schedule\.windows\[0\]\.times\[0\]\.start: got "23:59"; allowed: a window boundary outside 00:00-02:59 and 23:00-23:59/)]);
    expect(refused('22:59', 'America/Santiago').length).toBe(0);
    // Atlantic/Azores changes at 00:00 and 01:00 local.
    expect(refused('00:00', 'Atlantic/Azores')).toEqual([expect.stringContaining('outside 00:00-02:59: Atlantic/Azores')]);
  });

  test('the changed wall-clock hours of each zone, read from the time zone data (2026)', () => {
    const fmt = (z: string): string[] => daylightSavingWallRanges(z, [2026]).map((r) => `${r.start}-${r.end}`);
    expect(fmt('America/New_York')).toEqual(['60-180']); // 01:00-01:59 repeated, 02:00-02:59 skipped
    expect(fmt('Europe/Berlin')).toEqual(['120-180']);
    expect(fmt('Europe/London')).toEqual(['60-120']);
    expect(fmt('America/Santiago')).toEqual(['0-60', '1380-1440']);
    expect(fmt('Pacific/Chatham')).toEqual(['165-225']); // 02:45-03:44
    expect(fmt('Australia/Lord_Howe')).toEqual(['90-150']); // 30-minute shift
    expect(fmt('UTC')).toEqual([]);
    expect(mergeWallRanges([{ start: 60, end: 120 }, { start: 120, end: 180 }, { start: 0, end: 10 }])).toEqual([{ start: 0, end: 10 }, { start: 60, end: 180 }]);
  });
});

describe('failover budget: at exactly the target, and the way out at room 0', () => {
  const term = (name: string, seconds: number) => ({ name, seconds, source: TermSource.RENDERED, detail: name });
  const budget = (target: number, terms: [string, number][]): FailoverBudget =>
    new FailoverBudget(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, terms.map(([n, s]) => term(n, s)), target);
  const check = (b: FailoverBudget, dns?: { recordKind: DnsRecordKind }): { warnings: string[]; problems: string[] } => {
    const v = new Validator();
    const warnings = checkBudget(b, v, {
      tierName: 'mission-critical', enforce: false,
      dns: dns && { recordKind: dns.recordKind, ttlSeconds: 5, healthCheck: { requestIntervalSeconds: 10, failureThreshold: 1, measureLatency: false } },
    });
    checkBudget(b, v, { tierName: 'mission-critical', enforce: true });
    return { warnings, problems: v.problems.map((p) => `${p.prop}: ${p.allowed}`) };
  };

  test('a budget exactly at its target is within it: no warning, no problem; one second over is refused naming the largest term', () => {
    const exact = budget(30, [['lb-probe-detection', 20], ['dns-ttl', 10]]);
    expect([exact.totalSeconds, exact.withinTarget]).toEqual([30, true]);
    expect(check(exact)).toEqual({ warnings: [], problems: [] });
    const over = budget(29, [['lb-probe-detection', 20], ['dns-ttl', 10]]);
    expect(over.withinTarget).toBe(false);
    expect(check(over).problems).toEqual([expect.stringMatching(
      /^routing: a configuration whose active-passive failover budget is at most the mission-critical target of 29 s; now 30 s = lb-probe-detection 20 s \+ dns-ttl 10 s \(target 29 s\)\. Largest term: lb-probe-detection 20 s: lower healthCheck\.intervalSeconds/)]);
  });

  test('dns-ttl largest with room 0 (the other terms exactly fill the target): TTL 0 is the way out (Route 53 accepts 0)', () => {
    const room0 = budget(20, [['dns-ttl', 25], ['lb-probe-detection', 20]]);
    expect(check(room0, { recordKind: DnsRecordKind.CNAME }).warnings).toEqual([expect.stringContaining(
      'Largest term: dns-ttl 25 s: lower recordTtlSeconds to 0 or less, or use anycast routing. Or set enforceBudget: false')]);
    expect(check(room0, { recordKind: DnsRecordKind.ALIAS }).warnings).toEqual([expect.stringContaining(
      'Largest term: dns-ttl 25 s: use anycast routing (no DNS step) or a non-alias record with recordTtlSeconds <= 0.')]);
  });

  test('dns-ttl largest with room -1: no TTL can help, anycast is the only way out', () => {
    const roomMinus1 = budget(19, [['dns-ttl', 25], ['lb-probe-detection', 20]]);
    expect(check(roomMinus1, { recordKind: DnsRecordKind.CNAME }).warnings).toEqual([expect.stringContaining(
      'Largest term: dns-ttl 25 s: the other DNS terms alone take 20 s: use anycast routing (no DNS step).')]);
  });

  test('anycast-reroute largest: at the target no message; over it, the way out names the room left and the target needed, never a negative or unreachable figure', () => {
    const anycast = (target: number): string => {
      const b = new FailoverBudget(Topology.MULTI_REGION, RoutingMechanism.ANYCAST, [term('anycast-reroute', 30), term('lb-probe-detection', 20)], target);
      const { warnings, problems } = check(b);
      expect(problems.length).toBe(warnings.length);
      return warnings.join('\n');
    };
    expect(anycast(50)).toBe('');
    // One second over: 19 s are left for a 20 s detection; a target of 50 s (the total) is what fits.
    const over1 = anycast(49).split('Largest term: ')[1];
    expect(over1).toMatch(/^anycast-reroute 30 s: /);
    expect(over1).toMatch(/\b19 s\b/);
    expect(over1).toMatch(/\b50\b/);
    // Room 0 (the reroute alone fills the target) and below: no negative figure, no "fit in 0 s".
    for (const target of [30, 19]) {
      const text = anycast(target).split('Largest term: ')[1];
      expect(text).toMatch(/^anycast-reroute 30 s: /);
      expect(text).not.toMatch(/-\d+ s|fit in 0 s/);
      expect(text).toMatch(/\b50\b/);
    }
  });
});

describe('probe ranges at their documented limits, for every mechanism of PROBE_LIMITS', () => {
  const MECHANISMS = Object.values(ProbeMechanism);

  /** Valid numbers for `m`: the largest interval, the smallest timeout and thresholds. */
  function valid(m: ProbeMechanism): ProbeNumbers {
    const l = PROBE_LIMITS[m];
    const interval = Array.isArray(l.intervalSeconds) ? Math.max(...(l.intervalSeconds as number[])) : (l.intervalSeconds as { max: number }).max;
    return {
      intervalSeconds: Math.min(interval, 300),
      ...(l.timeoutSeconds ? { timeoutSeconds: l.timeoutSeconds.min } : {}),
      ...(l.healthyThreshold ? { healthyThreshold: l.healthyThreshold.min } : {}),
      unhealthyThreshold: l.unhealthyThreshold.min,
    };
  }
  const problems = (m: ProbeMechanism, n: ProbeNumbers): string[] => {
    const v = new Validator();
    validateProbeNumbers(m, v, n);
    return v.problems.map((p) => `${p.prop}: got ${String(p.value)}; allowed: ${p.allowed}`);
  };

  test.each(MECHANISMS)('%s: the baseline numbers are valid', (m) => {
    expect(problems(m, valid(m))).toEqual([]);
  });

  test.each(MECHANISMS)('%s: thresholds and timeout at min and max are accepted; min-1 and max+1 are refused, naming the service and its page', (m) => {
    const l = PROBE_LIMITS[m];
    const ranges = [
      ['unhealthyThreshold', l.unhealthyThreshold] as const,
      ...(l.healthyThreshold ? [['healthyThreshold', l.healthyThreshold] as const] : []),
      ...(l.timeoutSeconds ? [['timeoutSeconds', l.timeoutSeconds] as const] : []),
    ];
    for (const [prop, range] of ranges) {
      // A timeout is also bound by the interval: test its range with the widest interval the mechanism takes.
      const base = prop === 'timeoutSeconds'
        ? { ...valid(m), intervalSeconds: Array.isArray(l.intervalSeconds) ? Math.max(...(l.intervalSeconds as number[])) : (l.intervalSeconds as { max: number }).max }
        : valid(m);
      const atMax = prop === 'timeoutSeconds' && l.timeoutRule === TimeoutRule.BELOW_INTERVAL ? Math.min(range.max, base.intervalSeconds - 1) : range.max;
      for (const ok of [range.min, atMax]) expect({ prop, ok, problems: problems(m, { ...base, [prop]: ok }) }).toEqual({ prop, ok, problems: [] });
      for (const bad of [range.min - 1, range.max + 1]) {
        expect(problems(m, { ...base, [prop]: bad })).toContain(
          `${prop}: got ${bad}; allowed: an integer from ${range.min} to ${range.max} (${l.service}, ${l.docUrl})`);
      }
    }
  });

  test.each(MECHANISMS)('%s: the interval at its documented values is accepted; the values next to them are refused', (m) => {
    const l = PROBE_LIMITS[m];
    const base = valid(m);
    const timeoutFor = (interval: number): Partial<ProbeNumbers> => (l.timeoutSeconds ? { timeoutSeconds: Math.min(l.timeoutSeconds.min, interval - 1) || 1 } : {});
    const allowed = Array.isArray(l.intervalSeconds) ? (l.intervalSeconds as number[]) : [(l.intervalSeconds as { min: number }).min, (l.intervalSeconds as { max: number }).max];
    for (const ok of allowed) {
      expect({ ok, problems: problems(m, { ...base, intervalSeconds: ok, ...timeoutFor(ok) }).filter((p) => p.startsWith('intervalSeconds')) }).toEqual({ ok, problems: [] });
    }
    const neighbours = Array.isArray(l.intervalSeconds)
      ? allowed.flatMap((x) => [x - 1, x + 1]).filter((x) => !allowed.includes(x))
      : [allowed[0] - 1, allowed[1] + 1];
    for (const bad of neighbours) {
      expect(problems(m, { ...base, intervalSeconds: bad, ...timeoutFor(Math.max(bad, 2)) })).toContain(
        `intervalSeconds: got ${bad}; allowed: ${Array.isArray(l.intervalSeconds)
          ? ((l.intervalSeconds as number[]).length === 2 ? `${allowed[0]} or ${allowed[1]}` : `one of ${allowed.join(', ')}`)
          : `an integer from ${allowed[0]} to ${allowed[1]}`} (${l.service}, ${l.docUrl})`);
    }
  });

  test.each(MECHANISMS.filter((m) => PROBE_LIMITS[m].timeoutRule !== TimeoutRule.FIXED))(
    '%s: the timeout at the interval, per the mechanism\'s rule (below: refused at equality; at most: accepted at equality, refused one above)', (m) => {
      const l = PROBE_LIMITS[m];
      const interval = l.timeoutSeconds!.min + 1; // an interval the timeout range can reach
      const base = { ...valid(m), intervalSeconds: Array.isArray(l.intervalSeconds) ? Math.min(...(l.intervalSeconds as number[])) : Math.max(interval, (l.intervalSeconds as { min: number }).min) };
      const equal = Math.min(base.intervalSeconds, l.timeoutSeconds!.max);
      if (equal !== base.intervalSeconds) return; // the range cannot reach the interval: nothing to compare at equality
      const atEquality = problems(m, { ...base, timeoutSeconds: equal }).filter((p) => p.startsWith('timeoutSeconds'));
      if (l.timeoutRule === TimeoutRule.BELOW_INTERVAL) {
        expect(atEquality).toEqual([`timeoutSeconds: got ${equal}; allowed: less than intervalSeconds (${equal}) (${l.service}, ${l.docUrl})`]);
        expect(problems(m, { ...base, timeoutSeconds: equal - 1 })).toEqual([]);
      } else {
        expect(atEquality).toEqual([]);
        expect(problems(m, { ...base, timeoutSeconds: equal + 1 })).toContain(
          `timeoutSeconds: got ${equal + 1}; allowed: at most intervalSeconds (${equal}) (${l.service}, ${l.docUrl})`);
      }
    });
});

test('a validation error is an McpHaValidationError by name too (what a user\'s catch or log shows)', () => {
  const v = new Validator({ constructPath: 'App/Mcp' });
  v.add('x', 1, 'two');
  const error = (() => {
    try {
      v.throwIfInvalid();
    } catch (e) {
      return e as Error;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(McpHaValidationError);
  expect(error?.name).toBe('McpHaValidationError');
  expect(String(error)).toMatch(/^McpHaValidationError: App\/Mcp: 1 invalid setting/);
});

describe('Validator comparisons of two values', () => {
  test('checkPair reports a failed comparison against the first value, and skips it when either value is unresolved', () => {
    const v = new Validator({ propPrefix: 'p', isUnresolved: (x) => x === 'TOKEN' });
    v.checkPair(true, 'ok', 1, 2, 'x').checkPair(false, 'bad', 3, 2, 'less than 2');
    v.checkPair(false, 'first', 'TOKEN', 2, 'y').checkPair(false, 'second', 3, 'TOKEN', 'z');
    expect(v.problems.map((p) => `${p.prop}=${String(p.value)}: ${p.allowed}`)).toEqual(['p.bad=3: less than 2']);
  });
});

describe('Validator ranges at their ends', () => {
  test('integerInRange and numberInRange accept both ends and refuse just outside; undefined is not checked', () => {
    const v = new Validator({ propPrefix: 'p' });
    v.integerInRange('a', 1, { min: 1, max: 3 }).integerInRange('b', 3, { min: 1, max: 3 }).integerInRange('c', undefined, { min: 1, max: 3 });
    v.numberInRange('d', 0.5, { min: 0.5, max: 1.5 }).numberInRange('e', 1.5, { min: 0.5, max: 1.5 });
    expect(v.problems).toEqual([]);
    v.integerInRange('f', 0, { min: 1, max: 3 }, 'doc').integerInRange('g', 4, { min: 1, max: 3 }).numberInRange('h', 1.5000001, { min: 0.5, max: 1.5 });
    v.numberInRange('i', 0.4999999, { min: 0.5, max: 1.5 }).numberInRange('j', -Infinity, { min: -Infinity, max: 1.5 });
    expect(v.problems.map((p) => `${p.prop}=${String(p.value)}: ${p.allowed}`)).toEqual([
      'p.f=0: an integer from 1 to 3 (doc)', 'p.g=4: an integer from 1 to 3', 'p.h=1.5000001: a number from 0.5 to 1.5',
      'p.i=0.4999999: a number from 0.5 to 1.5', 'p.j=-Infinity: a number from -Infinity to 1.5',
    ]);
  });
});
