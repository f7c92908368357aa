/**
 * The region-failure drill, scaled down for CI (CI_REGION_DRILL, 37-42 s measured with authorization on): two
 * regions on 127.0.0.1 (each: HAProxy with the tier's probe, two bundled servers, its
 * redis-server; region B's a real `replicaof` replica of A's with
 * `replica-read-only yes`), a front HAProxy with the anycast region check, MCP clients
 * on the real SDK through the front, and the library's `promote` (lib/core/promotion.ts)
 * behind the promotion trigger. Scales: probe x 0.1 (LB probe 0.5 s / 0.2 s, grace
 * 3.5 s), promotion ladder x 1/60 (trigger 5 s). Every expectation is derived from
 * core's figures times the scale, plus the drill's 1 s observation tolerance.
 *
 * haproxy and redis-server must be installed (CI installs them); a missing binary fails.
 */
import { CacheWriteModel, regionHealthPolicy } from '../../lib/core/cache-write-model';
import { ASSUMPTIONS, Cloud, DnsRecordKind, Topology, computeFailoverBudget } from '../../lib/core/failover-budget';
import { AvailabilityTier, RoutingMechanism, extendedOutageSeconds, resolveTier } from '../../lib/core/tiers';
import { DETECTION_TOLERANCE_SECONDS } from '../../scripts/drill/drill';
import { renderFrontConfig, frontCheck } from '../../scripts/drill/front-config';
import { requireBinary } from '../../scripts/drill/processes';
import {
  CI_REGION_DRILL, DRILL_RESOURCE, RegionDrillResult, RegionFault, RegionFaultResult, checkSequence, formatRegionTable, regionViolations, runRegionDrill,
} from '../../scripts/drill/region-drill';

jest.setTimeout(120_000);

const PROBE_SCALE = 0.1;
const LADDER_SCALE = 1 / 60;
const profile = resolveTier(AvailabilityTier.MISSION_CRITICAL);
const grace = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds, profile.healthProbe.intervalSeconds).cacheGraceSeconds;

function fault(result: RegionDrillResult, kind: RegionFault): RegionFaultResult {
  const f = result.faults.find((x) => x.fault === kind);
  if (!f) throw new Error(`no ${kind} in the region drill result`);
  return f;
}

describe('region-failure drill (single-writer, scaled down)', () => {
  let result: RegionDrillResult;
  const [writer, replica] = ['us-east-1', 'eu-west-1'];

  beforeAll(async () => {
    requireBinary('haproxy');
    requireBinary('redis-server');
    result = await runRegionDrill({
      tier: AvailabilityTier.MISSION_CRITICAL, writeModel: CacheWriteModel.SINGLE_WRITER, regions: [writer, replica],
      faults: CI_REGION_DRILL, probeScale: PROBE_SCALE, ladderScale: LADDER_SCALE, clients: 3, settleSeconds: 1,
      // MCP authorization on (issue 13): every server checks tokens from a real OpenID Provider on loopback.
      authorization: true,
    });
    process.stdout.write(`${formatRegionTable(result)}\n`);
  });

  test('ran every fault with traffic, with core\'s figures scaled as stated', () => {
    expect(result.faults.map((f) => f.fault)).toEqual([...CI_REGION_DRILL]);
    for (const f of result.faults) expect(f.calls).toBeGreaterThan(10);
    expect(result.budget.graceSeconds).toBe(grace);
    expect(result.budget.scaledGraceSeconds).toBeCloseTo(grace * PROBE_SCALE, 5);
    // Mission-critical multi-region routes by anycast: serving budget = LB detection + timeout + reroute.
    expect(result.budget.scaledServingSeconds).toBeCloseTo(result.budget.servingSeconds * PROBE_SCALE, 5);
    expect(result.budget.scaledPromotionSeconds).toBeCloseTo((result.budget.cacheRecoverySeconds as number) * LADDER_SCALE, 5);
    expect(result.alarm).toEqual({
      periodMs: Math.round(ASSUMPTIONS.alarmEvaluation.seconds * LADDER_SCALE * 1000),
      evaluationPeriods: extendedOutageSeconds(profile) / ASSUMPTIONS.alarmEvaluation.seconds,
      treatMissingData: 'notBreaching',
    });
    expect(formatRegionTable(result)).toMatch(/Scale: probe x 0\.1 .*promotion ladder x 0\.017/);
    expect(regionViolations(result)).toEqual([]);
  });

  test('authorization on: each client kept the one token it got before the first fault through every failover, and no call was refused for it', () => {
    expect(result.authorization).toMatchObject({ resource: DRILL_RESOURCE, tokensIssuedDuringFaults: 0, authRefusedCalls: 0 });
    // 3 load clients and one writer per region, one token each
    expect(result.authorization?.tokensIssued).toBe(3 + 2);
    expect(fault(result, RegionFault.REGION_LOST).clientsKeptWorking).toBe(fault(result, RegionFault.REGION_LOST).clients);
  });

  test('before any fault: the writer region writes, the replica region refuses writes with its clear read-only error', () => {
    const first = result.faults[0];
    expect(first.writesBefore).toEqual({ [writer]: 'ok', [replica]: 'read-only' });
    // through the front, refused writes were read-only refusals (never generic failures)
    expect(result.totals.refusedWrites).toBeGreaterThan(0);
  });

  test('cache failover inside the writer region (down for the scaled in-region failover time, < grace): no region moved, nothing promoted, writes back', () => {
    const f = fault(result, RegionFault.CACHE_FAILOVER);
    expect(f.outageSeconds as number).toBeLessThan(result.budget.scaledGraceSeconds);
    expect(f.moved).toEqual([]);
    expect(f.movedWrongly).toBe(false);
    expect(f.promotions).toBe(0);
    expect(f.writesAfter).toEqual({ [writer]: 'ok', [replica]: 'read-only' });
    // calls that needed the cache during the outage failed as clear tool errors, nothing else
    for (const k of Object.keys(f.errors)) expect(k).toBe('tool error: cache unavailable');
    expect(f.clientsKeptWorking).toBe(f.clients);
  });

  test('a probe that stops reporting: no promotion on missing data (an alarm treating it as breaching would have fired)', () => {
    const f = fault(result, RegionFault.PROBE_SILENT);
    expect(f.promotions).toBe(0);
    expect(f.decisions).toEqual([]);
    expect(f.moved).toEqual([]);
    expect(f.naiveAlarmSeconds).toBeDefined();
    expect(f.writesAfter).toEqual({ [writer]: 'ok', [replica]: 'read-only' });
    expect(f.failedCalls).toBe(0);
  });

  test('the writer region lost: moved within the scaled budget, the replica promoted by the library within the scaled write recovery, and it writes', () => {
    const f = fault(result, RegionFault.REGION_LOST);
    expect(f.target).toBe(writer);
    expect(f.moved).toEqual([writer]);
    expect(f.detectionSeconds as number).toBeLessThanOrEqual(result.budget.scaledServingSeconds + DETECTION_TOLERANCE_SECONDS);
    expect(f.promotions).toBe(1);
    expect(f.promotedRegion).toBe(replica);
    expect(f.promotionSeconds as number).toBeLessThanOrEqual((result.budget.scaledPromotionSeconds as number) + DETECTION_TOLERANCE_SECONDS);
    // Not earlier than the trigger allows: every one of the extended-outage periods had to hold a
    // breaching data point. The first may be the period the failure fell in, so at least (periods - 1).
    const alarm = result.alarm as { periodMs: number; evaluationPeriods: number };
    expect(alarm.evaluationPeriods * alarm.periodMs).toBeCloseTo(extendedOutageSeconds(profile) * LADDER_SCALE * 1000, 0);
    expect((f.promotionSeconds as number) * 1000).toBeGreaterThanOrEqual((alarm.evaluationPeriods - 1) * alarm.periodMs);
    expect(f.decisions.some((d) => d.startsWith('promoted:'))).toBe(true);
    expect(f.writerAfter).toBe(replica);
    expect(f.writesAfter).toEqual({ [writer]: 'region down', [replica]: 'ok' });
    expect(f.clientsKeptWorking).toBe(f.clients);
  });
});

describe('region drill pieces', () => {
  test('sequences: a lost writer cache needs a failback before the writer region is lost; region-lost comes last', () => {
    expect(() => checkSequence([RegionFault.PRIMARY_CACHE_LOST, RegionFault.REGION_LOST]))
      .toThrow(/region-lost after primary-cache-lost needs a failback first/);
    expect(() => checkSequence([RegionFault.REGION_LOST, RegionFault.CACHE_FAILOVER])).toThrow(/region-lost must come last/);
    expect(() => checkSequence([RegionFault.FAILBACK])).toThrow(/failback needs a primary-cache-lost before it/);
    expect(() => checkSequence([RegionFault.PRIMARY_CACHE_LOST, RegionFault.FAILBACK, RegionFault.REGION_LOST])).not.toThrow();
  });

  test('the front\'s region check follows the routing: anycast reroute / 2 x 2 falls; DNS interval x threshold', () => {
    const anycast = computeFailoverBudget({ cloud: Cloud.AWS, topology: Topology.MULTI_REGION, routing: RoutingMechanism.ANYCAST, probe: profile.healthProbe, targets: profile.targets });
    const reroute = anycast.terms.find((t) => t.name === 'anycast-reroute')?.seconds as number;
    const a = frontCheck(profile, anycast, RoutingMechanism.ANYCAST, 0.5);
    expect(a).toMatchObject({ fall: 2, rise: 2, interMs: (reroute / 2) * 0.5 * 1000, timeoutMs: profile.healthProbe.timeoutSeconds * 500, path: '/health/ready' });
    const dns = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.MULTI_REGION, routing: RoutingMechanism.DNS, probe: profile.healthProbe, targets: profile.targets,
      dns: { healthCheck: profile.dnsHealthCheck, recordKind: DnsRecordKind.ALIAS, ttlSeconds: 60 },
    });
    const d = frontCheck(profile, dns, RoutingMechanism.DNS, 0.5);
    expect(d).toMatchObject({ interMs: profile.dnsHealthCheck.requestIntervalSeconds * 500, fall: profile.dnsHealthCheck.failureThreshold });
    const cfg = renderFrontConfig({ check: a, regions: [{ name: 'us-east-1', port: 9001 }, { name: 'eu-west-1', port: 9002 }], bindPort: 9000, statsSocket: '/tmp/x.sock', timeouts: profile.timeouts });
    expect(cfg).toContain(`  default-server inter ${a.interMs}ms fall 2 rise 2\n`);
    expect(cfg).toContain('  option httpchk GET /health/ready\n');
    expect(cfg).toContain('  server us-east-1 127.0.0.1:9001 check\n');
    expect(() => frontCheck(profile, anycast, RoutingMechanism.LOAD_BALANCER, 1)).toThrow(/has no front/);
  });
});
