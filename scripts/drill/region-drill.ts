/**
 * The region-failure drill (issue 11): two "regions" on 127.0.0.1, each with its own
 * HAProxy load balancer (checks rendered from core's probe, as in the single-region
 * drill), replicas of the bundled reference server and its own redis-server; a front
 * (a third HAProxy) routing between the regions with the region-health semantics core
 * renders (front-config.ts); the cross-region cache relationship from core's write
 * model (`CacheWritePlan`):
 *
 * - single-writer: region B's redis-server is a real replica of region A's
 *   (`replicaof`, `replica-read-only yes`); each server gets the plan's environment
 *   (`CACHE_WRITE_MODEL`, `CACHE_WRITE_MODE`, `CACHE_WRITER_REGION`, `SERVICE_REGION`,
 *   `CACHE_GRACE_SECONDS`); a promotion is the library's own decision (`promote`,
 *   lib/core/promotion.ts) through a Redis adapter (local-cache.ts), triggered like the
 *   extended-outage alarm (promotion-trigger.ts: missing data is not breaching).
 * - multi-writer: two independent redis-servers, every region writes locally. There is
 *   no CRDT replication locally (MemoryDB Multi-Region's asynchronous, last-writer-wins
 *   replication is not reproduced): what the drill shows is that a surviving region
 *   keeps writing and nothing is promoted; not replication lag, conflicts or RPO.
 *
 * Times: the tier's probe, grace period and region check are multiplied by
 * `probeScale`; the promotion ladder (extended-outage trigger, alarm period, the
 * promotion call's budget) by `ladderScale`. Both are printed with every figure.
 *
 * Every wait is bounded; every process is stopped by pid (processes.ts).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  CacheWriteModel, CacheWritePlan, regionHealthPolicy,
} from '../../lib/core/cache-write-model';
import {
  ASSUMPTIONS, Cloud, DnsRecordKind, FailoverBudget, Topology, computeFailoverBudget,
} from '../../lib/core/failover-budget';
import { Decision, PromotionAction, promote } from '../../lib/core/promotion';
import { timeoutEnvironment } from '../../lib/core/server-source';
import {
  AvailabilityTier, RoutingMechanism, TierOverrides, TierProfile, extendedOutageSeconds, mergeOverrides, resolveTier,
} from '../../lib/core/tiers';
import { BudgetTerm, cloudDefaults } from '../../lib/core/failover-budget';
import { switchoverTerms } from '../../lib/gcp/private/switchover';
import {
  MEMORYSTORE_API, MemorystoreApi, PromotionBlockedError, notificationOf, run as runGooglePromotion,
} from '../../lib/gcp/cache-promotion-handler';
import { FakeMemorystoreApi } from './memorystore-fake';
import { sharedBundle } from './bundle';
import { McpAuthEnv } from '../../lib/core/authorization';
import { OidcProvider, TestClient, startOidcProvider } from '../../test/support/oidc';
import { CallRecord, LoadClient } from './clients';
import { CALL_TIMEOUT_MS, DETECTION_TOLERANCE_SECONDS, localTimeouts } from './drill';
import { FRONT_BACKEND, FrontCheck, frontCheck, renderFrontConfig } from './front-config';
import { BACKEND_NAME, renderHaproxyConfig } from './haproxy-config';
import { StateWatcher, Transition } from './haproxy-stats';
import { LocalReplicatedCache, redisCommand } from './local-cache';
import {
  LOOPBACK, Managed, ProcessGroup, RedisHandle, freePort, httpStatus, requireBinary, sleep, startRedis, waitFor,
} from './processes';
import { PromotionTrigger } from './promotion-trigger';

export enum RegionFault {
  /** The writer region's cache restarted within the in-region failover time: the region must NOT be moved. */
  CACHE_FAILOVER = 'cache-failover',
  /** The promotion trigger's probe stops reporting while every region is healthy: no promotion on missing data. */
  PROBE_SILENT = 'probe-silent',
  /** The writer region's cache is lost for good: the region is moved after the grace period, the other region promoted. */
  PRIMARY_CACHE_LOST = 'primary-cache-lost',
  /** The region whose cache was lost gets a cache again, as a replica of the new writer: it serves again, read-only. */
  FAILBACK = 'failback',
  /** The writer region is lost whole (its load balancer, servers and cache killed): moved, the other region promoted. */
  REGION_LOST = 'region-lost',
}

export const FULL_REGION_DRILL: readonly RegionFault[] = [
  RegionFault.CACHE_FAILOVER, RegionFault.PROBE_SILENT, RegionFault.PRIMARY_CACHE_LOST, RegionFault.FAILBACK, RegionFault.REGION_LOST,
];
/** The CI sequence (test/drill/region-drill.test.ts): 37-42 s at the CI scales, authorization on. */
export const CI_REGION_DRILL: readonly RegionFault[] = [RegionFault.CACHE_FAILOVER, RegionFault.PROBE_SILENT, RegionFault.REGION_LOST];

export interface RegionDrillOptions {
  /**
   * Whose figures and promotion path the drill runs:
   * - AWS: multi-region behind the accelerator (anycast), ElastiCache's in-region failover time,
   *   the Global Datastore ladder, core's `promote` through the Redis adapter.
   * - GCP: active-passive behind Cloud DNS (the topology with the automated switchover), Google's
   *   DNS health-check floor (cloudDefaults), Memorystore's in-region failover time, the
   *   switchover terms the Google topology renders (lib/gcp/private/switchover.ts: the writer
   *   check's period, the extended-outage trigger, the alert evaluation, the switchover), and the
   *   Google promotion handler (`run` on an opened incident, `MemorystoreApi`) against a loopback
   *   Memorystore API (memorystore-fake.ts) that runs the switchover on the local caches.
   * @default Cloud.AWS
   */
  readonly cloud?: Cloud.AWS | Cloud.GCP;
  /** On top of the cloud's defaults (e.g. the reference app's `dnsHealthCheck.failureThreshold`). @default - none */
  readonly tierOverrides?: TierOverrides;
  /** @default AvailabilityTier.MISSION_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** @default CacheWriteModel.SINGLE_WRITER */
  readonly writeModel?: CacheWriteModel.SINGLE_WRITER | CacheWriteModel.MULTI_WRITER;
  /** The first holds the writer (single-writer). @default ['us-east-1', 'eu-west-1'] */
  readonly regions?: readonly [string, string];
  /** @default 2 */
  readonly replicasPerRegion?: number;
  /** MCP clients through the front. @default 4 */
  readonly clients?: number;
  /** @default FULL_REGION_DRILL */
  readonly faults?: readonly RegionFault[];
  /** Multiplies the tier's probe, the grace period and the region check. @default 0.2 */
  readonly probeScale?: number;
  /** Multiplies the promotion ladder (trigger, alarm period, promotion call). @default 1/30 */
  readonly ladderScale?: number;
  /** @default - the tier's default routing (ANYCAST for mission-critical) */
  readonly routing?: RoutingMechanism;
  /** Seconds of traffic after a fault's expectations are settled, before the next. @default 2 */
  readonly settleSeconds?: number;
  /** @default 200 */
  readonly callIntervalMs?: number;
  readonly log?: (line: string) => void;
  readonly group?: ProcessGroup;
  /**
   * Authorization on: an OpenID Provider (oidc-provider) on loopback, every server an OAuth
   * resource server for DRILL_RESOURCE, every client one client-credentials token obtained
   * before the first fault and used to the end (tokens survive failovers: nothing is kept per session).
   * @default false
   */
  readonly authorization?: boolean;
  /**
   * With `authorization`: an OpenID Provider the caller started (and stops) for DRILL_RESOURCE with
   * DRILL_CLIENT (drills running side by side share one). @default - the drill starts its own
   */
  readonly identityProvider?: OidcProvider;
}

/** What a write through one region's load balancer did. */
export type WriteOutcome = 'ok' | 'read-only' | 'region down' | `failed: ${string}`;

export interface RegionFaultResult {
  readonly fault: RegionFault;
  /** The region the fault hit. */
  readonly target: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Seconds from the fault to the front marking the region DOWN. */
  readonly detectionSeconds?: number;
  readonly detectionBudgetSeconds?: number;
  readonly detectionWithinBudget?: boolean;
  /** Whether the fault should move the region (the front stop routing to it). */
  readonly shouldMove: boolean;
  /** Regions the front marked DOWN during the window. */
  readonly moved: readonly string[];
  /** A region was moved although the fault should move none. */
  readonly movedWrongly: boolean;
  readonly shouldPromote: boolean;
  /** Promotions the library performed in the window. */
  readonly promotions: number;
  readonly promotedRegion?: string;
  /** Seconds from the fault to the promotion's completion (the new writer's ROLE is master). */
  readonly promotionSeconds?: number;
  readonly promotionBudgetSeconds?: number;
  readonly promotionWithinBudget?: boolean;
  /** The library's decisions in the window (action: reason). */
  readonly decisions: readonly string[];
  /** Probe silenced: seconds after which an alarm treating missing data as breaching would have fired (it never acts). */
  readonly naiveAlarmSeconds?: number;
  /** Cache failover: seconds the cache was down. */
  readonly outageSeconds?: number;
  /** Failback: seconds until the front routed to the region again. */
  readonly recoverySeconds?: number;
  /** Writes through each region's load balancer at the start and at the end of the window. */
  readonly writesBefore: Readonly<Record<string, WriteOutcome>>;
  readonly writesAfter: Readonly<Record<string, WriteOutcome>>;
  /** Every serving region's write, at the end, did what the model says (writer ok, others read-only, or all ok). */
  readonly writesAsExpected: boolean;
  /** The writer region at the end (single-writer). */
  readonly writerAfter?: string;
  /** Calls through the front that ended in the window. */
  readonly calls: number;
  /** Failed calls (errors), read-only refusals apart. */
  readonly failedCalls: number;
  /** Writes a read-only region refused with its clear error (not failures: the model says so). */
  readonly refusedWrites: number;
  readonly clientsKeptWorking: number;
  readonly clients: number;
  readonly errors: Record<string, number>;
  readonly transitions: readonly Transition[];
  readonly notes: readonly string[];
}

export interface RegionDrillResult {
  readonly startedAt: string;
  readonly cloud: Cloud.AWS | Cloud.GCP;
  /** GCP: the requests the Memorystore API received (switchovers accepted, anything refused). */
  readonly memorystore?: { readonly switchovers: number; readonly refused: readonly string[]; readonly requests: number };
  readonly tier: AvailabilityTier;
  readonly writeModel: CacheWriteModel;
  readonly regions: readonly string[];
  readonly writePlan: string;
  readonly routing: RoutingMechanism;
  readonly scale: {
    readonly probe: number;
    readonly ladder: number;
    readonly text: string;
  };
  /** Core's figures (unscaled seconds) and the scaled ones the drill compares with. */
  readonly budget: {
    readonly serving: string;
    readonly servingSeconds: number;
    readonly cacheRecoverySeconds?: number;
    readonly graceSeconds: number;
    readonly scaledServingSeconds: number;
    readonly scaledGraceSeconds: number;
    readonly scaledPromotionSeconds?: number;
  };
  readonly front: FrontCheck;
  readonly alarm?: { readonly periodMs: number; readonly evaluationPeriods: number; readonly treatMissingData: 'notBreaching' };
  /** The write-recovery terms (unscaled seconds) the promotion budget adds up. */
  readonly recoveryTerms?: readonly { readonly name: string; readonly seconds: number }[];
  readonly toleranceSeconds: number;
  readonly faults: readonly RegionFaultResult[];
  readonly limits: readonly string[];
  readonly totals: { readonly calls: number; readonly failedCalls: number; readonly refusedWrites: number; readonly byReplica: Record<string, number>; readonly durationSeconds: number };
  readonly logsDir: string;
  /** Authorization on: the issuer, the resource, tokens issued (all before the first fault) and calls refused for a token (401/403). */
  readonly authorization?: {
    readonly issuer: string; readonly resource: string; readonly tokensIssued: number;
    /** Tokens asked for after the first fault began: 0 when every client kept its token through every failover. */
    readonly tokensIssuedDuringFaults: number;
    readonly authRefusedCalls: number;
  };
}

/**
 * Health-check timeouts (the regions' load balancers, the front) are not scaled below this: a busy
 * 2-core machine answers a healthy check slower than a scaled 0.2-0.5 s timeout, and one slow answer
 * with a fall of 1 (Google's DNS check) moved a healthy region. Only a hung region's detection would
 * depend on the timeout; the region drill hangs none (its faults refuse connections or answer 503).
 */
export const CHECK_TIMEOUT_FLOOR_MS = 1000;

/** The access token the drill's promotion function presents to the loopback Memorystore API. */
const MEMORYSTORE_DRILL_TOKEN = 'drill-function-sa-token-loopback-only';

/** The resource (audience) the drill's servers protect: the service the front stands for. */
export const DRILL_RESOURCE = 'https://mcp.drill.example/mcp';
/** An OpenID Provider for the drill's resource and client (on loopback), to share between drills. */
export function startDrillIdentityProvider(): Promise<OidcProvider> {
  return startOidcProvider({ resource: DRILL_RESOURCE, scopes: ['mcp:read', 'mcp:write'], clients: [DRILL_CLIENT] });
}

const DRILL_CLIENT: TestClient = { clientId: 'drill-client', clientSecret: 'drill-secret-for-loopback-only-000000001', scope: 'mcp:read mcp:write', accessTokenTtlSeconds: 3600 };

interface ServerReplica {
  readonly name: string;
  readonly port: number;
  proc: Managed;
}

interface Region {
  readonly name: string;
  readonly index: number;
  redis: RedisHandle;
  readonly replicas: ServerReplica[];
  readonly lbPort: number;
  haproxy: Managed;
  lost: boolean;
  cacheLost: boolean;
  writer: Client;
}

const READ_ONLY = /is read-only/;
/**
 * Head start given to a replacement redis-server so it answers when the scaled failover time ends:
 * at least this, or 1.5 x what starting the drill's second redis-server took (a loaded machine
 * starts a process in over a second), at most a quarter of the outage (the measured outage, printed
 * and asserted below the grace, stays at least three quarters of the modelled failover time).
 */
const REDIS_START_ALLOWANCE_MS = 200;
/** A client "kept working" with a good call started in the window's last 2.5 s (a 1.5 s slow_echo fits). */
const KEPT_WORKING_MS = 2500;

export async function runRegionDrill(options: RegionDrillOptions = {}): Promise<RegionDrillResult> {
  const tier = options.tier ?? AvailabilityTier.MISSION_CRITICAL;
  const model = options.writeModel ?? CacheWriteModel.SINGLE_WRITER;
  const regionNames = options.regions ?? ['us-east-1', 'eu-west-1'];
  const nReplicas = options.replicasPerRegion ?? 2;
  const nClients = options.clients ?? 4;
  const faults = options.faults ?? FULL_REGION_DRILL;
  const probeScale = options.probeScale ?? 0.2;
  const ladderScale = options.ladderScale ?? 1 / 30;
  const settleMs = (options.settleSeconds ?? 2) * 1000;
  const callIntervalMs = options.callIntervalMs ?? 200;
  const log = options.log ?? (() => undefined);
  checkSequence(faults);
  const slowMs = 1500;

  const haproxyBin = requireBinary('haproxy');
  requireBinary('redis-server');
  const cloud = options.cloud ?? Cloud.AWS;
  const google = cloud === Cloud.GCP;
  // The tier with the cloud's own limits (Google: the Cloud DNS check floor), the user's overrides
  // and the drill's local timeout chain (see drill.ts: localTimeouts).
  const profile: TierProfile = resolveTier(tier, mergeOverrides(mergeOverrides(cloudDefaults(cloud), options.tierOverrides), { timeouts: localTimeouts(slowMs) }));
  const probe = profile.healthProbe;
  // Google automates the switchover in its active-passive topology, which routes with Cloud DNS.
  const routing = options.routing ?? (google ? RoutingMechanism.DNS : profile.defaultRouting);
  const singleWriter = model === CacheWriteModel.SINGLE_WRITER;
  const budget: FailoverBudget = computeFailoverBudget({
    cloud, topology: google ? Topology.ACTIVE_PASSIVE : Topology.MULTI_REGION, routing, probe, targets: profile.targets,
    ...(routing === RoutingMechanism.DNS
      ? { dns: { healthCheck: profile.dnsHealthCheck, recordKind: google ? DnsRecordKind.CNAME : DnsRecordKind.ALIAS, ttlSeconds: profile.recordTtlSeconds } }
      : {}),
    // Core models the Global Datastore ladder; Google's comes from lib/gcp (below).
    ...(singleWriter && !google ? { cache: { crossRegion: true, promotionTriggerSeconds: extendedOutageSeconds(profile) } } : {}),
  });
  // The write-recovery terms: core's Global Datastore ladder, or the Google topology's switchover terms.
  const recoveryTerms: readonly BudgetTerm[] | undefined = !singleWriter ? undefined
    : google ? switchoverTerms(extendedOutageSeconds(profile)) : budget.cacheRecovery?.terms;
  const recoverySeconds = recoveryTerms?.reduce((a, t) => a + t.seconds, 0);
  const plan = CacheWritePlan.of({
    model, regions: [...regionNames],
    ...(singleWriter && recoveryTerms ? { recoveryTerms: [...recoveryTerms] } : {}),
  });
  // Instance health vs region health: readiness tolerates an unreachable cache for the
  // in-region failover time plus one probe interval (core's policy), scaled.
  const cacheFailoverSeconds = ASSUMPTIONS.cacheAutomaticFailover[cloud].seconds;
  const policy = regionHealthPolicy(cacheFailoverSeconds, probe.intervalSeconds);
  const graceScaled = round2(policy.cacheGraceSeconds * probeScale);
  const servingScaled = round2(budget.totalSeconds * probeScale);
  // Check timeouts are not scaled below CHECK_TIMEOUT_FLOOR_MS: a loaded 2-core machine answers a
  // healthy check slower than a 5 s timeout x 0.1; no region here hangs, so no expectation depends on them.
  const scaledFront = frontCheck(profile, budget, routing, probeScale);
  const front: FrontCheck = { ...scaledFront, timeoutMs: Math.max(scaledFront.timeoutMs, CHECK_TIMEOUT_FLOOR_MS) };
  // One data point per period: the CloudWatch alarm's period (AWS) or the writer check's period (Google's
  // uptime check, the switchover terms' first term; 60 s = core's alarm evaluation where it is not named).
  const periodSeconds = (google ? recoveryTerms?.find((t) => t.name === 'cache-trigger-check-period')?.seconds : undefined)
    ?? ASSUMPTIONS.alarmEvaluation.seconds;
  const alarmPeriodMs = Math.max(100, Math.round(periodSeconds * ladderScale * 1000));
  const evaluationPeriods = Math.max(1, Math.ceil(extendedOutageSeconds(profile) / periodSeconds));
  const promotionScaled = recoverySeconds !== undefined ? round2(recoverySeconds * ladderScale) : undefined;
  const scaleText = `probe x ${round3(probeScale)} (load-balancer probe ${probe.intervalSeconds} s / ${probe.timeoutSeconds} s -> `
    + `${round2(probe.intervalSeconds * probeScale)} s / ${round2(probe.timeoutSeconds * probeScale)} s; grace ${policy.cacheGraceSeconds} s -> ${graceScaled} s; `
    + `region check inter ${front.interMs} ms x fall ${front.fall}; check timeouts at least ${CHECK_TIMEOUT_FLOOR_MS} ms; `
    + `server reconnect backoff cap 1000 ms -> ${reconnectCapMs(probeScale)} ms)`
    + (singleWriter
      ? `; promotion ladder x ${round3(ladderScale)} (trigger ${extendedOutageSeconds(profile)} s -> ${round2(extendedOutageSeconds(profile) * ladderScale)} s = `
        + `${evaluationPeriods} alarm periods of ${alarmPeriodMs} ms; write recovery ${recoverySeconds} s -> ${promotionScaled} s)`
      : '');
  const limits = [
    'No client DNS cache and no accelerator edge: the front acts on its own checks at once (dns-ttl, checker aggregation and '
      + 'edge propagation are in the budget, not reproduced).',
    'The restarted cache has no persistence: contexts written before a cache restart are gone (a managed cache promotes a replica '
      + `with its data)${singleWriter ? '; the replica region then resynchronises from an empty primary' : ''}.`,
    ...(singleWriter ? [] : [
      'multi-writer: two independent redis-servers, writes local in each region. No CRDT replication locally: a write in one region '
        + 'is never seen in the other, so replication lag, last-writer-wins conflicts and the RPO of a lost region are not measured.',
    ]),
  ];

  const startedAt = new Date();
  const group = options.group ?? new ProcessGroup('mcp-ha-region-drill-');
  const loadClients: LoadClient[] = [];
  const watchers: StateWatcher[] = [];
  const writers: Client[] = [];
  let trigger: PromotionTrigger | undefined;
  let memorystore: FakeMemorystoreApi | undefined;
  let idp: OidcProvider | undefined;
  const tokens: string[] = [];
  const newToken = async (): Promise<string | undefined> => {
    if (!idp) return undefined;
    const t = (await idp.clientCredentials(DRILL_CLIENT, { resource: DRILL_RESOURCE, scope: DRILL_CLIENT.scope })).access_token;
    tokens.push(t);
    return t;
  };
  log(`region drill: tier ${tier}, ${plan.describe()}, routing ${routing}`);
  log(`scale: ${scaleText}`);
  log(`processes and logs: ${group.dir}`);

  try {
    // 1. Caches: region B's a replica of region A's (single-writer), or independent.
    // The bundle, the OpenID Provider and the writer's cache start together.
    const [bundle, provider, redisA] = await Promise.all([
      sharedBundle(),
      options.authorization ? (options.identityProvider ?? startDrillIdentityProvider()) : undefined,
      startRedis(group, { name: `redis-${regionNames[0]}` }),
    ]);
    idp = provider;
    if (idp) log(`authorization: issuer ${idp.issuer}, resource ${DRILL_RESOURCE}`);
    const regions: Region[] = [];
    const redisStartT0 = Date.now();
    const redisB = await startRedis(group, { name: `redis-${regionNames[1]}`, ...(singleWriter ? { replicaOf: redisA.port } : {}) });
    const redisStartMs = Date.now() - redisStartT0;
    const cache = new LocalReplicatedCache('mcp-ha-drill', [
      { region: regionNames[0], port: redisA.port, role: 'PRIMARY' },
      { region: regionNames[1], port: redisB.port, role: singleWriter ? 'SECONDARY' : 'PRIMARY' },
    ]);
    // A cache (re)started in a region: a replica of the current writer, unless it is the writer (single-writer).
    const replicaOfFor = (r: Region): { replicaOf?: number } => {
      if (!singleWriter || cache.writerRegion === r.name) return {};
      return { replicaOf: cache.member(cache.writerRegion).port };
    };

    // 2. Each region: its replicas (the plan's environment) and its HAProxy (the tier's probe, scaled).
    for (const [index, name] of regionNames.entries()) {
      const redis = index === 0 ? redisA : redisB;
      const replicas: ServerReplica[] = [];
      for (let i = 1; i <= nReplicas; i++) {
        const port = await freePort();
        const rname = `${name}-r${i}`;
        replicas.push({ name: rname, port, proc: spawnServer(group, bundle, rname, port, redis.url, name) });
      }
      const lbPort = await freePort();
      const statsSocket = join(group.dir, `haproxy-${name}.sock`);
      const cfgFile = join(group.dir, `haproxy-${name}.cfg`);
      writeFileSync(cfgFile, renderHaproxyConfig({
        probe, timeouts: profile.timeouts, bindPort: lbPort, statsSocket, timeScale: probeScale, minCheckTimeoutMs: CHECK_TIMEOUT_FLOOR_MS,
        source: `region ${name}, tier ${tier}, probe x ${round3(probeScale)}`,
        servers: replicas.map((r) => ({ name: r.name, host: LOOPBACK, port: r.port })),
      }));
      checkConfig(haproxyBin, cfgFile);
      const haproxy = group.spawn(`haproxy-${name}`, haproxyBin, ['-f', cfgFile, '-db']);
      const w = new StateWatcher(statsSocket, BACKEND_NAME);
      watchers.push(w);
      await startWatcher(w, haproxy);
      const writer = newClient();
      writers.push(writer);
      regions.push({ name, index, redis, replicas, lbPort, haproxy, lost: false, cacheLost: false, writer });
    }
    // 3. The front, routing between the regions' load balancers: started now, so its rise checks
    // run while the replicas come up (it marks a region UP once that region's load balancer answers).
    const frontPort = await freePort();
    const frontSocket = join(group.dir, 'haproxy-front.sock');
    const frontCfg = join(group.dir, 'haproxy-front.cfg');
    writeFileSync(frontCfg, renderFrontConfig({
      check: front, regions: regions.map((r) => ({ name: r.name, port: r.lbPort })), bindPort: frontPort, statsSocket: frontSocket, timeouts: profile.timeouts,
    }));
    checkConfig(haproxyBin, frontCfg);
    const frontProc = group.spawn('haproxy-front', haproxyBin, ['-f', frontCfg, '-db']);
    const fw = new StateWatcher(frontSocket, FRONT_BACKEND, 50);
    watchers.push(fw);
    await startWatcher(fw, frontProc);

    const setupT0 = Date.now();
    const since = (): string => `${round2((Date.now() - startedAt.getTime()) / 1000)} s`;
    log(`setup: processes spawned at ${since()}`);
    await Promise.all(regions.flatMap((r) => r.replicas.map((s) => waitReady(s))));
    log(`setup: every replica ready at ${since()} (${Date.now() - setupT0} ms after spawning)`);
    if (singleWriter) {
      await waitFor('the replica region in sync', async () => /master_link_status:up/.test(String(
        await redisCommand(redisB.port, ['INFO', 'replication']),
      )), 10_000, 100);
    }
    await Promise.all(regions.map((r, i) => waitFor(`every replica of ${r.name} UP`, () => r.replicas.every((s) => watchers[i].state(s.name) === 'UP'), 20_000, 50)));
    log(`setup: every replica UP in its region at ${since()}`);
    await waitFor('every region UP at the front', () => regions.every((r) => fw.state(r.name) === 'UP'), 20_000, 50);
    log(`setup: every region UP at the front at ${since()}`);
    const frontUrl = `http://${LOOPBACK}:${frontPort}/mcp`;
    log(`regions: ${regions.map((r) => `${r.name} (lb ${r.lbPort}, redis ${r.redis.port})`).join(', ')}; front ${frontPort}`);

    // 4. The promotion trigger (single-writer): the writer region's health, once per alarm period.
    const healthUrl = (r: Region): string => `http://${LOOPBACK}:${r.lbPort}${probe.path}`;
    const byName = (name: string): Region => regions.find((r) => r.name === name) as Region;
    if (singleWriter && google) {
      // Google: the Memorystore API on loopback, and the function's HTTP client (its service account's
      // token, JSON), pointed at it instead of memorystore.googleapis.com.
      memorystore = new FakeMemorystoreApi({
        cache, project: 'mcp-drill', token: MEMORYSTORE_DRILL_TOKEN,
        instances: Object.fromEntries(regionNames.map((r) => [r, `mcp-drill-cache-${r}`])),
        isLost: (region) => byName(region).lost,
      });
      await memorystore.start();
      log(`Memorystore API (loopback): ${memorystore.baseUrl}`);
    }
    if (singleWriter) {
      trigger = new PromotionTrigger({
        periodMs: alarmPeriodMs, evaluationPeriods, maxRunMs: 15 * 60 * 1000, log,
        breaching: async () => (await httpStatus(healthUrl(byName(cache.writerRegion)), Math.max(200, front.timeoutMs))) !== 200,
        promote: () => {
          const failed = byName(cache.writerRegion);
          if (memorystore) return googlePromotion(memorystore, failed, regions.filter((r) => r !== failed), healthUrl);
          return promote({
            globalReplicationGroupId: cache.id,
            failedRegion: failed.name,
            failedRegionHealthUrl: healthUrl(failed),
            candidates: regions.filter((r) => r !== failed).map((r) => ({ region: r.name, replicationGroupId: cache.replicationGroupId(r.name), healthUrl: healthUrl(r) })),
            healthTimeoutMs: Math.max(200, front.timeoutMs),
            recheckAttempts: 3,
            recheckIntervalMs: Math.max(50, Math.round(2000 * probeScale)),
            completionTimeoutMs: 10_000,
            completionPollMs: 50,
          }, cache, (url, init) => fetch(url, init));
        },
      });
      trigger.start();
    }

    // 5. Load through the front, and one writer client per region (direct to its load balancer).
    for (let i = 1; i <= nClients; i++) {
      loadClients.push(new LoadClient(i, i % 2 === 1 ? 'modern' : 'legacy', {
        url: frontUrl, intervalMs: callIntervalMs, slowEvery: 8, slowMs, callTimeoutMs: CALL_TIMEOUT_MS,
        maxCalls: 10_000, maxDurationMs: 15 * 60 * 1000, bearerToken: await newToken(),
      }));
    }
    await Promise.all(loadClients.map((c) => c.start()));
    await Promise.all(regions.map(async (r) => {
      const token = await newToken();
      await r.writer.connect(new StreamableHTTPClientTransport(new URL(`http://${LOOPBACK}:${r.lbPort}/mcp`),
        token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : undefined), { timeout: 5000 });
    }));
    const tokensBeforeFaults = tokens.length;
    await sleep(1000);
    const allRecords = (): CallRecord[] => loadClients.flatMap((c) => c.records);

    let writeSeq = 0;
    const writeCheck = async (): Promise<Record<string, WriteOutcome>> => {
      // In region order, whatever order the answers come in.
      const out: Record<string, WriteOutcome> = Object.fromEntries(regions.map((r) => [r.name, 'region down' as WriteOutcome]));
      await Promise.all(regions.map(async (r) => {
        if (r.lost) {
          out[r.name] = 'region down';
          return;
        }
        try {
          const res = await r.writer.callTool(
            { name: 'context_lookup', arguments: { handle: `drill-writes-${r.name}`, key: 'k', action: 'set', value: `w${++writeSeq}` } },
            { timeout: 3000 },
          );
          const text = (res.content as { text?: string }[] | undefined)?.[0]?.text ?? '';
          out[r.name] = !res.isError ? 'ok' : READ_ONLY.test(text) ? 'read-only' : `failed: ${text.slice(0, 80)}`;
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          out[r.name] = /ECONNREFUSED|fetch failed/.test(msg) ? 'region down' : `failed: ${classify(msg)}`;
        }
      }));
      return out;
    };
    const expectedWrites = (writes: Record<string, WriteOutcome>): boolean => regions.every((r) => {
      if (fw.state(r.name) !== 'UP') return true; // not serving: nothing to expect
      const expected: WriteOutcome = !singleWriter || r.name === cache.writerRegion ? 'ok' : 'read-only';
      return writes[r.name] === expected;
    });

    // 6. Faults.
    const results: RegionFaultResult[] = [];
    let lastCacheLost: Region | undefined;
    for (const fault of faults) {
      const windowStart = Date.now();
      const writerBefore = singleWriter ? cache.writerRegion : regionNames[0];
      const writesBefore = await writeCheck();
      const notes: string[] = [];
      const target = fault === RegionFault.FAILBACK ? (lastCacheLost as Region) : byName(writerBefore);
      const shouldMove = fault === RegionFault.PRIMARY_CACHE_LOST || fault === RegionFault.REGION_LOST;
      const shouldPromote = singleWriter && shouldMove;
      let t0 = Date.now();
      let detectionBudget: number | undefined;
      let promotionBudget: number | undefined;
      let outageSeconds: number | undefined;
      let recoverySeconds: number | undefined;
      let naiveAlarmSeconds: number | undefined;

      if (fault === RegionFault.CACHE_FAILOVER) {
        // The in-region failover time core assumes (ElastiCache Multi-AZ), scaled: shorter than the grace period.
        const outageMs = Math.round(cacheFailoverSeconds * probeScale * 1000);
        log(`${fault}: ${target.name}'s cache down for ${outageMs} ms (in-region failover ${cacheFailoverSeconds} s, scaled; grace ${graceScaled} s)`);
        t0 = Date.now();
        // The node dies (SIGKILL); its replacement is started ahead of the outage's end by what a
        // redis-server start takes here, so the measured outage (until it answers PING) is the
        // failover time, not that plus a process start on a loaded machine.
        const allowanceMs = Math.min(outageMs / 4, Math.max(REDIS_START_ALLOWANCE_MS, Math.round(1.5 * redisStartMs)));
        group.signal(target.redis.process, 'SIGKILL');
        await target.redis.process.exited;
        await sleep(Math.max(0, outageMs - allowanceMs - (Date.now() - t0)));
        target.redis = await startRedis(group, { port: target.redis.port, name: `redis-${target.name}-failover`, ...replicaOfFor(target) });
        outageSeconds = round2((Date.now() - t0) / 1000);
        // Long enough that a wrongful move would show: grace, then the region check.
        await sleep(Math.max(0, (graceScaled + servingScaled + DETECTION_TOLERANCE_SECONDS) * 1000 - (Date.now() - t0)));
        notes.push(`cache down ${outageSeconds} s (within the ${graceScaled} s grace)`);
      } else if (fault === RegionFault.PROBE_SILENT) {
        if (!trigger) {
          notes.push('multi-writer: no promotion trigger to silence');
        } else {
          const silentMs = (evaluationPeriods + 1) * alarmPeriodMs;
          log(`${fault}: the promotion trigger's probe reports nothing for ${silentMs} ms (${evaluationPeriods} periods make an alarm)`);
          t0 = Date.now();
          trigger.silence(t0 + silentMs);
          await sleep(silentMs + alarmPeriodMs);
          const naive = trigger.firstEvent('naive-alarm', t0);
          naiveAlarmSeconds = naive ? round2((naive.atMs - t0) / 1000) : undefined;
          notes.push(`probe silent ${round2(silentMs / 1000)} s; alarm state ${trigger.alarmState}; `
            + `missing-as-breaching alarm would have fired after ${naiveAlarmSeconds ?? 'never'} s`);
        }
      } else if (fault === RegionFault.PRIMARY_CACHE_LOST) {
        log(`${fault}: ${target.name}'s cache killed for good`);
        t0 = Date.now();
        group.signal(target.redis.process, 'SIGKILL');
        target.cacheLost = true;
        lastCacheLost = target;
        detectionBudget = round2(graceScaled + servingScaled + DETECTION_TOLERANCE_SECONDS);
        if (promotionScaled !== undefined) promotionBudget = round2(graceScaled + promotionScaled + DETECTION_TOLERANCE_SECONDS);
      } else if (fault === RegionFault.FAILBACK) {
        if (!target) throw new Error('failback: no region lost its cache before');
        log(`${fault}: ${target.name} gets its cache back${singleWriter ? `, as a replica of ${cache.writerRegion}` : ''}`);
        t0 = Date.now();
        const m = cache.member(target.name);
        target.redis = await startRedis(group, { port: target.redis.port, name: `redis-${target.name}-failback`, ...replicaOfFor(target) });
        m.port = target.redis.port;
        target.cacheLost = false;
        const up = await fw.waitFor(target.name, 'UP', t0, 30_000);
        recoverySeconds = up ? round2((up.atMs - t0) / 1000) : undefined;
        notes.push(`routed again after ${recoverySeconds ?? 'never'} s`);
      } else if (fault === RegionFault.REGION_LOST) {
        log(`${fault}: ${target.name} lost (load balancer, ${target.replicas.length} servers and cache SIGKILLed)`);
        t0 = Date.now();
        for (const p of [target.haproxy, ...target.replicas.map((r) => r.proc), target.redis.process]) group.signal(p, 'SIGKILL');
        target.lost = true;
        detectionBudget = round2(servingScaled + DETECTION_TOLERANCE_SECONDS);
        if (promotionScaled !== undefined) promotionBudget = round2(promotionScaled + DETECTION_TOLERANCE_SECONDS);
      }

      // Detection (faults that move a region) and promotion (single-writer).
      let detectionSeconds: number | undefined;
      if (shouldMove) {
        const down = await fw.waitFor(target.name, 'DOWN', t0, ((detectionBudget ?? 0) + 10) * 1000);
        detectionSeconds = down ? round2((down.atMs - t0) / 1000) : undefined;
        log(`  front marked ${target.name} DOWN after ${detectionSeconds ?? 'never'} s (budget ${detectionBudget} s)`);
      }
      let promotionSeconds: number | undefined;
      let promotedRegion: string | undefined;
      if (shouldPromote && trigger) {
        const deadline = Date.now() + ((promotionBudget ?? 0) + 15) * 1000;
        await waitFor('the promotion', () => trigger?.promotions(t0).length !== 0, Math.max(0, deadline - Date.now()), 50).catch(() => undefined);
        const done = cache.failovers.find((f) => f.atMs >= t0);
        if (done) {
          promotionSeconds = round2((done.doneAtMs - t0) / 1000);
          promotedRegion = done.region;
          trigger.reset();
        }
        log(`  promoted ${promotedRegion ?? 'nothing'} after ${promotionSeconds ?? 'never'} s (budget ${promotionBudget} s)`);
      }
      await sleep(settleMs);
      const writesAfter = await writeCheck();
      const endMs = Date.now();
      const decisions = (trigger?.events ?? []).filter((e) => e.atMs >= windowStart && (e.kind === 'decision' || e.kind === 'error'))
        .map((e) => (e.decision ? `${e.decision.action}: ${e.decision.reason}` : `error: ${e.detail}`));
      const promotions = cache.failovers.filter((f) => f.atMs >= windowStart && f.atMs < endMs).length;
      const transitions = fw.transitions.filter((t) => t.atMs >= windowStart && t.atMs < endMs);
      const moved = [...new Set(transitions.filter((t) => t.to === 'DOWN').map((t) => t.server))];
      const inWindow = allRecords().filter((r) => r.endMs >= windowStart && r.endMs < endMs);
      const refused = inWindow.filter((r) => !r.ok && READ_ONLY.test(r.error ?? ''));
      const failed = inWindow.filter((r) => !r.ok && !READ_ONLY.test(r.error ?? ''));
      const errors: Record<string, number> = {};
      for (const f of failed) errors[classify(f.error ?? '')] = (errors[classify(f.error ?? '')] ?? 0) + 1;
      // A client works when a call it started in the last KEPT_WORKING_MS succeeded or met the model's
      // clear read-only refusal (it reached a serving region).
      const tail = endMs - Math.max(settleMs, KEPT_WORKING_MS);
      const keptWorking = loadClients.filter((c) => c.records.some((r) => (r.ok || READ_ONLY.test(r.error ?? '')) && r.startMs >= tail && r.startMs < endMs)).length;
      const r: RegionFaultResult = {
        fault, target: target.name, startedAtMs: windowStart, endedAtMs: endMs,
        detectionSeconds, detectionBudgetSeconds: detectionBudget,
        detectionWithinBudget: shouldMove ? detectionSeconds !== undefined && detectionSeconds <= (detectionBudget as number) : undefined,
        shouldMove, moved, movedWrongly: !shouldMove && fault !== RegionFault.FAILBACK && moved.length > 0,
        shouldPromote, promotions, promotedRegion, promotionSeconds, promotionBudgetSeconds: promotionBudget,
        promotionWithinBudget: shouldPromote ? promotionSeconds !== undefined && promotionSeconds <= (promotionBudget as number) : undefined,
        decisions, naiveAlarmSeconds, outageSeconds, recoverySeconds,
        writesBefore, writesAfter, writesAsExpected: expectedWrites(writesAfter),
        writerAfter: singleWriter ? cache.writerRegion : undefined,
        calls: inWindow.length, failedCalls: failed.length, refusedWrites: refused.length,
        clientsKeptWorking: keptWorking, clients: nClients, errors, transitions, notes,
      };
      results.push(r);
      log(`  ${fault}: moved ${moved.join(', ') || 'nothing'}; promotions ${promotions}; writes after ${fmtWrites(writesAfter)}; `
        + `${r.failedCalls}/${r.calls} calls failed, ${r.refusedWrites} writes refused read-only`);
    }

    await Promise.all(loadClients.map((c) => c.stop()));
    const records = allRecords();
    const byReplica: Record<string, number> = {};
    for (const x of records) if (x.replica) byReplica[x.replica] = (byReplica[x.replica] ?? 0) + 1;
    return {
      startedAt: startedAt.toISOString(), cloud, tier, writeModel: model, regions: regionNames, writePlan: plan.describe(), routing,
      scale: { probe: probeScale, ladder: ladderScale, text: scaleText },
      budget: {
        serving: budget.describe(), servingSeconds: budget.totalSeconds, cacheRecoverySeconds: recoverySeconds,
        graceSeconds: policy.cacheGraceSeconds, scaledServingSeconds: servingScaled, scaledGraceSeconds: graceScaled,
        scaledPromotionSeconds: promotionScaled,
      },
      front,
      ...(singleWriter ? { alarm: { periodMs: alarmPeriodMs, evaluationPeriods, treatMissingData: 'notBreaching' as const } } : {}),
      ...(recoveryTerms ? { recoveryTerms: recoveryTerms.map((t) => ({ name: t.name, seconds: t.seconds })) } : {}),
      ...(memorystore ? {
        memorystore: {
          switchovers: memorystore.switchovers.length, requests: memorystore.requests.length,
          refused: memorystore.refused.map((r) => `${r.method} ${r.path}: ${r.refused}`),
        },
      } : {}),
      toleranceSeconds: DETECTION_TOLERANCE_SECONDS,
      faults: results,
      limits,
      totals: {
        calls: records.length,
        failedCalls: records.filter((x) => !x.ok && !READ_ONLY.test(x.error ?? '')).length,
        refusedWrites: records.filter((x) => !x.ok && READ_ONLY.test(x.error ?? '')).length,
        byReplica,
        durationSeconds: round2((Date.now() - startedAt.getTime()) / 1000),
      },
      logsDir: group.dir,
      ...(idp ? {
        authorization: {
          issuer: idp.issuer, resource: DRILL_RESOURCE, tokensIssued: tokens.length, tokensIssuedDuringFaults: tokens.length - tokensBeforeFaults,
          authRefusedCalls: records.filter((x) => !x.ok && /\b(401|403)\b|unauthori[sz]ed|invalid_token|insufficient_scope/i.test(x.error ?? '')).length,
        },
      } : {}),
    };
  } finally {
    trigger?.stop();
    await memorystore?.stop();
    for (const w of watchers) w.stop();
    await Promise.allSettled(loadClients.map((c) => c.stop()));
    await Promise.allSettled(writers.map((c) => c.close()));
    if (idp !== options.identityProvider) await idp?.stop();
    if (!options.group) await group.stopAll();
  }

  /**
   * The Google promotion function as Cloud Run runs it: the alert's Pub/Sub message (an incident
   * that opened) decoded by `notificationOf`, then `run` with the configuration McpCachePromotion
   * renders (members' full names, the writer region's own health URL, the candidates), probe and
   * recheck timings scaled like the probe. A blocked decision throws (Pub/Sub redelivers): the
   * trigger retries it each period, as redelivery would.
   */
  async function googlePromotion(api: FakeMemorystoreApi, failed: Region, others: Region[], healthUrl: (r: Region) => string): Promise<Decision> {
    const http = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      if (!url.startsWith(MEMORYSTORE_API)) throw new Error(`the function called ${url}, not the Memorystore API`);
      const res = await fetch(api.baseUrl + url.slice(MEMORYSTORE_API.length), {
        method,
        headers: { authorization: `Bearer ${MEMORYSTORE_DRILL_TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    };
    const members = api.members;
    const config = {
      globalReplicationGroupId: members[0],
      failedRegion: failed.name,
      failedRegionHealthUrl: healthUrl(failed),
      candidates: others.map((r) => ({ region: r.name, healthUrl: healthUrl(r), replicationGroupId: api.nameOf(r.name) })),
      healthTimeoutMs: Math.max(200, front.timeoutMs),
      recheckAttempts: 3,
      recheckIntervalMs: Math.max(50, Math.round(2000 * probeScale)),
      completionTimeoutMs: 10_000,
      completionPollMs: 50,
    };
    const event = { data: { message: { data: Buffer.from(JSON.stringify({ incident: { state: 'open', policy_name: 'writer region down' } })).toString('base64') } } };
    try {
      const out = await runGooglePromotion(notificationOf(event), config, new MemorystoreApi(http, members), (url, init) => fetch(url, init), () => undefined);
      if (out.action === 'idle') throw new Error(`the handler stayed idle on an opened incident: ${out.reason}`);
      return out;
    } catch (err) {
      if (err instanceof PromotionBlockedError) return err.decision;
      throw err;
    }
  }

  function spawnServer(g: ProcessGroup, bundle: string, name: string, port: number, redisUrl: string, region: string): Managed {
    return g.spawn(name, process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH,
        ...timeoutEnvironment(profile.timeouts),
        ...plan.environmentFor(region, graceScaled),
        HOST: LOOPBACK,
        MCP_PORT: String(port),
        REDIS_URL: redisUrl,
        REPLICA_ID: name,
        MCP_REDIS_RECONNECT_MAX_MS: String(reconnectCapMs(probeScale)),
        NODE_ENV: 'production',
        ...(idp ? { [McpAuthEnv.ISSUER]: idp.issuer, [McpAuthEnv.AUDIENCE]: DRILL_RESOURCE } : {}),
      },
    });
  }
}

/** The server's reconnect backoff cap (1 s), scaled like the probe it must stay inside. */
function reconnectCapMs(probeScale: number): number {
  return Math.max(20, Math.round(1000 * probeScale));
}

/** Sequences the drill can run: a lost writer cache needs a failback before the writer region is lost. */
export function checkSequence(faults: readonly RegionFault[]): void {
  let cacheLost = false;
  for (const f of faults) {
    if (f === RegionFault.PRIMARY_CACHE_LOST) {
      if (cacheLost) throw new Error('region drill: primary-cache-lost twice without a failback between');
      cacheLost = true;
    }
    if (f === RegionFault.FAILBACK) {
      if (!cacheLost) throw new Error('region drill: failback needs a primary-cache-lost before it');
      cacheLost = false;
    }
    if (f === RegionFault.REGION_LOST && cacheLost) throw new Error('region drill: region-lost after primary-cache-lost needs a failback first (no region would be left)');
  }
  const lost = faults.indexOf(RegionFault.REGION_LOST);
  if (lost !== -1 && lost !== faults.length - 1) throw new Error('region drill: region-lost must come last (the lost region does not come back)');
}

function newClient(): Client {
  return new Client({ name: 'drill-region-writer', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
}

function checkConfig(bin: string, file: string): void {
  const check = spawnSync(bin, ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejected ${file}:\n${check.stdout}${check.stderr}`);
}

async function startWatcher(w: StateWatcher, proc: Managed): Promise<void> {
  await waitFor(`haproxy stats socket (${proc.name})`, async () => {
    if (proc.hasExited) throw new Error(`${proc.name} exited; see ${proc.logFile}`);
    await w.start();
    return true;
  }, 10_000, 100);
}

async function waitReady(r: ServerReplica): Promise<void> {
  await waitFor(`replica ${r.name} ready`, async () => {
    if (r.proc.hasExited) throw new Error(`replica ${r.name} exited; see ${r.proc.logFile}`);
    return (await httpStatus(`http://${LOOPBACK}:${r.port}/health/ready`)) === 200;
  }, 20_000, 100);
}

function classify(message: string): string {
  if (message.startsWith('tool error')) return /context store unavailable/.test(message) ? 'tool error: cache unavailable' : 'tool error';
  const http = /HTTP (\d{3})/.exec(message) ?? /\b(50[0-9])\b/.exec(message);
  if (http) return `HTTP ${http[1]}`;
  if (/timed? ?out/i.test(message)) return 'timeout';
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket/i.test(message)) return 'connection';
  return message.slice(0, 60);
}

function fmtWrites(w: Readonly<Record<string, WriteOutcome>>): string {
  return Object.entries(w).map(([k, v]) => `${k} ${v}`).join(', ');
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Expectations every region drill must meet (run.ts exits 1 on any; the test asserts them one by one). */
export function regionViolations(result: RegionDrillResult): string[] {
  const out: string[] = [];
  for (const f of result.faults) {
    if (f.detectionWithinBudget === false) out.push(`${f.fault}: ${f.target} moved after ${f.detectionSeconds ?? 'never'} s, budget ${f.detectionBudgetSeconds} s`);
    if (f.movedWrongly) out.push(`${f.fault}: moved ${f.moved.join(', ')} although the fault should move no region`);
    if (f.promotionWithinBudget === false) out.push(`${f.fault}: promotion after ${f.promotionSeconds ?? 'never'} s, budget ${f.promotionBudgetSeconds} s`);
    if (!f.shouldPromote && f.promotions > 0) out.push(`${f.fault}: ${f.promotions} promotion(s) although none should happen`);
    if (!f.writesAsExpected) out.push(`${f.fault}: writes after the fault ${fmtWrites(f.writesAfter)} (writer ${f.writerAfter ?? 'every region'})`);
    if (f.clientsKeptWorking < f.clients) out.push(`${f.fault}: only ${f.clientsKeptWorking}/${f.clients} clients kept working`);
  }
  return out;
}

/** The table the region drill prints. */
export function formatRegionTable(result: RegionDrillResult): string {
  const rows: string[][] = [[
    'fault', 'region', 'detected (s)', 'budget (s)', 'moved', 'moved wrongly', 'promotion (s)', 'budget (s)',
    'failed/calls', 'refused (read-only)', 'writes before', 'writes after', 'notes',
  ]];
  for (const f of result.faults) {
    const errs = Object.entries(f.errors).map(([k, v]) => `${k} x${v}`).join(', ');
    rows.push([
      f.fault, f.target,
      f.detectionSeconds !== undefined ? String(f.detectionSeconds) : f.shouldMove ? 'never' : '-',
      f.detectionBudgetSeconds !== undefined ? String(f.detectionBudgetSeconds) : '-',
      f.moved.join(', ') || 'no',
      f.movedWrongly ? 'YES' : 'no',
      f.promotionSeconds !== undefined ? `${f.promotionSeconds} (${f.promotedRegion})` : f.shouldPromote ? 'never' : f.promotions > 0 ? `${f.promotions} (WRONG)` : '-',
      f.promotionBudgetSeconds !== undefined ? String(f.promotionBudgetSeconds) : '-',
      `${f.failedCalls}/${f.calls}`,
      String(f.refusedWrites),
      fmtWrites(f.writesBefore),
      fmtWrites(f.writesAfter) + (f.writesAsExpected ? '' : ' (NOT AS THE MODEL SAYS)'),
      [...f.notes, ...(errs ? [`errors: ${errs}`] : []), ...f.decisions.map((d) => `decision ${d.slice(0, 120)}`)].join('; '),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    `Region drill (${result.cloud}): tier ${result.tier}, ${result.writePlan}; routing ${result.routing}; core budget ${result.budget.serving}`,
    `Scale: ${result.scale.text}. Budgets below are core's figures x scale + ${result.toleranceSeconds} s observation tolerance.`,
    ...(result.alarm ? [`Promotion trigger: ${result.alarm.evaluationPeriods} periods of ${result.alarm.periodMs} ms, missing data ${result.alarm.treatMissingData}; `
      + (result.cloud === Cloud.GCP
        ? 'the Google promotion handler (lib/gcp/cache-promotion-handler run + MemorystoreApi) against the loopback Memorystore API'
        : 'promote() from lib/core/promotion.ts through the Redis adapter')] : []),
    ...(result.recoveryTerms ? [`Write recovery terms: ${result.recoveryTerms.map((t) => `${t.name} ${t.seconds} s`).join(' + ')}`] : []),
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    `Total: ${result.totals.failedCalls}/${result.totals.calls} calls failed, ${result.totals.refusedWrites} writes refused read-only, in ${result.totals.durationSeconds} s`,
    ...result.limits.map((l) => `Not reproduced: ${l}`),
  ].join('\n');
}

export { PromotionAction };
export type { Decision };
