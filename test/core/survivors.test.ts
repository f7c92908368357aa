/**
 * Assertions added for the mutants of lib/core that survived `npm run mutation`
 * (docs/TESTING.md lists each survivor and its resolution). Each test states the
 * behaviour the surviving mutant broke without any test noticing.
 */
import { PROBE_LIMITS, ProbeMechanism } from '../../lib/core/cloud-limits';
import { McpHaValidationError, Validator, formatValue, looksUnresolved } from '../../lib/core/errors';
import { HealthProbe, validateDnsHealthCheck } from '../../lib/core/health-probe';
import {
  Cloud, DnsRecordKind, DnsRouting, FailoverBudget, TermSource, Topology, computeFailoverBudget,
} from '../../lib/core/failover-budget';
import { formatSummaryTable } from '../../lib/core/summary';
import { AvailabilityTier, RoutingMechanism, resolveTier } from '../../lib/core/tiers';
import { ianaTimeZoneExists, mappedIanaTimeZones } from '../../lib/core/timezones';

describe('formatValue: how a bad value reads in an error', () => {
  test('undefined, strings, numbers, booleans and null each in their own form', () => {
    expect([undefined, 'a"b', 0, -1.5, true, false, null].map(formatValue)).toEqual(['undefined', '"a\\"b"', '0', '-1.5', 'true', 'false', 'null']);
  });

  test('objects as JSON, cut to 117 characters and "..." beyond 120; exactly 120 is kept whole', () => {
    const obj = (n: number) => ({ k: 'x'.repeat(n) }); // {"k":"x...x"}: 8 + n characters
    expect(formatValue(obj(112))).toBe(JSON.stringify(obj(112)));
    expect(formatValue(obj(112))).toHaveLength(120);
    expect(formatValue(obj(113))).toBe(`${JSON.stringify(obj(113)).slice(0, 117)}...`);
    expect(formatValue(obj(113))).toHaveLength(120);
  });

  test('a value JSON cannot render (a cycle) is rendered with String()', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatValue(cyclic)).toBe('[object Object]');
  });
});

describe('looksUnresolved: the numeric token encoding at its edges', () => {
  test('CDK numeric tokens (about -1.888e289) and the range ends -1e289 (in) and -2e289 (out)', () => {
    expect([-1.8881545897087626e289, -1e289, -1.9999e289].map(looksUnresolved)).toEqual([true, true, true]);
    expect([-2e289, -9.99e288, -1e290, 0, 42].map(looksUnresolved)).toEqual([false, false, false, false, false]);
    expect([looksUnresolved('${Token[TOKEN.1]}'), looksUnresolved('${TfToken[TOKEN.2]}'), looksUnresolved(['a', -1.5e289]), looksUnresolved({})])
      .toEqual([true, true, true, false]);
  });

  test('a check skips a token, whatever it says', () => {
    const v = new Validator();
    v.check(false, 'port', -1.8881545897087626e289, 'a port').integerInRange('n', -1.8881545897087626e289, { min: 1, max: 2 });
    expect(v.problems).toEqual([]);
  });

  test('one problem reads "1 invalid setting", two "2 invalid settings", under the construct path', () => {
    expect(new McpHaValidationError([{ prop: 'a', value: 1, allowed: 'x' }], 'App/S/C').message).toBe('App/S/C: 1 invalid setting\n  - a: got 1; allowed: x');
    expect(new McpHaValidationError([{ prop: 'a', value: 1, allowed: 'x' }, { prop: 'b', value: 'v', allowed: 'y' }]).message)
      .toBe('2 invalid settings\n  - a: got 1; allowed: x\n  - b: got "v"; allowed: y');
  });
});

describe('health probe shapes at their limits', () => {
  const base = { ...HealthProbe.of({
    path: '/health/ready', livenessPath: '/health/live', healthyHttpStatus: 200, intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2,
  }).toOptions() };
  const problems = (o: Partial<typeof base>): string[] => {
    try {
      HealthProbe.of({ ...base, ...o });
      return [];
    } catch (e) {
      return (e as McpHaValidationError).problems.map((p) => `${p.prop}: ${p.allowed}`);
    }
  };

  test('a path of 1024 characters is accepted, 1025 refused; a path must start with "/"', () => {
    expect(problems({ path: `/${'a'.repeat(1023)}` })).toEqual([]);
    expect(problems({ path: `/${'a'.repeat(1024)}` })).toEqual([expect.stringMatching(/^healthCheck\.path: an absolute URL path .*at most 1024 characters/)]);
    expect(problems({ path: 'health/ready' })).toEqual([expect.stringMatching(/^healthCheck\.path: an absolute URL path \(starting with "\/"/)]);
  });

  test('healthy status 200 and 399 accepted; 199 and 400 refused, naming what every cloud accepts', () => {
    expect([200, 399].map((s) => problems({ healthyHttpStatus: s }))).toEqual([[], []]);
    expect(problems({ healthyHttpStatus: 400 })).toEqual(['healthCheck.healthyHttpStatus: an integer from 200 to 399 (a success status every cloud accepts as healthy)']);
    expect(problems({ healthyHttpStatus: 199 })).toEqual(['healthCheck.healthyHttpStatus: an integer from 200 to 399 (a success status every cloud accepts as healthy)']);
  });
});

describe('DNS checker timeouts', () => {
  const tm = PROBE_LIMITS[ProbeMechanism.AZURE_TRAFFIC_MANAGER];
  const check = (mechanism: ProbeMechanism, timeoutSeconds: number | undefined, requestIntervalSeconds = 10): string[] => {
    const v = new Validator();
    validateDnsHealthCheck(mechanism, v, { requestIntervalSeconds, failureThreshold: 3, measureLatency: false, timeoutSeconds });
    return v.problems.map((p) => `${p.prop}: got ${String(p.value)}; allowed: ${p.allowed}`);
  };

  test('a timeout the user sets is the one checked (Traffic Manager: 10 s at a 10 s interval is refused, 9 s accepted)', () => {
    expect(check(ProbeMechanism.AZURE_TRAFFIC_MANAGER, 10)).toEqual([
      `timeoutSeconds: got 10; allowed: less than requestIntervalSeconds (10) (${tm.service}, ${tm.docUrl})`,
    ]);
    expect(check(ProbeMechanism.AZURE_TRAFFIC_MANAGER, 9)).toEqual([]);
    // Unset: the service's minimum is assumed, which fits.
    expect(check(ProbeMechanism.AZURE_TRAFFIC_MANAGER, undefined)).toEqual([]);
  });

  test('Route 53 fixes its timeout: setting one is refused with the fixed figure', () => {
    const r53 = PROBE_LIMITS[ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK];
    expect(check(ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK, 5)).toEqual([
      `timeoutSeconds: got 5; allowed: no value: ${r53.service} fixes its timeout (${r53.fixedTimeoutSeconds} s), ${r53.docUrl}`,
    ]);
  });
});

describe('synth summary table', () => {
  const row = (budgetSeconds: number, targetSeconds: number) => ({
    stack: 'S', resources: 1, summary: { cloud: 'aws', topology: 'active-active', tier: 'standard', budgetSeconds, targetSeconds, largestTerm: 'dns-ttl' },
  });

  test('a budget exactly at its target is not OVER; one second above is', () => {
    expect(formatSummaryTable([row(30, 30)])).toMatch(/30 s \/ 30 s \(dns-ttl\)/);
    expect(formatSummaryTable([row(31, 30)])).toMatch(/31 s \/ 30 s OVER \(dns-ttl\)/);
  });

  test('the second line rules each column with dashes as wide as the column', () => {
    const [header, rule] = formatSummaryTable([row(30, 30)]).split('\n');
    const headerCells = header.split(/ {2,}/);
    const ruleCells = rule.split(/ {2}/);
    expect(ruleCells.every((c) => /^-+$/.test(c))).toBe(true);
    expect(ruleCells.length).toBe(headerCells.length);
    expect(ruleCells[0].length).toBeGreaterThanOrEqual('stack'.length);
  });
});

describe('failover budget: every figure printed is the figure counted', () => {
  const MC = resolveTier(AvailabilityTier.MISSION_CRITICAL);
  const probe = HealthProbe.of({ ...MC.healthProbe.toOptions(), intervalSeconds: 7, unhealthyThreshold: 3, timeoutSeconds: 4 });
  const dns = (recordKind: DnsRecordKind, ttlSeconds: number): DnsRouting => ({
    healthCheck: { requestIntervalSeconds: 10, failureThreshold: 2, measureLatency: false }, recordKind, ttlSeconds,
  });
  const budgets = [
    computeFailoverBudget({ cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.DNS, probe, dns: dns(DnsRecordKind.CNAME, 7), targets: MC.targets }),
    computeFailoverBudget({ cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.DNS, probe, dns: dns(DnsRecordKind.ALIAS, 7), targets: MC.targets }),
    computeFailoverBudget({ cloud: Cloud.AWS, topology: Topology.MULTI_REGION, routing: RoutingMechanism.ANYCAST, probe, targets: MC.targets,
      cache: { crossRegion: true, promotionTriggerSeconds: 300 } }),
  ];
  const terms = budgets.flatMap((b) => [...b.terms, ...(b.cacheRecovery?.terms ?? [])]);

  test('each term says where its seconds come from, with the rendered numbers', () => {
    const detail = (name: string): string[] => [...new Set(terms.filter((t) => t.name === name).map((t) => t.detail))];
    expect(detail('lb-probe-detection')).toEqual([expect.stringMatching(/: 3 failed probes x 7 s interval \(the failure lands just after a passing probe\)$/)]);
    expect(detail('lb-probe-timeout')).toEqual(['the last failing probe waits its 4 s timeout when the target hangs']);
    expect(detail('dns-probe-detection')).toEqual([expect.stringMatching(/: 2 failed checks x 10 s interval/)]);
    expect(detail('dns-ttl')).toEqual(expect.arrayContaining([expect.stringMatching(/\b7 s TTL/), expect.stringMatching(/alias .* for 60 s/)]));
    expect(detail('cache-promotion-trigger')).toEqual([expect.stringMatching(/unhealthy for 300 s \(extended-outage step\)/)]);
    for (const t of terms) expect({ name: t.name, detail: t.detail.length >= 20 }).toEqual({ name: t.name, detail: true });
  });

  test('the plain-data form lists every term with its seconds and source, and the cache recovery apart', () => {
    const b = budgets[2];
    expect(b.toJSON()).toMatchObject({
      totalSeconds: b.totalSeconds, targetSeconds: b.targetSeconds, withinTarget: b.withinTarget, largestTerm: b.largestTerm.name,
      terms: b.terms.map((t) => ({ name: t.name, seconds: t.seconds, source: t.source })),
      cacheRecoverySeconds: b.cacheRecovery!.totalSeconds,
    });
    expect(b.cacheRecovery!.totalSeconds).toBe(b.cacheRecovery!.terms.reduce((a, t) => a + t.seconds, 0));
  });

  test('a tie for the largest term names the first; no cache terms means no cache recovery', () => {
    const t = (name: string, seconds: number) => ({ name, seconds, source: TermSource.RENDERED, detail: name });
    const tie = new FailoverBudget(Topology.ACTIVE_ACTIVE, RoutingMechanism.DNS, [t('first', 10), t('second', 10), t('small', 1)], 30, []);
    expect(tie.largestTerm.name).toBe('first');
    expect(tie.cacheRecovery).toBeUndefined();
    expect(tie.toJSON()).not.toHaveProperty('cacheRecoverySeconds');
  });
});

describe('time zone names', () => {
  test('the mapped IANA names are listed sorted', () => {
    const names = mappedIanaTimeZones();
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThan(100);
  });

  test('a name with characters no IANA name has is refused before the runtime is asked', () => {
    expect(['Europe/Berlin', 'UTC', 'Etc/GMT+5'].map(ianaTimeZoneExists)).toEqual([true, true, true]);
    expect(['Europe/Berlin;', ' UTC', '1Europe/Berlin', 'Europe/Berlin\n', '', 42 as unknown as string].map(ianaTimeZoneExists))
      .toEqual([false, false, false, false, false, false]);
  });
});
