/**
 * Assertions added for the mutants of lib/core that survived `npm run mutation`
 * (docs/TESTING.md lists each survivor and its resolution). Each test states the
 * behaviour the surviving mutant broke without any test noticing.
 */
import { PROBE_LIMITS, ProbeMechanism } from '../../lib/core/cloud-limits';
import { McpHaValidationError, Validator, formatValue, looksUnresolved } from '../../lib/core/errors';
import { HealthProbe, validateDnsHealthCheck } from '../../lib/core/health-probe';
import { formatSummaryTable } from '../../lib/core/summary';

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
