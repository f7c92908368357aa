/**
 * lib/core/failover-budget.ts: the way out an over-target budget prints, one case per largest term (the
 * mutation run found most of them unexecuted). Each message must name the setting that shortens that term,
 * with a figure that fits the target, or say that no setting does (docs/TESTING.md, survivors).
 */
import { Validator } from '../../lib/core/errors';
import { DnsRecordKind, DnsRouting, FailoverBudget, TermSource, Topology, checkBudget } from '../../lib/core/failover-budget';
import { RoutingMechanism } from '../../lib/core/tiers';

const term = (name: string, seconds: number) => ({ name, seconds, source: TermSource.RENDERED, detail: name });
const dns = (over: Partial<DnsRouting['healthCheck']> = {}, kind = DnsRecordKind.CNAME, ttlSeconds = 15): DnsRouting => ({
  recordKind: kind, ttlSeconds, healthCheck: { requestIntervalSeconds: 10, failureThreshold: 1, measureLatency: false, ...over },
});

/** The way-out text checkBudget prints for the budget's largest term (warning form, enforcement off). */
function wayOut(topology: Topology, routing: RoutingMechanism, terms: [string, number][], target: number, d?: DnsRouting): string {
  const budget = new FailoverBudget(topology, routing, terms.map(([n, s]) => term(n, s)), target);
  const [warning] = checkBudget(budget, new Validator(), { tierName: 'business-critical', enforce: false, dns: d });
  const text = warning.split('Largest term: ')[1];
  return text.slice(0, text.indexOf('. Or set enforceBudget: false'));
}

describe('the DNS health check\'s detection is the largest term', () => {
  test('not at its fastest: lower the threshold or the interval', () => {
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-probe-detection', 90], ['dns-ttl', 15]], 60, dns({ requestIntervalSeconds: 30, failureThreshold: 3 })))
      .toBe('dns-probe-detection 90 s: lower dnsHealthCheck.failureThreshold or dnsHealthCheck.requestIntervalSeconds (10 s is the fastest), or use anycast routing');
  });

  test('at its fastest (1 x 10 s) with a CNAME: the TTL that fits, exactly over-seconds lower (0 allowed)', () => {
    // 40 + 15 = 55 against 50: 5 s over, TTL 15 -> 10.
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-checker-aggregation', 40], ['dns-ttl', 15]], 50, dns()))
      .toBe('dns-checker-aggregation 40 s: the DNS health check is already at its fastest (1 failure x 10 s): lower recordTtlSeconds to 10 or less, or use anycast routing');
    // Exactly the TTL over: TTL 0 still fits.
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-checker-aggregation', 40], ['dns-ttl', 15]], 40, dns()))
      .toMatch(/lower recordTtlSeconds to 0 or less/);
  });

  test('at its fastest, and no TTL can fit (or the record is an alias): anycast or a larger target', () => {
    const fastest = 'dns-checker-aggregation 40 s: the DNS health check is already at its fastest (1 failure x 10 s): use anycast routing, or raise the target';
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-checker-aggregation', 40], ['dns-ttl', 15]], 39, dns())).toBe(fastest);
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-checker-aggregation', 40], ['dns-ttl', 15]], 50, dns({}, DnsRecordKind.ALIAS))).toBe(fastest);
  });

  test('a 10 s interval with 2 failures, or 1 failure at 30 s, is not "the fastest"', () => {
    for (const hc of [{ failureThreshold: 2 }, { requestIntervalSeconds: 30 }]) {
      expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-probe-detection', 40], ['dns-ttl', 15]], 50, dns(hc)))
        .toMatch(/^dns-probe-detection 40 s: lower dnsHealthCheck\.failureThreshold or dnsHealthCheck\.requestIntervalSeconds/);
    }
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-probe-detection', 40], ['dns-ttl', 15]], 50))
      .toMatch(/^dns-probe-detection 40 s: lower dnsHealthCheck\.failureThreshold/);
  });
});

describe('the load balancer\'s probe is the largest term', () => {
  test('detection: interval or threshold; timeout: the timeout', () => {
    expect(wayOut(Topology.ACTIVE_ACTIVE, RoutingMechanism.ANYCAST, [['lb-probe-detection', 40], ['lb-probe-timeout', 5]], 30))
      .toBe('lb-probe-detection 40 s: lower healthCheck.intervalSeconds or healthCheck.unhealthyThreshold');
    expect(wayOut(Topology.ACTIVE_ACTIVE, RoutingMechanism.ANYCAST, [['lb-probe-timeout', 40], ['lb-probe-detection', 5]], 30))
      .toBe('lb-probe-timeout 40 s: lower healthCheck.timeoutSeconds');
  });
});

describe('the CALCULATED health check\'s aggregation is the largest term', () => {
  test('names the threshold, the TTL, dropping the CALCULATED check, or anycast', () => {
    expect(wayOut(Topology.ACTIVE_PASSIVE, RoutingMechanism.DNS, [['dns-calculated-aggregation', 60], ['dns-ttl', 15]], 60, dns()))
      .toBe('dns-calculated-aggregation 60 s: lower dnsHealthCheck.failureThreshold or recordTtlSeconds, or set mcpProbe: false '
        + '(no CALCULATED check; the MCP probe then only alarms), or use anycast routing');
  });
});

describe('a term no setting shortens', () => {
  test('says so, and names what does help', () => {
    expect(wayOut(Topology.MULTI_REGION, RoutingMechanism.DNS, [['cache-promotion', 600], ['dns-ttl', 15]], 300))
      .toBe('cache-promotion 600 s: no setting shortens this term: raise the target (targets) or choose a lower tier');
  });
});

describe('the accelerator\'s reroute leaves no room: the target to raise is the topology\'s own', () => {
  test.each([
    [Topology.ACTIVE_ACTIVE, 'activeActiveDetectionSeconds'],
    [Topology.ACTIVE_PASSIVE, 'activePassiveRtoSeconds'],
    [Topology.MULTI_REGION, 'multiRegionRtoSeconds'],
  ])('%s: targets.%s', (topology, prop) => {
    expect(wayOut(topology, RoutingMechanism.ANYCAST, [['anycast-reroute', 30], ['lb-probe-detection', 20]], 40))
      .toContain(`raise the target (targets.${prop}) or choose a lower tier; the load balancer's detection takes 20 s and 10 s are left, so the target must be at least 50 s, or use dns routing`);
  });
});
