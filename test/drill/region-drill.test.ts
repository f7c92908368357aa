/**
 * The region-failure drill, scaled down for CI (CI_REGION_DRILL), on AWS's figures and on Google's, both runs
 * at the same time (separate processes and ports; one wall-clock cost): two
 * regions on 127.0.0.1 (each: HAProxy with the tier's probe, two bundled servers, its
 * redis-server; region B's a real `replicaof` replica of A's with
 * `replica-read-only yes`), a front HAProxy with the anycast region check, MCP clients
 * on the real SDK through the front, and the library's `promote` (lib/core/promotion.ts)
 * behind the promotion trigger. Scales: probe x 0.1 (LB probe 0.5 s / 0.2 s, grace
 * 3.5 s), promotion ladder x 1/60 (trigger 5 s). Every expectation is derived from
 * core's figures times the scale, plus the drill's 1 s observation tolerance.
 *
 * Google: the reference app's active-passive stack (examples/terraform/gcp.ts: business-critical,
 * Cloud DNS routing with one failed check, us-east1 writer, us-central1 standby), Google's write
 * recovery terms (lib/gcp/private/switchover.ts: the writer check's period, the extended-outage
 * trigger, the alert evaluation, the switchover), and the Google promotion handler's decision path
 * (`run` on an opened incident -> core `promote` -> `MemorystoreApi`) against a loopback Memorystore
 * API that accepts only the documented switchover request and then runs `REPLICAOF NO ONE`.
 *
 * haproxy and redis-server must be installed (CI installs them); a missing binary fails.
 */
import { CacheWriteModel, regionHealthPolicy } from '../../lib/core/cache-write-model';
import { ASSUMPTIONS, Cloud, DnsRecordKind, Topology, computeFailoverBudget } from '../../lib/core/failover-budget';
import { planService } from '../../lib/core/plan';
import { AvailabilityTier, RoutingMechanism, TierOverrides, extendedOutageSeconds, resolveTier } from '../../lib/core/tiers';
import { switchoverTerms } from '../../lib/gcp/private/switchover';
import { DETECTION_TOLERANCE_SECONDS } from '../../scripts/drill/drill';
import { renderFrontConfig, frontCheck } from '../../scripts/drill/front-config';
import { requireBinary } from '../../scripts/drill/processes';
import {
  CI_REGION_DRILL, DRILL_RESOURCE, RegionDrillResult, RegionFault, RegionFaultResult, checkSequence, formatRegionTable, regionViolations, runRegionDrill,
  startDrillIdentityProvider,
} from '../../scripts/drill/region-drill';
import type { OidcProvider } from '../support/oidc';

jest.setTimeout(150_000);

const PROBE_SCALE = 0.1;
const LADDER_SCALE = 1 / 60;
const profile = resolveTier(AvailabilityTier.MISSION_CRITICAL);
const grace = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds, profile.healthProbe.intervalSeconds).cacheGraceSeconds;

function fault(result: RegionDrillResult, kind: RegionFault): RegionFaultResult {
  const f = result.faults.find((x) => x.fault === kind);
  if (!f) throw new Error(`no ${kind} in the region drill result`);
  return f;
}

/** The reference app's Google active-passive stack (examples/terraform/gcp.ts, gcp-active-passive). */
const GOOGLE_TIER = AvailabilityTier.BUSINESS_CRITICAL;
const GOOGLE_OVERRIDES: TierOverrides = { dnsHealthCheck: { failureThreshold: 1 } };
const [googleWriter, googleStandby] = ['us-east1', 'us-central1'];

let idp: Promise<OidcProvider> | undefined;
let awsRun: Promise<RegionDrillResult> | undefined;
let googleRun: Promise<RegionDrillResult> | undefined;
const timings: Record<string, number> = {};

/** Both drills start together on first use; each describe awaits its own. */
function startDrills(): void {
  if (awsRun) return;
  requireBinary('haproxy');
  requireBinary('redis-server');
  const timed = (name: string, p: Promise<RegionDrillResult>): Promise<RegionDrillResult> => {
    const t0 = Date.now();
    return p.then((r) => {
      timings[name] = (Date.now() - t0) / 1000;
      process.stdout.write(`${formatRegionTable(r)}\n(${name} drill: ${timings[name]} s wall clock)\n`);
      return r;
    }, (err: unknown) => {
      process.stdout.write(`(${name} drill failed after ${(Date.now() - t0) / 1000} s: ${err instanceof Error ? err.message : String(err)})\n`);
      throw err;
    });
  };
  // One OpenID Provider for both drills (its start is the heaviest part of the set-up).
  idp = startDrillIdentityProvider();
  const withIdp = (o: Parameters<typeof runRegionDrill>[0]): Promise<RegionDrillResult> =>
    (idp as Promise<OidcProvider>).then((identityProvider) => runRegionDrill({ ...o, identityProvider }));
  awsRun = timed('aws', withIdp({
    tier: AvailabilityTier.MISSION_CRITICAL, writeModel: CacheWriteModel.SINGLE_WRITER, regions: ['us-east-1', 'eu-west-1'],
    faults: CI_REGION_DRILL, probeScale: PROBE_SCALE, ladderScale: LADDER_SCALE, clients: 3, settleSeconds: 1,
    // MCP authorization on (issue 13): every server checks tokens from a real OpenID Provider on loopback.
    authorization: true,
  }));
  googleRun = timed('gcp', withIdp({
    cloud: Cloud.GCP, tier: GOOGLE_TIER, tierOverrides: GOOGLE_OVERRIDES, writeModel: CacheWriteModel.SINGLE_WRITER,
    regions: [googleWriter, googleStandby], faults: CI_REGION_DRILL, probeScale: PROBE_SCALE, ladderScale: LADDER_SCALE,
    clients: 3, settleSeconds: 1, authorization: true,
  }));
  // Neither may reject unobserved while the other is awaited.
  awsRun.catch(() => undefined);
  googleRun.catch(() => undefined);
}

describe('region-failure drill (single-writer, scaled down)', () => {
  let result: RegionDrillResult;
  const [writer, replica] = ['us-east-1', 'eu-west-1'];

  beforeAll(async () => {
    startDrills();
    result = await (awsRun as Promise<RegionDrillResult>);
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

describe('region-failure drill on Google (active-passive, Memorystore switchover by the Google handler)', () => {
  let result: RegionDrillResult;
  // What the topology plans (lib/gcp/topologies/active-passive.ts: DNS routing, CNAME records, Google's DNS check floor).
  const plan = planService({
    cloud: Cloud.GCP, topology: Topology.ACTIVE_PASSIVE, tier: GOOGLE_TIER,
    overrides: { ...GOOGLE_OVERRIDES, routing: RoutingMechanism.DNS }, recordKind: DnsRecordKind.CNAME,
  });
  const gProfile = plan.profile;
  const terms = switchoverTerms(extendedOutageSeconds(gProfile));
  const recovery = terms.reduce((a, t) => a + t.seconds, 0);
  const gGrace = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.GCP].seconds, gProfile.healthProbe.intervalSeconds).cacheGraceSeconds;
  // The writer check's period (the uptime check McpCachePromotion renders: 60 s) is the trigger's sampling period.
  const checkPeriod = terms.find((t) => t.name === 'cache-trigger-check-period')?.seconds ?? ASSUMPTIONS.alarmEvaluation.seconds;

  beforeAll(async () => {
    startDrills();
    result = await (googleRun as Promise<RegionDrillResult>);
  });

  test('Google\'s figures, scaled as on AWS: the topology\'s serving budget, grace and switchover terms', () => {
    expect(result.cloud).toBe(Cloud.GCP);
    expect(result.routing).toBe(RoutingMechanism.DNS);
    expect(result.budget.servingSeconds).toBe(plan.budget.totalSeconds);
    expect(plan.budget.totalSeconds).toBeLessThanOrEqual(gProfile.targets.activePassiveRtoSeconds);
    expect(result.budget.scaledServingSeconds).toBeCloseTo(plan.budget.totalSeconds * PROBE_SCALE, 5);
    expect(result.budget.graceSeconds).toBe(gGrace);
    expect(result.recoveryTerms).toEqual(terms.map((t) => ({ name: t.name, seconds: t.seconds })));
    expect(result.budget.cacheRecoverySeconds).toBe(recovery);
    expect(result.budget.scaledPromotionSeconds).toBeCloseTo(recovery * LADDER_SCALE, 5);
    expect(result.alarm).toEqual({
      periodMs: Math.round(checkPeriod * LADDER_SCALE * 1000),
      evaluationPeriods: extendedOutageSeconds(gProfile) / checkPeriod,
      treatMissingData: 'notBreaching',
    });
    for (const f of result.faults) expect(f.calls).toBeGreaterThan(10);
    expect(regionViolations(result)).toEqual([]);
  });

  test('before any fault the standby refuses writes clearly; an in-region cache failover and a silent probe move nothing and switch nothing over', () => {
    expect(result.faults[0].writesBefore).toEqual({ [googleWriter]: 'ok', [googleStandby]: 'read-only' });
    const failover = fault(result, RegionFault.CACHE_FAILOVER);
    expect(failover.outageSeconds as number).toBeLessThan(result.budget.scaledGraceSeconds);
    expect(failover).toMatchObject({ moved: [], promotions: 0, writesAfter: { [googleWriter]: 'ok', [googleStandby]: 'read-only' } });
    const silent = fault(result, RegionFault.PROBE_SILENT);
    expect(silent).toMatchObject({ moved: [], promotions: 0, decisions: [], failedCalls: 0 });
    expect(silent.naiveAlarmSeconds).toBeDefined();
  });

  test('the writer region lost: DNS moves it within the scaled budget; the handler switches the standby over within the scaled write recovery, with the documented request, and it writes', () => {
    const f = fault(result, RegionFault.REGION_LOST);
    expect(f.moved).toEqual([googleWriter]);
    expect(f.detectionSeconds as number).toBeLessThanOrEqual(result.budget.scaledServingSeconds + DETECTION_TOLERANCE_SECONDS);
    expect(f.promotions).toBe(1);
    expect(f.promotedRegion).toBe(googleStandby);
    expect(f.promotionSeconds as number).toBeLessThanOrEqual((result.budget.scaledPromotionSeconds as number) + DETECTION_TOLERANCE_SECONDS);
    const alarm = result.alarm as { periodMs: number; evaluationPeriods: number };
    expect((f.promotionSeconds as number) * 1000).toBeGreaterThanOrEqual((alarm.evaluationPeriods - 1) * alarm.periodMs);
    expect(f.decisions.some((d) => d.startsWith('promoted:') && d.includes(`locations/${googleStandby}/instances/`))).toBe(true);
    // Exactly one switchover reached the Memorystore API, and nothing it refused (wrong mask, body, token, instance).
    expect(result.memorystore).toMatchObject({ switchovers: 1, refused: [] });
    expect(f.writerAfter).toBe(googleStandby);
    expect(f.writesAfter).toEqual({ [googleWriter]: 'region down', [googleStandby]: 'ok' });
    expect(f.clientsKeptWorking).toBe(f.clients);
  });

  test('authorization on: tokens obtained before the first fault kept working through the switchover', () => {
    expect(result.authorization).toMatchObject({ resource: DRILL_RESOURCE, tokensIssuedDuringFaults: 0, authRefusedCalls: 0, tokensIssued: 3 + 2 });
  });
});

afterAll(async () => {
  await Promise.allSettled([awsRun, googleRun]);
  await (await idp?.catch(() => undefined))?.stop();
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
