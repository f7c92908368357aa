import fc from 'fast-check';
import { Validator } from '../../lib/core/errors';
import {
  ASSUMPTIONS, Cloud, DnsRecordKind, FailoverBudgetInput, TermSource, Topology, checkBudget, computeFailoverBudget, mcpProbeTerms, targetFor,
} from '../../lib/core/failover-budget';
import { HealthProbe } from '../../lib/core/health-probe';
import { AvailabilityTier, RoutingMechanism, resolveTier } from '../../lib/core/tiers';

const MC = resolveTier(AvailabilityTier.MISSION_CRITICAL);
const probe = (intervalSeconds: number, unhealthyThreshold: number, timeoutSeconds: number) => HealthProbe.of({
  ...MC.healthProbe.toOptions(), intervalSeconds, unhealthyThreshold, timeoutSeconds,
});
const dnsInput = (recordKind: DnsRecordKind, ttlSeconds: number, failureThreshold = 1): FailoverBudgetInput => ({
  cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.DNS, probe: MC.healthProbe,
  dns: { healthCheck: { requestIntervalSeconds: 10, failureThreshold, measureLatency: false }, recordKind, ttlSeconds },
  targets: MC.targets,
});

describe('failover budget', () => {
  test('active-active: the load balancer dropping the instance, 10 s + 2 s', () => {
    const b = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_ACTIVE, routing: RoutingMechanism.ANYCAST, probe: MC.healthProbe, targets: MC.targets,
    });
    expect(b.terms.map((t) => [t.name, t.seconds, t.source])).toEqual([
      ['lb-probe-detection', 10, TermSource.RENDERED],
      ['lb-probe-timeout', 2, TermSource.RENDERED],
    ]);
    expect(b.totalSeconds).toBe(12);
    expect(b.targetSeconds).toBe(12);
    expect(b.withinTarget).toBe(true);
    expect(b.describe()).toBe('12 s = lb-probe-detection 10 s + lb-probe-timeout 2 s (target 12 s)');
  });

  test('anycast adds the accelerator\'s reroute, stated as an assumption with its source', () => {
    const b = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.ANYCAST, probe: MC.healthProbe, targets: MC.targets,
    });
    const reroute = b.terms.find((t) => t.name === 'anycast-reroute')!;
    expect(reroute.source).toBe(TermSource.ASSUMED);
    expect(reroute.docUrl).toMatch(/global-accelerator/);
    expect(b.totalSeconds).toBe(10 + 2 + ASSUMPTIONS.anycastReroute[Cloud.AWS].seconds);
  });

  test('DNS with an alias record pays the load balancer\'s documented 60 s TTL, whatever TTL is asked', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 5));
    const ttl = b.terms.find((t) => t.name === 'dns-ttl')!;
    expect([ttl.seconds, ttl.source]).toEqual([60, TermSource.DOCUMENTED]);
    expect(b.terms.map((t) => t.name)).toEqual(['dns-probe-detection', 'dns-probe-timeout', 'dns-checker-aggregation', 'dns-ttl']);
    expect(b.totalSeconds).toBe(10 + 6 + 5 + 60);
    expect(b.largestTerm.name).toBe('dns-ttl');
  });

  test('an alias record that misses the target is refused with the largest term and a computed way out', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 5));
    const v = new Validator({ constructPath: 'App/Mcp' });
    checkBudget(b, v, { tierName: 'mission-critical', enforce: true, dns: dnsInput(DnsRecordKind.ALIAS, 5).dns });
    expect(() => v.throwIfInvalid()).toThrow(
      /App\/Mcp: 1 invalid setting\n {2}- routing: got "dns"; allowed: a configuration whose active-passive failover budget is at most the mission-critical target of 30 s; now 81 s = .*Largest term: dns-ttl 60 s: use anycast routing \(no DNS step\) or a non-alias record with recordTtlSeconds <= 9\. Or set enforceBudget: false/,
    );
  });

  test('when the other DNS terms alone exceed the target, the way out is anycast', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 5, 3));
    const v = new Validator();
    checkBudget(b, v, { tierName: 'mission-critical', enforce: true, dns: dnsInput(DnsRecordKind.ALIAS, 5, 3).dns });
    expect(v.problems[0].allowed).toMatch(/Largest term: dns-ttl 60 s: the other DNS terms alone take 41 s: use anycast routing/);
  });

  test('opting out of enforcement turns the error into a warning', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 5));
    const v = new Validator();
    const warnings = checkBudget(b, v, { tierName: 'mission-critical', enforce: false });
    expect(v.valid).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^failover budget over target: .*81 s/);
  });

  test('a lone load balancer cannot route an active-passive topology', () => {
    const v = new Validator();
    computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), routing: RoutingMechanism.LOAD_BALANCER }, v);
    expect(v.problems[0]).toMatchObject({ prop: 'routing', value: 'load-balancer' });
    expect(v.problems[0].allowed).toMatch(/something in front of them must move traffic/);
  });

  test('DNS routing without DNS settings is a problem, and alias outside AWS too', () => {
    const v = new Validator();
    computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), dns: undefined }, v);
    computeFailoverBudget({ ...dnsInput(DnsRecordKind.ALIAS, 5), cloud: Cloud.AZURE }, v);
    expect(v.problems.map((p) => p.prop)).toEqual(['dns', 'recordKind']);
    expect(v.problems[1].allowed).toMatch(/alias records exist on Route 53 only/);
  });

  test('Traffic Manager renders its timeout; Route 53 has a documented fixed one', () => {
    const az = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), cloud: Cloud.AZURE });
    expect(az.terms.find((t) => t.name === 'dns-probe-timeout')).toMatchObject({ seconds: 5, source: TermSource.RENDERED });
    const aws = computeFailoverBudget(dnsInput(DnsRecordKind.CNAME, 5));
    expect(aws.terms.find((t) => t.name === 'dns-probe-timeout')).toMatchObject({ seconds: 6, source: TermSource.DOCUMENTED });
  });

  test('cache recovery is stated separately from serving traffic', () => {
    const inRegion = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), cache: { crossRegion: false } });
    expect(inRegion.cacheRecovery!.totalSeconds).toBe(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds);
    expect(inRegion.totalSeconds).toBe(26);
    const cross = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), topology: Topology.MULTI_REGION, cache: { crossRegion: true, promotionTriggerSeconds: 300 } });
    expect(cross.cacheRecovery!.terms.map((t) => [t.name, t.seconds])).toEqual([
      ['cache-promotion-trigger', 300], ['cache-alarm-evaluation', 60], ['cache-promotion', 60],
    ]);
    expect(cross.toJSON()).toMatchObject({ topology: 'multi-region', totalSeconds: 26, targetSeconds: 60, withinTarget: true, cacheRecoverySeconds: 420 });
  });

  test('the MCP probe\'s detection terms come from the rendered schedule and alarm', () => {
    const terms = mcpProbeTerms({ scheduleSeconds: 60, periodSeconds: 60, evaluationPeriods: 2 });
    expect(terms.map((t) => [t.name, t.seconds, t.source])).toEqual([
      ['mcp-probe-schedule', 60, TermSource.RENDERED], ['mcp-probe-alarm', 120, TermSource.RENDERED], ['route53-alarm-polling', 30, TermSource.ASSUMED],
    ]);
  });

  test('targets per topology', () => {
    expect([Topology.ACTIVE_ACTIVE, Topology.ACTIVE_PASSIVE, Topology.MULTI_REGION].map((t) => targetFor(t, MC.targets))).toEqual([12, 30, 60]);
  });

  test('property: the total is the sum of the terms, every term is non-negative, and the largest term is a maximum', () => {
    fc.assert(fc.property(
      fc.integer({ min: 5, max: 300 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 2, max: 4 }),
      fc.constantFrom(...Object.values(Topology)), fc.constantFrom(RoutingMechanism.DNS, RoutingMechanism.ANYCAST),
      fc.constantFrom(...Object.values(DnsRecordKind)), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 10 }),
      (interval, unhealthy, timeout, topology, routing, recordKind, ttl, failures) => {
        const b = computeFailoverBudget({
          cloud: Cloud.AWS, topology, routing, probe: probe(interval, unhealthy, Math.min(timeout, interval - 1)),
          dns: { healthCheck: { requestIntervalSeconds: 10, failureThreshold: failures, measureLatency: false }, recordKind, ttlSeconds: ttl },
          targets: MC.targets,
        });
        expect(b.totalSeconds).toBe(b.terms.reduce((a, t) => a + t.seconds, 0));
        expect(b.terms.every((t) => t.seconds >= 0)).toBe(true);
        expect(b.terms.every((t) => t.seconds <= b.largestTerm.seconds)).toBe(true);
        expect(b.withinTarget).toBe(b.totalSeconds <= b.targetSeconds);
        if (topology !== Topology.ACTIVE_ACTIVE && routing === RoutingMechanism.DNS) {
          expect(b.terms.find((t) => t.name === 'dns-ttl')!.seconds).toBe(recordKind === DnsRecordKind.ALIAS ? 60 : ttl);
        } else {
          expect(b.terms[0].seconds).toBe(unhealthy * interval);
        }
      }), { numRuns: 400 });
  });

  test('property: lowering any rendered setting never raises the budget', () => {
    fc.assert(fc.property(fc.integer({ min: 6, max: 60 }), fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 120 }),
      (interval, unhealthy, ttl) => {
        const base = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, ttl), topology: Topology.ACTIVE_ACTIVE, probe: probe(interval, unhealthy, 2) });
        const faster = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, ttl), topology: Topology.ACTIVE_ACTIVE, probe: probe(interval - 1, unhealthy, 2) });
        expect(faster.totalSeconds).toBeLessThan(base.totalSeconds);
        const dnsBase = computeFailoverBudget(dnsInput(DnsRecordKind.CNAME, ttl));
        const dnsLower = computeFailoverBudget(dnsInput(DnsRecordKind.CNAME, Math.max(0, ttl - 1)));
        expect(dnsLower.totalSeconds).toBeLessThanOrEqual(dnsBase.totalSeconds);
      }), { numRuns: 200 });
  });
});

test('cross-region cache promotion is refused outside AWS (modelled for Global Datastore only)', () => {
  const v = new Validator();
  computeFailoverBudget({
    cloud: Cloud.GCP, topology: Topology.MULTI_REGION, routing: RoutingMechanism.ANYCAST, probe: MC.healthProbe, targets: MC.targets,
    cache: { crossRegion: true },
  }, v);
  expect(v.problems[0]).toMatchObject({ prop: 'cache.crossRegion', value: true });
  expect(v.problems[0].allowed).toMatch(/ElastiCache Global Datastore \(AWS\) only/);
});

describe('terms re-derived from AWS documentation (issue 11)', () => {
  test('Global Accelerator reroute: 30 s, assumed from the documented 30 s recovery figure, with the page and the established-connections caveat', () => {
    const a = ASSUMPTIONS.anycastReroute[Cloud.AWS];
    expect(a.seconds).toBe(30);
    expect(a.docUrl).toBe('https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html');
    expect(a.detail).toMatch(/Established connections are not moved/);
  });

  test('a CALCULATED record check adds Route 53\'s aggregation hop to the DNS budget; a plain HTTPS check does not', () => {
    const plain = computeFailoverBudget(dnsInput(DnsRecordKind.CNAME, 5));
    const calc = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), dns: { ...dnsInput(DnsRecordKind.CNAME, 5).dns!, calculatedHealthCheck: true } });
    const hop = calc.terms.find((t) => t.name === 'dns-calculated-aggregation')!;
    expect(hop).toMatchObject({ seconds: ASSUMPTIONS.route53CalculatedAggregation.seconds, source: TermSource.ASSUMED });
    expect(calc.totalSeconds).toBe(plain.totalSeconds + hop.seconds);
    expect(plain.terms.map((t) => t.name)).not.toContain('dns-calculated-aggregation');
  });

  test('the mission-critical 30 s active-passive target refuses the accelerator with a way out that names the target to raise', () => {
    const v = new Validator({ constructPath: 'App/Mcp' });
    const b = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: RoutingMechanism.ANYCAST, probe: MC.healthProbe, targets: MC.targets,
    });
    checkBudget(b, v, { tierName: 'mission-critical', enforce: true });
    expect(v.problems[0].allowed).toMatch(/now 42 s = .*anycast-reroute 30 s.*no room: raise the target \(targets\.activePassiveRtoSeconds\) or choose a lower tier; the load balancer's detection takes 12 s and 0 s are left, so the target must be at least 42 s/);
  });

  test('DNS already at its fastest: the way out is the TTL that fits, computed from the overrun', () => {
    const v = new Validator();
    const input = dnsInput(DnsRecordKind.CNAME, 5);
    const b = computeFailoverBudget({ ...input, dns: { ...input.dns!, calculatedHealthCheck: true } });
    expect(b.totalSeconds).toBe(31);
    checkBudget(b, v, { tierName: 'mission-critical', enforce: true, dns: { ...input.dns!, calculatedHealthCheck: true } });
    expect(v.problems[0].allowed).toMatch(/already at its fastest \(1 failure x 10 s\): lower recordTtlSeconds to 4 or less/);
  });

  test('a multi-writer cache recovers writes in 0 s: nothing is promoted', () => {
    const b = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.MULTI_REGION, routing: RoutingMechanism.ANYCAST, probe: MC.healthProbe, targets: MC.targets,
      cache: { crossRegion: true, multiWriter: true },
    });
    expect(b.cacheRecovery).toEqual({ terms: [expect.objectContaining({ name: 'cache-no-promotion', seconds: 0 })], totalSeconds: 0 });
  });
});

describe('each term says how its figure is made, with the values it is made from (issue 16 mutation survivors)', () => {
  const details = (terms: { name: string; seconds: number; detail: string; docUrl?: string }[]) =>
    terms.map((t) => [t.name, t.seconds, t.detail, t.docUrl]);

  test('the load balancer\'s terms name the service, the rendered threshold, interval and timeout', () => {
    const b = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_ACTIVE, routing: RoutingMechanism.LOAD_BALANCER, probe: probe(7, 3, 4), targets: MC.targets,
    });
    expect(details(b.terms)).toEqual([
      ['lb-probe-detection', 21, 'Application Load Balancer target group health check: 3 failed probes x 7 s interval (the failure lands just after a passing probe)', undefined],
      ['lb-probe-timeout', 4, 'the last failing probe waits its 4 s timeout when the target hangs', undefined],
    ]);
  });

  test('Route 53 CNAME routing: the rendered check, the documented fixed timeout with its page, the aggregation, the record\'s TTL', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.CNAME, 7, 3));
    expect(details(b.terms)).toEqual([
      ['dns-probe-detection', 30, 'Route 53 health check: 3 failed checks x 10 s interval', undefined],
      ['dns-probe-timeout', 6, 'Route 53 health check waits up to 6 s for a hung endpoint (fixed by the service)',
        'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html'],
      ['dns-checker-aggregation', 5, ASSUMPTIONS.dnsCheckerAggregation.detail, ASSUMPTIONS.dnsCheckerAggregation.docUrl],
      ['dns-ttl', 7, 'clients cache the record for its 7 s TTL', undefined],
    ]);
  });

  test('an alias record: the load balancer\'s 60 s, stated as fixed', () => {
    const ttl = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 7)).terms.find((t) => t.name === 'dns-ttl')!;
    expect(ttl.detail).toBe('clients cache an alias to a load balancer for 60 s; the TTL of an alias cannot be set');
  });

  test('Traffic Manager: the rendered timeout, in words', () => {
    const input = dnsInput(DnsRecordKind.CNAME, 7);
    const b = computeFailoverBudget({ ...input, cloud: Cloud.AZURE, dns: { ...input.dns!, healthCheck: { ...input.dns!.healthCheck, timeoutSeconds: 8 } } });
    expect(b.terms.find((t) => t.name === 'dns-probe-timeout')).toEqual({
      name: 'dns-probe-timeout', seconds: 8, source: TermSource.RENDERED, detail: 'the last failing check waits its 8 s timeout when the endpoint hangs',
    });
  });

  test('DNS routing without DNS settings names what is missing', () => {
    const v = new Validator();
    computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), dns: undefined }, v);
    expect(v.problems).toEqual([{ prop: 'dns', value: undefined, allowed: 'DNS settings (health check, record kind, TTL) when routing is dns' }]);
  });

  test('cache recovery terms: named, with the trigger the alarm renders and the multi-writer reason', () => {
    const inRegion = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), cache: { crossRegion: false } });
    expect(inRegion.cacheRecovery!.terms.map((t) => [t.name, t.source])).toEqual([['cache-automatic-failover', TermSource.ASSUMED]]);
    const cross = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), topology: Topology.MULTI_REGION, cache: { crossRegion: true, promotionTriggerSeconds: 420 } });
    expect(cross.cacheRecovery!.terms[0]).toEqual({
      name: 'cache-promotion-trigger', seconds: 420, source: TermSource.RENDERED,
      detail: 'the primary region must be unhealthy for 420 s (extended-outage step) before a secondary is promoted',
    });
    const multi = computeFailoverBudget({ ...dnsInput(DnsRecordKind.CNAME, 5), topology: Topology.MULTI_REGION, cache: { crossRegion: true, multiWriter: true } });
    expect(multi.cacheRecovery!.terms[0].detail)
      .toBe('every region writes to its own member of a multi-writer cache: surviving regions never stop writing; nothing is promoted');
  });

  test('an enforced budget over target is a problem and no warning', () => {
    const b = computeFailoverBudget(dnsInput(DnsRecordKind.ALIAS, 5));
    const v = new Validator();
    expect(checkBudget(b, v, { tierName: 'mission-critical', enforce: true })).toEqual([]);
    expect(v.problems.map((p) => p.prop)).toEqual(['routing']);
  });

  test('the MCP probe\'s terms say the schedule, the periods and their length', () => {
    expect(mcpProbeTerms({ scheduleSeconds: 60, periodSeconds: 120, evaluationPeriods: 3 }).map((t) => t.detail).slice(0, 2)).toEqual([
      'the probe runs every 60 s; the failure lands just after a passing run',
      'the alarm needs 3 failed period(s) of 120 s (standard resolution)',
    ]);
  });
});
