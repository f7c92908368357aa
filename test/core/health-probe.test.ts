import fc from 'fast-check';
import { PROBE_LIMITS, ProbeMechanism } from '../../lib/core/cloud-limits';
import { Validator } from '../../lib/core/errors';
import { HealthProbe, HealthProbeOptions, validateDnsHealthCheck } from '../../lib/core/health-probe';

const BASE: Required<HealthProbeOptions> = {
  path: '/health/ready', livenessPath: '/health/live', healthyHttpStatus: 200,
  intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2,
};

function problemsFor(mechanism: ProbeMechanism, o: Partial<HealthProbeOptions>): string[] {
  const v = new Validator({ propPrefix: 'healthCheck' });
  HealthProbe.of({ ...BASE, ...o }, '/mcp', v).validateFor(mechanism, v);
  return v.problems.map((p) => `${p.prop}=${String(p.value)}: ${p.allowed}`);
}

describe('HealthProbe', () => {
  test('worst-case detection is threshold x interval plus the last probe\'s timeout', () => {
    const p = HealthProbe.of(BASE);
    expect(p.detectionSeconds).toBe(12);
    expect(p.recoverySeconds).toBe(10);
    expect(p.with({ intervalSeconds: 10, timeoutSeconds: undefined }).detectionSeconds).toBe(22);
  });

  test('the ALB floor settings are valid for the ALB', () => {
    expect(problemsFor(ProbeMechanism.AWS_ALB_TARGET_GROUP, {})).toEqual([]);
  });

  test.each<[string, ProbeMechanism, Partial<HealthProbeOptions>, RegExp]>([
    ['ALB interval below 5 s', ProbeMechanism.AWS_ALB_TARGET_GROUP, { intervalSeconds: 4, timeoutSeconds: 2 },
      /healthCheck\.intervalSeconds=4: an integer from 5 to 300 \(Application Load Balancer target group health check, https:\/\/docs\.aws\.amazon\.com\/elasticloadbalancing/],
    ['ALB timeout not below interval', ProbeMechanism.AWS_ALB_TARGET_GROUP, { intervalSeconds: 5, timeoutSeconds: 5 },
      /healthCheck\.timeoutSeconds=5: less than intervalSeconds \(5\)/],
    ['ALB timeout below 2 s', ProbeMechanism.AWS_ALB_TARGET_GROUP, { timeoutSeconds: 1 },
      /healthCheck\.timeoutSeconds=1: an integer from 2 to 120/],
    ['ALB unhealthy threshold above 10', ProbeMechanism.AWS_ALB_TARGET_GROUP, { unhealthyThreshold: 11 },
      /healthCheck\.unhealthyThreshold=11: an integer from 2 to 10/],
    ['ALB healthy threshold of 1', ProbeMechanism.AWS_ALB_TARGET_GROUP, { healthyThreshold: 1 },
      /healthCheck\.healthyThreshold=1: an integer from 2 to 10/],
    ['Application Gateway unhealthy threshold above 20', ProbeMechanism.AZURE_APPLICATION_GATEWAY, { unhealthyThreshold: 21 },
      /healthCheck\.unhealthyThreshold=21: an integer from 1 to 20 \(Application Gateway custom probe/],
    ['Google timeout above interval', ProbeMechanism.GCP_HEALTH_CHECK, { intervalSeconds: 5, timeoutSeconds: 6 },
      /healthCheck\.timeoutSeconds=6: at most intervalSeconds \(5\) \(Google Cloud health check/],
    ['Traffic Manager interval of 5 s', ProbeMechanism.AZURE_TRAFFIC_MANAGER, { intervalSeconds: 5, timeoutSeconds: 5 },
      /healthCheck\.intervalSeconds=5: 10 or 30 \(Traffic Manager endpoint monitoring/],
    ['Traffic Manager 10 s timeout with a 10 s interval', ProbeMechanism.AZURE_TRAFFIC_MANAGER, { intervalSeconds: 10, timeoutSeconds: 10 },
      /healthCheck\.timeoutSeconds=10: less than intervalSeconds \(10\)/],
    ['Route 53 interval of 20 s', ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK, { intervalSeconds: 20 },
      /healthCheck\.intervalSeconds=20: 10 or 30 \(Route 53 health check/],
  ])('refuses %s', (_name, mechanism, o, message) => {
    expect(problemsFor(mechanism, o).join('\n')).toMatch(message);
  });

  test.each<[string, Partial<HealthProbeOptions>, RegExp]>([
    ['a relative path', { path: 'health' }, /healthCheck\.path: got "health"; allowed: an absolute URL path/],
    ['a query string', { path: '/health?x=1' }, /healthCheck\.path: got "\/health\?x=1"; allowed: an absolute URL path/],
    ['the MCP endpoint as health path', { livenessPath: '/mcp' }, /healthCheck\.livenessPath: got "\/mcp"; allowed: a plain GET path distinct from the MCP endpoint \/mcp/],
    ['a 500 as healthy status', { healthyHttpStatus: 500 }, /healthCheck\.healthyHttpStatus: got 500; allowed: an integer from 200 to 399/],
    ['a zero interval', { intervalSeconds: 0 }, /healthCheck\.intervalSeconds: got 0; allowed: a positive whole number/],
  ])('refuses %s whatever the cloud', (_name, o, message) => {
    expect(() => HealthProbe.of({ ...BASE, ...o })).toThrow(message);
  });

  test('DNS checks are validated under their own prop names', () => {
    const v = new Validator({ propPrefix: 'dnsHealthCheck' });
    validateDnsHealthCheck(ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK, v,
      { requestIntervalSeconds: 15, failureThreshold: 11, measureLatency: false, timeoutSeconds: 3 });
    expect(v.problems.map((p) => p.prop)).toEqual([
      'dnsHealthCheck.timeoutSeconds', 'dnsHealthCheck.requestIntervalSeconds', 'dnsHealthCheck.failureThreshold',
    ]);
    expect(v.problems[0].allowed).toMatch(/Route 53 health check fixes its timeout \(6 s\)/);
  });

  test('property: any setting inside a mechanism\'s documented ranges passes, and detection is the documented formula', () => {
    const alb = PROBE_LIMITS[ProbeMechanism.AWS_ALB_TARGET_GROUP];
    fc.assert(fc.property(
      fc.integer({ min: 5, max: 300 }), fc.integer({ min: 2, max: 120 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 10 }),
      (interval, timeout, healthy, unhealthy) => {
        const problems = problemsFor(ProbeMechanism.AWS_ALB_TARGET_GROUP,
          { intervalSeconds: interval, timeoutSeconds: timeout, healthyThreshold: healthy, unhealthyThreshold: unhealthy });
        const shouldPass = timeout < interval;
        expect(problems.length === 0).toBe(shouldPass);
        const probe = HealthProbe.of({ ...BASE, intervalSeconds: interval, timeoutSeconds: timeout, healthyThreshold: healthy, unhealthyThreshold: unhealthy });
        expect(probe.detectionSeconds).toBe(unhealthy * interval + timeout);
        expect(alb.docUrl).toMatch(/^https:\/\//);
      }), { numRuns: 300 });
  });
});
