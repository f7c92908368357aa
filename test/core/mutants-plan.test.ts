/**
 * lib/core/plan.ts: what the plan decides beyond the tier's numbers (docs/TESTING.md lists the mutation
 * survivors this file answers). Expectations come from the plan's contract (ServicePlanInput's @defaults).
 */
import { PROBE_LIMITS, ProbeMechanism } from '../../lib/core/cloud-limits';
import { CacheWriteModel, RegionWriteMode } from '../../lib/core/cache-write-model';
import { Cloud, Topology } from '../../lib/core/failover-budget';
import { limitsDocUrl, planService } from '../../lib/core/plan';
import { AvailabilityTier, RoutingMechanism } from '../../lib/core/tiers';

const AP = { cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_PASSIVE } as const;

describe('DNS failover is planned only where DNS moves the traffic', () => {
  test('active-active with a DNS-routed tier renders no DNS failover (every deployment serves; the load balancer checks)', () => {
    const plan = planService({ ...AP, topology: Topology.ACTIVE_ACTIVE });
    expect(plan.routing).toBe(RoutingMechanism.DNS);
    expect(plan.dns).toBeUndefined();
    expect(plan.budget.terms.some((t) => t.name.startsWith('dns-'))).toBe(false);
  });

  test('a CALCULATED health check adds Route 53\'s aggregation of its children to the budget, and says so in the plan', () => {
    const plain = planService(AP);
    const calculated = planService({ ...AP, dnsCalculatedHealthCheck: true });
    expect(plain.dns).not.toHaveProperty('calculatedHealthCheck');
    expect(calculated.dns?.calculatedHealthCheck).toBe(true);
    const hop = calculated.budget.terms.find((t) => t.name === 'dns-calculated-aggregation');
    expect(hop?.seconds).toBeGreaterThan(0);
    expect(plain.budget.terms.some((t) => t.name === 'dns-calculated-aggregation')).toBe(false);
    expect(calculated.budget.totalSeconds).toBe(plain.budget.totalSeconds + hop!.seconds);
  });

  test('an invalid DNS health check is reported under dnsHealthCheck, against the DNS service\'s own documented limit', () => {
    expect(() => planService({ ...AP, constructPath: 'A/B', overrides: { dnsHealthCheck: { failureThreshold: 0 } } }))
      .toThrow(/\n {2}- dnsHealthCheck\.failureThreshold: got 0; allowed: an integer from 1 to 10 \(Route 53 health check, https:\/\/docs\.aws\.amazon\.com\/Route53\//);
  });
});

describe('the write side, by default and as given', () => {
  test('a single-region cache: one unnamed region that writes, recovering in the in-region failover time', () => {
    const plan = planService({ ...AP, topology: Topology.ACTIVE_ACTIVE, cache: { crossRegion: false } });
    expect(plan.cacheWrite?.model).toBe(CacheWriteModel.SINGLE_REGION);
    expect(plan.cacheWrite?.regionModes).toEqual({ '(this region)': RegionWriteMode.LOCAL });
    expect(plan.cacheWrite?.writeRecoverySeconds).toBe(plan.budget.cacheRecovery!.totalSeconds);
    expect(plan.cacheWrite?.replicationLag).toBeUndefined();
  });

  test('across regions without names: two placeholder regions, the first the writer (single writer)', () => {
    const plan = planService({ ...AP, topology: Topology.MULTI_REGION, cache: { crossRegion: true } });
    expect(plan.cacheWrite?.regionModes).toEqual({
      '(first region)': RegionWriteMode.LOCAL, '(second region)': RegionWriteMode.READ_ONLY_UNLESS_PROMOTED,
    });
    expect(plan.cacheWrite?.recoveryTerms.map((t) => t.name)).toEqual(plan.budget.cacheRecovery!.terms.map((t) => t.name));
    expect(plan.cacheWrite?.replicationLag).toBeUndefined();
  });

  test('multi-writer: the documented replication lag is the RPO, with its source', () => {
    const plan = planService({ ...AP, topology: Topology.MULTI_REGION, cache: { crossRegion: true, multiWriter: true }, cacheRegions: ['a', 'b'] });
    expect(plan.cacheWrite?.replicationLag).toMatchObject({ name: 'cache-replication-lag', source: 'documented' });
    expect(plan.cacheWrite?.replicationLag?.docUrl).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(plan.cacheWrite?.replicationLag?.detail.length).toBeGreaterThan(0);
  });

  test('a cross-region cache named in one region only is refused (no cross-region cache in one region)', () => {
    expect(() => planService({ ...AP, topology: Topology.MULTI_REGION, cache: { crossRegion: true }, cacheRegions: ['us-east-1'], constructPath: 'A/B' }))
      .toThrow(/^A\/B: 1 invalid setting\n {2}- cache\.writeModel: got "single-writer"; allowed: single-region: one region has no cross-region cache$/);
  });
});

describe('values the framework resolves later are not judged now', () => {
  test('the caller\'s token detector decides what is skipped', () => {
    const seen: unknown[] = [];
    const plan = () => planService({ ...AP, overrides: { healthCheck: { unhealthyThreshold: 99 } }, isUnresolved: (x) => { seen.push(x); return x === 99; } });
    expect(plan).not.toThrow();
    expect(seen).toContain(99);
    expect(() => planService({ ...AP, overrides: { healthCheck: { unhealthyThreshold: 99 } } })).toThrow(/healthCheck\.unhealthyThreshold: got 99/);
  });

  // Was a bug (found by the mutation audit): the timeout/interval comparison ran on an unresolved interval and
  // reported the timeout against the token's encoded value ("less than intervalSeconds (-1.888e+289)").
  test('an interval given as a token does not make a valid timeout invalid', () => {
    const token = -1.8881545897087626e289; // a CDK numeric token (Token.asNumber)
    expect(() => planService({ ...AP, overrides: { healthCheck: { intervalSeconds: token } } })).not.toThrow();
    expect(() => planService({ ...AP, overrides: { healthCheck: { timeoutSeconds: token } } })).not.toThrow();
  });

  test('with both values resolved, a timeout not below the interval is still refused', () => {
    expect(() => planService({ ...AP, overrides: { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } } }))
      .toThrow(/healthCheck\.timeoutSeconds: got 10; allowed: less than intervalSeconds \(10\) \(Application Load Balancer/);
  });
});

test('limitsDocUrl names each mechanism\'s own documentation page', () => {
  for (const m of Object.values(ProbeMechanism)) expect(limitsDocUrl(m)).toBe(PROBE_LIMITS[m].docUrl);
  expect(limitsDocUrl(ProbeMechanism.AWS_ALB_TARGET_GROUP)).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/elasticloadbalancing\//);
});
