/**
 * The free functions of core (resolveTier, downtimeMinutesPerYear, extendedOutageSeconds, computeFailoverBudget,
 * planService) are also static methods (TierProfiles, FailoverBudget.compute, ServicePlanner.plan), so a language
 * that reaches the library through jsii has a class to call. Each static gives the same result as its function
 * and refuses bad input with the same message; FailoverBudget.compute without a validator throws instead of
 * dropping the problems.
 */
import { McpHaValidationError, Validator } from '../../lib/core/errors';
import { Cloud, DnsRecordKind, FailoverBudget, FailoverBudgetInput, Topology, computeFailoverBudget } from '../../lib/core/failover-budget';
import { ServicePlanner, planService } from '../../lib/core/plan';
import { AvailabilityTier, RoutingMechanism, TierProfiles, extendedOutageSeconds, resolveTier } from '../../lib/core/tiers';

const MC = resolveTier(AvailabilityTier.MISSION_CRITICAL);
const dnsInput: FailoverBudgetInput = {
  cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.DNS, probe: MC.healthProbe, targets: MC.targets,
  dns: { healthCheck: { requestIntervalSeconds: 10, failureThreshold: 1, measureLatency: false }, recordKind: DnsRecordKind.CNAME, ttlSeconds: 5 },
};

describe('TierProfiles', () => {
  test.each(Object.values(AvailabilityTier))('resolve(%s) is resolveTier', (tier) => {
    expect(TierProfiles.resolve(tier)).toEqual(resolveTier(tier));
    expect(TierProfiles.resolve(tier, { recordTtlSeconds: 30 }).recordTtlSeconds).toBe(30);
  });

  test('resolve refuses a bad override with the message resolveTier gives', () => {
    const message = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return ''; };
    const viaStatic = message(() => TierProfiles.resolve(AvailabilityTier.STANDARD, { healthCheck: { intervalSeconds: 0 } }));
    expect(viaStatic).toMatch(/healthCheck\.intervalSeconds: got 0; allowed:/);
    expect(viaStatic).toBe(message(() => resolveTier(AvailabilityTier.STANDARD, { healthCheck: { intervalSeconds: 0 } })));
  });

  test('downtimeMinutesPerYear: 99.99 % of a 365.25-day year leaves 52.6 minutes; 99.9 % 525.96', () => {
    expect(TierProfiles.downtimeMinutesPerYear(99.99)).toBe(Math.round(0.0001 * 365.25 * 1440 * 100) / 100);
    expect(TierProfiles.downtimeMinutesPerYear(99.99)).toBe(52.6);
    expect(TierProfiles.downtimeMinutesPerYear(99.9)).toBe(525.96);
  });

  test('extendedOutageSeconds is the last escalation step (the guide: standby promotion at 300 s; a custom ladder: its last step)', () => {
    expect(TierProfiles.extendedOutageSeconds(MC)).toBe(extendedOutageSeconds(MC));
    expect(TierProfiles.extendedOutageSeconds(MC)).toBe(300);
    expect(TierProfiles.extendedOutageSeconds(MC)).toBe(MC.escalation[MC.escalation.length - 1].afterSeconds);
    const custom = resolveTier(AvailabilityTier.STANDARD, { escalation: [{ name: 'transient', afterSeconds: 0, action: 'page' }, { name: 'extended-outage', afterSeconds: 600, action: 'promote' }] });
    expect(TierProfiles.extendedOutageSeconds(custom)).toBe(600);
  });
});

describe('FailoverBudget.compute', () => {
  test('gives computeFailoverBudget\'s terms and total', () => {
    const viaStatic = FailoverBudget.compute(dnsInput);
    const viaFunction = computeFailoverBudget(dnsInput);
    expect(viaStatic.terms).toEqual(viaFunction.terms);
    expect(viaStatic.totalSeconds).toBe(viaFunction.totalSeconds);
  });

  test('without a validator, routing that cannot serve the topology is thrown, not dropped', () => {
    expect(() => FailoverBudget.compute({ ...dnsInput, dns: undefined })).toThrow(McpHaValidationError);
    expect(() => FailoverBudget.compute({ ...dnsInput, dns: undefined })).toThrow(/- dns: got undefined; allowed:/);
  });

  test('with a validator, the problem goes to it (the caller throws after its other checks)', () => {
    const v = new Validator();
    expect(() => FailoverBudget.compute({ ...dnsInput, cloud: Cloud.AZURE, dns: { ...dnsInput.dns!, recordKind: DnsRecordKind.ALIAS } }, v)).not.toThrow();
    expect(v.problems.map((p) => p.prop)).toEqual(['recordKind']);
    expect(v.problems[0].allowed).toMatch(/alias records exist on Route 53 only/);
  });
});

describe('ServicePlanner.plan', () => {
  const input = { cloud: Cloud.AWS, tier: AvailabilityTier.BUSINESS_CRITICAL, topology: Topology.ACTIVE_PASSIVE } as const;

  test('gives planService\'s plan', () => {
    const viaStatic = ServicePlanner.plan(input);
    const viaFunction = planService(input);
    expect(viaStatic.budget.totalSeconds).toBe(viaFunction.budget.totalSeconds);
    expect(viaStatic.routing).toBe(viaFunction.routing);
    expect(viaStatic.profile).toEqual(viaFunction.profile);
  });

  test('refuses what planService refuses', () => {
    expect(() => ServicePlanner.plan({ ...input, overrides: { recordTtlSeconds: -1 } })).toThrow(/recordTtlSeconds: got -1; allowed:/);
  });
});
