import { Cloud, DnsRecordKind, Topology, dnsMechanism, loadBalancerMechanism } from '../../lib/core/failover-budget';
import { planService } from '../../lib/core/plan';
import { ProbeMechanism } from '../../lib/core/cloud-limits';
import { AvailabilityTier, RoutingMechanism } from '../../lib/core/tiers';

describe('planService', () => {
  test('every tier and topology meets its target with the tier\'s own defaults, on every cloud', () => {
    for (const cloud of Object.values(Cloud)) {
      for (const tier of Object.values(AvailabilityTier)) {
        for (const topology of Object.values(Topology)) {
          const input = { cloud, tier, topology, cache: { crossRegion: cloud === Cloud.AWS && topology === Topology.MULTI_REGION } };
          if (cloud === Cloud.GCP && topology === Topology.ACTIVE_PASSIVE && tier !== AvailabilityTier.MISSION_CRITICAL) {
            // Cloud DNS checks every 30 s at the fastest (source-region health checks): DNS failover cannot keep
            // these targets on Google, and the plan refuses instead of printing them.
            expect(() => planService(input)).toThrow(/routing: got "dns".*Largest term: dns-(probe-detection|ttl)/);
            continue;
          }
          if (cloud === Cloud.AWS && topology === Topology.ACTIVE_PASSIVE && tier === AvailabilityTier.MISSION_CRITICAL) {
            // Global Accelerator's documented 30 s reroute alone fills the 30 s active-passive target: the plan
            // refuses the tier's default (accelerator) routing and says what to change.
            expect(() => planService(input)).toThrow(/routing: got "anycast".*now 42 s.*Largest term: anycast-reroute 30 s: .*no room.*at least 42 s/);
            continue;
          }
          const plan = planService(input);
          expect(plan.budget.withinTarget).toBe(true);
          expect(plan.warnings).toEqual([]);
        }
      }
    }
  });

  test('DNS routing renders a CNAME with the tier TTL by default; the budget uses it', () => {
    const plan = planService({ cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_PASSIVE });
    expect(plan.routing).toBe(RoutingMechanism.DNS);
    expect(plan.dns).toEqual({ healthCheck: plan.profile.dnsHealthCheck, recordKind: DnsRecordKind.CNAME, ttlSeconds: 15 });
    expect(plan.budget.terms.find((t) => t.name === 'dns-ttl')!.seconds).toBe(15);
  });

  test('an alias record for a business-critical active-passive service is refused: 60 s TTL cannot meet 60 s', () => {
    expect(() => planService({
      cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_PASSIVE, recordKind: DnsRecordKind.ALIAS, constructPath: 'App/Mcp',
    })).toThrow(/^App\/Mcp: 1 invalid setting\n {2}- routing: got "dns"; allowed: .*now 91 s = .*Largest term: dns-ttl 60 s: use anycast routing \(no DNS step\) or a non-alias record with recordTtlSeconds <= 29/);
  });

  test('the same with enforcement off is a warning, and the plan is returned', () => {
    const plan = planService({
      cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_PASSIVE, recordKind: DnsRecordKind.ALIAS,
      overrides: { enforceBudget: false },
    });
    expect(plan.budget.totalSeconds).toBe(91);
    expect(plan.warnings[0]).toMatch(/failover budget over target/);
  });

  test('validates probes against the cloud\'s own limits: 3 s is fine on Google, not on AWS', () => {
    const overrides = { healthCheck: { intervalSeconds: 3, timeoutSeconds: 3 } };
    expect(planService({ cloud: Cloud.GCP, tier: AvailabilityTier.STANDARD, topology: Topology.ACTIVE_ACTIVE, overrides }).budget.totalSeconds).toBe(9);
    expect(() => planService({ cloud: Cloud.AWS, tier: AvailabilityTier.STANDARD, topology: Topology.ACTIVE_ACTIVE, overrides }))
      .toThrow(/healthCheck\.intervalSeconds: got 3; allowed: an integer from 5 to 300.*\n {2}- healthCheck\.timeoutSeconds: got 3; allowed: less than intervalSeconds \(3\)/);
  });

  test('collects tier, probe and DNS problems in one error and skips the budget while settings are invalid', () => {
    expect(() => planService({
      cloud: Cloud.AWS, tier: AvailabilityTier.MISSION_CRITICAL, topology: Topology.ACTIVE_PASSIVE, constructPath: 'A/B',
      overrides: { routing: RoutingMechanism.DNS, minZones: 1, healthCheck: { unhealthyThreshold: 1 }, dnsHealthCheck: { requestIntervalSeconds: 15 } },
    })).toThrow(/^A\/B: 3 invalid settings\n {2}- minZones: .*\n {2}- healthCheck\.unhealthyThreshold: .*\n {2}- dnsHealthCheck\.requestIntervalSeconds: got 15; allowed: 10 or 30/);
  });

  test('mechanisms per cloud', () => {
    expect(loadBalancerMechanism(Cloud.AWS)).toBe(ProbeMechanism.AWS_ALB_TARGET_GROUP);
    expect(dnsMechanism(Cloud.AZURE)).toBe(ProbeMechanism.AZURE_TRAFFIC_MANAGER);
  });

  test('the plan states the cache write model and each region\'s mode', () => {
    const single = planService({
      cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.MULTI_REGION,
      cache: { crossRegion: true }, cacheRegions: ['us-east-1', 'eu-west-1'],
    });
    expect(single.cacheWrite!.describe()).toBe(
      `single-writer: us-east-1 writes; eu-west-1 read-only unless promoted; write recovery ${single.budget.cacheRecovery!.totalSeconds} s`);
    const multi = planService({
      cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.MULTI_REGION,
      cache: { crossRegion: true, multiWriter: true }, cacheRegions: ['us-east-1', 'eu-west-1'],
    });
    expect(multi.cacheWrite!.describe()).toBe('multi-writer: us-east-1 writes; eu-west-1 writes; write recovery 0 s');
    expect(multi.cacheWrite!.replicationLag).toMatchObject({ seconds: 1, source: 'documented' });
    expect(planService({ cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_ACTIVE }).cacheWrite).toBeUndefined();
  });
});
