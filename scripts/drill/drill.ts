/**
 * The local failover drill: a real redis-server, three replicas of the bundled
 * reference server and a real HAProxy whose probe comes from core's tier, all on
 * 127.0.0.1; MCP clients on the real SDK calling tools through HAProxy; then
 * faults in sequence, each measured against the figure core computes.
 *
 * Every wait is bounded; every process started is stopped by pid in `finally`
 * (and SIGKILLed by the exit hook in processes.ts if the drill itself dies).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cloud, FailoverBudget, Topology, computeFailoverBudget } from '../../lib/core/failover-budget';
import { timeoutEnvironment } from '../../lib/core/server-source';
import { AvailabilityTier, RoutingMechanism, TierProfile, resolveTier } from '../../lib/core/tiers';
import type { TimeoutChain, TimeoutChainOptions } from '../../lib/core/timeouts';
import { sharedBundle } from './bundle';
import { CallRecord, Era, LoadClient } from './clients';
import { BACKEND_NAME, CheckCadence, HaproxySettings, haproxySettings, renderHaproxyConfig } from './haproxy-config';
import { BackendCounters, StateWatcher, Transition, parseBackendCounters, showStatRaw } from './haproxy-stats';
import {
  LOOPBACK, Managed, ProcessGroup, RedisHandle, freePort, httpStatus, requireBinary, sleep, startRedis, waitFor,
} from './processes';

export enum FaultKind {
  /** SIGKILL one replica: a crash. */
  SIGKILL = 'sigkill',
  /** SIGTERM another replica: a graceful stop (deploy, scale-in). */
  SIGTERM = 'sigterm',
  /**
   * SIGSTOP a replica: hung (a frozen event loop, a stuck VM). The process stays alive and the
   * kernel still accepts connections on its port, but nothing answers, so HAProxy's checks time
   * out (core's `lb-probe-timeout` term). SIGCONT once the calls stuck on it have ended.
   */
  HUNG = 'hung',
  /** Start the stopped replicas again on their ports. */
  RESTART_REPLICAS = 'restart-replicas',
  /** Stop redis-server and start it again on its port (no persistence: contexts are lost). */
  RESTART_REDIS = 'restart-redis',
}

export const FULL_DRILL: readonly FaultKind[] = [
  FaultKind.SIGKILL, FaultKind.SIGTERM, FaultKind.HUNG, FaultKind.RESTART_REPLICAS, FaultKind.RESTART_REDIS,
];
export const SHORT_DRILL: readonly FaultKind[] = [FaultKind.SIGKILL, FaultKind.SIGTERM];

/**
 * Added to core's detection figure before comparing: the drill polls HAProxy's
 * stats every 100 ms, and on a loaded 2-core machine HAProxy's check timers and
 * our poll can each run a few hundred ms late. It is not slack in the probe
 * arithmetic (with the fixed check cadence a refused connection is detected in at
 * most inter + (fall - 1) x (inter - timeout), 8 s, and a hung replica in at most
 * fall x inter + timeout, exactly the budget); it only absorbs observation delay.
 */
export const DETECTION_TOLERANCE_SECONDS = 1;

/** Client-side timeout of every SDK call (and connect) in the drill: a bounded backstop, see `localTimeouts`. */
export const CALL_TIMEOUT_MS = 15_000;

/**
 * The timeout chain of a local run. The tiers' chain is sized for two-minute tool calls
 * (mission-critical: longest call 120 s, origin read 150 s, idle 180 s, drain 130 s), so a
 * call stuck on a hung replica would wait 180 s for HAProxy's `timeout server`. The drill's
 * longest call is one `slow_echo` of `slowMs`, so it shortens every link by the same rule
 * and keeps the chain's order (core validates it): longest = slow_echo + 1 s, origin read =
 * longest + 1 s, idle = origin read + 1 s (HAProxy `timeout client`/`timeout server`),
 * keep-alive = idle - 3 s (at least 1 s), drain = longest + 1 s. For the default 1.5 s
 * slow_echo: 3 / 4 / 5 / 2 / 4 s; a stuck call gets HAProxy's 504 after 5 s, well inside
 * the 15 s client timeout. `timeouts: 'tier'` runs with the tier's chain instead (stuck calls
 * then end at the client timeout).
 */
export function localTimeouts(slowMs: number): Required<TimeoutChainOptions> {
  const longest = Math.ceil(slowMs / 1000) + 1;
  const originRead = longest + 1;
  const idle = originRead + 1;
  return {
    longestToolCallSeconds: longest,
    originReadTimeoutSeconds: originRead,
    idleTimeoutSeconds: idle,
    keepAliveSeconds: Math.max(1, idle - 3),
    drainSeconds: longest + 1,
  };
}

/** Replicas a sequence needs: two live ones at every replica fault (the hung one comes back). */
export function replicasNeeded(faults: readonly FaultKind[]): number {
  let out = 0;
  let need = 0;
  for (const f of faults) {
    if (f === FaultKind.SIGKILL || f === FaultKind.SIGTERM || f === FaultKind.HUNG) need = Math.max(need, out + 2);
    if (f === FaultKind.SIGKILL || f === FaultKind.SIGTERM) out++;
    if (f === FaultKind.RESTART_REPLICAS) out = 0;
  }
  return need;
}

export interface DrillOptions {
  /** @default AvailabilityTier.MISSION_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** Concurrent MCP clients (alternating 2026-07-28 and 2025-11-25). @default 6 */
  readonly clients?: number;
  /** @default - 3, or what the sequence needs (4 for FULL_DRILL: see `replicasNeeded`) */
  readonly replicas?: number;
  /** @default FULL_DRILL */
  readonly faults?: readonly FaultKind[];
  /** Pause between one client's calls. @default 200 */
  readonly callIntervalMs?: number;
  /** Every n-th call of a client is a slow_echo. @default 8 */
  readonly slowEvery?: number;
  /** @default 1500 */
  readonly slowMs?: number;
  /** Seconds of traffic after a fault has been detected, before the next fault. @default 4 */
  readonly settleSeconds?: number;
  /** Seconds Redis stays down during the Redis restart (a managed cache's failover takes seconds). @default 2 */
  readonly redisOutageSeconds?: number;
  /**
   * Wait a random part of one probe interval before each replica fault, so faults land
   * at different phases of HAProxy's check cycle (with the fixed cadence detection then ranges
   * over (fall - 1) x (inter - timeout) .. inter + (fall - 1) x (inter - timeout) for a refused
   * connection, and (fall - 1) x inter + timeout .. fall x inter + timeout for a hung replica)
   * instead of repeating one phase.
   * @default true
   */
  readonly randomPhase?: boolean;
  /**
   * `local`: the shortened chain of `localTimeouts` for the replicas and HAProxy (said in the
   * output). `tier`: the tier's own chain. @default 'local'
   */
  readonly timeouts?: 'local' | 'tier';
  /** HAProxy check scheduling (see haproxy-config.ts). @default 'fixed' */
  readonly checkCadence?: CheckCadence;
  /** Client-side timeout of every call. @default CALL_TIMEOUT_MS (15 s) */
  readonly callTimeoutMs?: number;
  /** Progress lines. @default - none */
  readonly log?: (line: string) => void;
  /** Processes go here (the caller may stop them on SIGINT). @default - a new group */
  readonly group?: ProcessGroup;
}

export interface FaultResult {
  readonly fault: FaultKind;
  /** The replica (or `redis`) the fault hit. */
  readonly target: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Seconds from the fault to HAProxy marking the replica DOWN (undefined: not observed). */
  readonly detectionSeconds?: number;
  /** Core's figure it is compared with (healthProbe.detectionSeconds), plus the tolerance. */
  readonly detectionBudgetSeconds?: number;
  readonly detectionWithinBudget?: boolean;
  /** Seconds from a restart (or SIGCONT) to HAProxy marking the replica UP again, per replica. */
  readonly recoverySeconds?: Record<string, number | null>;
  readonly recoveryBudgetSeconds?: number;
  /** Every replica UP again within recoveryBudgetSeconds. */
  readonly recoveryWithinBudget?: boolean;
  /** Hung replica: seconds between SIGSTOP and SIGCONT. */
  readonly hungSeconds?: number;
  /** Hung replica: failed calls that started before HAProxy marked it DOWN (sent to it, stuck there). */
  readonly stuckCalls?: number;
  /** Hung replica: failed calls that started after it was marked DOWN (expected 0). */
  readonly failedAfterDetection?: number;
  /** Hung replica: clients that had a call stuck on it. */
  readonly clientsHitByHang?: number;
  /**
   * Hung replica: tool calls it executed after SIGCONT although HAProxy had already given up on
   * them (its log marks them `aborted`): the requests waited in the kernel backlog and ran late.
   */
  readonly replayedAfterResume?: number;
  /** Calls started in this fault's window. */
  readonly calls: number;
  readonly failedCalls: number;
  /** Clients whose calls succeed again after the fault (at least one success in the last `settleSeconds`). */
  readonly clientsKeptWorking: number;
  /** Clients that saw no failure at all in the window. */
  readonly clientsUnaffected: number;
  readonly clients: number;
  /** Graceful stop: calls the stopping replica was running at SIGTERM that completed. */
  readonly drainedInFlight?: number;
  /** Graceful stop: the replica's exit code. */
  readonly exitCode?: number | null;
  /**
   * Redis restart: seconds Redis was down (stop to answering PING again), and seconds from
   * Redis answering again to every client's Redis-backed tool call succeeding again.
   */
  readonly redisDownSeconds?: number;
  readonly redisToolsRecoverySeconds?: number;
  /** Gets that did not return the value last set (expected after a Redis restart without persistence). */
  readonly lostContextReads?: number;
  readonly errors: Record<string, number>;
  /** Requests HAProxy re-sent to another replica after a refused connection (delta of the backend's wredis). */
  readonly redispatched: number;
  readonly transitions: readonly Transition[];
}

export interface DrillResult {
  readonly startedAt: string;
  readonly tier: AvailabilityTier;
  readonly probe: {
    readonly intervalSeconds: number; readonly timeoutSeconds: number; readonly unhealthyThreshold: number;
    readonly healthyThreshold: number; readonly path: string; readonly detectionSeconds: number; readonly recoverySeconds: number;
  };
  readonly budget: { readonly description: string; readonly totalSeconds: number; readonly targetSeconds: number; readonly terms: readonly { name: string; seconds: number }[] };
  readonly haproxy: HaproxySettings & { readonly version: string; readonly checkCadence: CheckCadence };
  /** The chain the replicas and HAProxy ran with, and the tier's own. */
  readonly timeouts: { readonly source: 'local' | 'tier'; readonly chain: Required<TimeoutChainOptions>; readonly tierChain: Required<TimeoutChainOptions> };
  readonly toleranceSeconds: number;
  readonly options: {
    clients: number; replicas: number; callIntervalMs: number; callTimeoutMs: number; slowEvery: number; slowMs: number;
    redisOutageSeconds: number; faults: readonly FaultKind[];
  };
  readonly faults: readonly FaultResult[];
  readonly totals: { readonly calls: number; readonly failedCalls: number; readonly byReplica: Record<string, number>; readonly durationSeconds: number };
  /** Every failed call (at most 200), with the fault window it fell in. */
  readonly failures: readonly (CallRecord & { readonly window: string })[];
  readonly logsDir: string;
}

interface Replica {
  readonly name: string;
  readonly port: number;
  proc: Managed;
}

export async function runDrill(options: DrillOptions = {}): Promise<DrillResult> {
  const tier = options.tier ?? AvailabilityTier.MISSION_CRITICAL;
  const nClients = options.clients ?? 6;
  const faults = options.faults ?? FULL_DRILL;
  const nReplicas = options.replicas ?? Math.max(3, replicasNeeded(faults));
  const callIntervalMs = options.callIntervalMs ?? 200;
  const slowEvery = options.slowEvery ?? 8;
  const slowMs = options.slowMs ?? 1500;
  const callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
  const timeoutSource = options.timeouts ?? 'local';
  const cadence: CheckCadence = options.checkCadence ?? 'fixed';
  const settleMs = (options.settleSeconds ?? 4) * 1000;
  const redisOutageMs = (options.redisOutageSeconds ?? 2) * 1000;
  const log = options.log ?? (() => undefined);
  if (nReplicas < replicasNeeded(faults)) {
    throw new Error(`runDrill: ${faults.join(', ')} needs at least ${replicasNeeded(faults)} replicas (two live ones at every replica fault)`);
  }

  const haproxyBin = requireBinary('haproxy');
  requireBinary('redis-server');
  const tierProfile: TierProfile = resolveTier(tier);
  // The local chain goes through core's resolution, so core validates its order.
  const profile: TierProfile = timeoutSource === 'local' ? resolveTier(tier, { timeouts: localTimeouts(slowMs) }) : tierProfile;
  const probe = profile.healthProbe;
  if (profile.timeouts.longestToolCallSeconds * 1000 <= slowMs) throw new Error(`runDrill: slowMs ${slowMs} is not below the chain's longest tool call`);
  const budget: FailoverBudget = computeFailoverBudget({
    cloud: Cloud.AWS, topology: Topology.ACTIVE_ACTIVE, routing: RoutingMechanism.LOAD_BALANCER, probe, targets: profile.targets,
  });
  const detectionBudget = probe.detectionSeconds + DETECTION_TOLERANCE_SECONDS;
  const startedAt = new Date();
  const group = options.group ?? new ProcessGroup();
  const loadClients: LoadClient[] = [];
  let watcher: StateWatcher | undefined;
  log(`tier ${tier}: probe ${probe.unhealthyThreshold} x ${probe.intervalSeconds} s + ${probe.timeoutSeconds} s = ${probe.detectionSeconds} s; budget ${budget.describe()}`);
  log(`timeout chain: ${timeoutSource === 'local'
    ? `LOCAL, shortened for this run (${chainText(profile.timeouts)}; tier's: ${chainText(tierProfile.timeouts)})`
    : `the tier's (${chainText(profile.timeouts)})`}; client timeout ${callTimeoutMs / 1000} s; HAProxy check cadence ${cadence}`);
  log(`processes and logs: ${group.dir}`);

  try {
    // 1. Bundle the server, start Redis and the replicas.
    const bundle = await sharedBundle();
    const redis: RedisHandle = await startRedis(group);
    let currentRedis = redis;
    const replicas: Replica[] = [];
    for (let i = 1; i <= nReplicas; i++) {
      const name = `r${i}`;
      const port = await freePort();
      replicas.push({ name, port, proc: spawnReplica(group, bundle, name, port, redis.url, profile) });
    }
    await Promise.all(replicas.map((r) => waitReady(r)));
    log(`redis on ${redis.port}; replicas ${replicas.map((r) => `${r.name}:${r.port}`).join(', ')}`);

    // 2. HAProxy, rendered from the tier.
    const lbPort = await freePort();
    const statsSocket = join(group.dir, 'haproxy.sock');
    const cfgFile = join(group.dir, 'haproxy.cfg');
    writeFileSync(cfgFile, renderHaproxyConfig({
      probe, timeouts: profile.timeouts, bindPort: lbPort, statsSocket, checkCadence: cadence,
      source: `tier ${tier}${timeoutSource === 'local' ? ', local timeout chain' : ''}`,
      servers: replicas.map((r) => ({ name: r.name, host: LOOPBACK, port: r.port })),
    }));
    const check = spawnSync(haproxyBin, ['-c', '-f', cfgFile], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`haproxy rejected the rendered configuration ${cfgFile}:\n${check.stdout}${check.stderr}`);
    const versionLine = spawnSync(haproxyBin, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
    const version = /HAProxy version (\S+)/.exec(versionLine)?.[1] ?? versionLine.trim();
    const haproxy = group.spawn('haproxy', haproxyBin, ['-f', cfgFile, '-db']);
    watcher = new StateWatcher(statsSocket, BACKEND_NAME);
    const w = watcher;
    await waitFor('haproxy stats socket', async () => {
      if (haproxy.hasExited) throw new Error(`haproxy exited; see ${haproxy.logFile}`);
      await w.start();
      return true;
    }, 10_000, 100);
    await waitFor('every replica UP in HAProxy', () => replicas.every((r) => w.state(r.name) === 'UP'), 30_000, 100);
    const lbUrl = `http://${LOOPBACK}:${lbPort}/mcp`;
    log(`haproxy ${version} on ${lbPort}; all replicas UP`);

    // 3. Clients, alternating protocol revisions.
    const maxDurationMs = 10 * 60 * 1000;
    for (let i = 1; i <= nClients; i++) {
      const era: Era = i % 2 === 1 ? 'modern' : 'legacy';
      loadClients.push(new LoadClient(i, era, {
        url: lbUrl, intervalMs: callIntervalMs, slowEvery, slowMs, callTimeoutMs,
        maxCalls: Math.ceil(maxDurationMs / callIntervalMs), maxDurationMs,
      }));
    }
    await Promise.all(loadClients.map((c) => c.start()));
    await sleep(Math.max(2000, settleMs / 2));
    const allRecords = (): CallRecord[] => loadClients.flatMap((c) => c.records);
    log(`${nClients} clients warmed up: ${allRecords().filter((r) => r.ok).length} calls ok, ${allRecords().filter((r) => !r.ok).length} failed`);

    // 4. Faults, in sequence.
    const results: FaultResult[] = [];
    const stopped: Replica[] = [];
    const live = (): Replica[] => replicas.filter((r) => !stopped.includes(r));
    const counters = async (): Promise<BackendCounters> => parseBackendCounters(await showStatRaw(statsSocket).catch(() => ''), BACKEND_NAME);
    let before = await counters();
    const windowResult = async (fault: FaultKind, target: string, startMs: number, endMs: number, extra: Partial<FaultResult>): Promise<FaultResult> => {
      const after = await counters();
      const redispatched = after.redispatches - before.redispatches;
      before = after;
      // A call counts where its outcome became known: a call in flight when a replica
      // was killed fails after the fault, and belongs to that fault.
      const inWindow = allRecords().filter((r) => r.endMs >= startMs && r.endMs < endMs);
      const failed = inWindow.filter((r) => !r.ok);
      const errors: Record<string, number> = {};
      for (const f of failed) {
        const key = classifyError(f.error ?? '');
        errors[key] = (errors[key] ?? 0) + 1;
      }
      const tail = endMs - settleMs;
      const keptWorking = loadClients.filter((c) => c.records.some((r) => r.ok && r.startMs >= tail && r.startMs < endMs)).length;
      const unaffected = loadClients.filter((c) => !c.records.some((r) => !r.ok && r.endMs >= startMs && r.endMs < endMs)).length;
      return {
        fault, target, startedAtMs: startMs, endedAtMs: endMs, calls: inWindow.length, failedCalls: failed.length,
        clientsKeptWorking: keptWorking, clientsUnaffected: unaffected, clients: nClients, errors, redispatched,
        transitions: w.transitions.filter((t) => t.atMs >= startMs && t.atMs < endMs),
        ...extra,
      };
    };
    const detection = async (replica: Replica, t0: number): Promise<Partial<FaultResult> & { downAtMs?: number }> => {
      const down = await w.waitFor(replica.name, 'DOWN', t0, (probe.detectionSeconds + 10) * 1000);
      const seconds = down ? round((down.atMs - t0) / 1000) : undefined;
      return {
        detectionSeconds: seconds,
        detectionBudgetSeconds: detectionBudget,
        detectionWithinBudget: seconds !== undefined && seconds <= detectionBudget,
        downAtMs: down?.atMs,
      };
    };

    for (const fault of faults) {
      const windowStart = Date.now();
      let t0 = windowStart;
      if (fault === FaultKind.SIGKILL || fault === FaultKind.SIGTERM) {
        const victim = live()[0];
        if (!victim || live().length < 2) throw new Error(`${fault}: needs two live replicas`);
        if (options.randomPhase ?? true) await sleep(Math.random() * probe.intervalSeconds * 1000);
        if (fault === FaultKind.SIGTERM) {
          // Stop it while it is serving (a slow call, ideally), so the drain has work to finish.
          await waitFor(`a request in flight on ${victim.name}`, () => w.sessions(victim.name) > 0, 5000, 20).catch(() => undefined);
        }
        log(`${fault} ${victim.name} (pid ${victim.proc.pid})`);
        t0 = Date.now();
        group.signal(victim.proc, fault === FaultKind.SIGKILL ? 'SIGKILL' : 'SIGTERM');
        stopped.push(victim);
        const { downAtMs: _down, ...det } = await detection(victim, t0);
        const exit = await within(victim.proc.exited, (profile.timeouts.drainSeconds + 5) * 1000);
        await sleep(settleMs);
        const extra: Partial<FaultResult> = { ...det };
        if (fault === FaultKind.SIGTERM) {
          const completed = allRecords().filter((r) => r.ok && r.replica === victim.name && r.startMs < t0 && r.endMs >= t0).length;
          Object.assign(extra, { drainedInFlight: completed, exitCode: exit?.code ?? null });
        }
        const r = await windowResult(fault, victim.name, windowStart, Date.now(), extra);
        results.push(r);
        log(`  DOWN after ${r.detectionSeconds ?? 'never'} s (budget ${detectionBudget} s); ${r.failedCalls}/${r.calls} calls failed`);
      } else if (fault === FaultKind.HUNG) {
        const victim = live()[0];
        if (!victim || live().length < 2) throw new Error(`${fault}: needs two live replicas`);
        if (options.randomPhase ?? true) await sleep(Math.random() * probe.intervalSeconds * 1000);
        log(`hung: SIGSTOP ${victim.name} (pid ${victim.proc.pid}); its port keeps accepting in the kernel backlog`);
        t0 = Date.now();
        group.suspend(victim.proc);
        let resumedAt: number | undefined;
        let det: Partial<FaultResult> & { downAtMs?: number };
        try {
          det = await detection(victim, t0);
          // Calls HAProxy sent there before DOWN hang until HAProxy's `timeout server` (504) or
          // the client timeout; wait for them (bounded by the client timeout) so they end in
          // this window, then continue the replica.
          const downAt = det.downAtMs ?? Date.now();
          await waitFor('calls stuck on the hung replica to end',
            () => loadClients.every((c) => c.inFlightSinceMs === undefined || c.inFlightSinceMs >= downAt), callTimeoutMs + 2000, 50)
            .catch(() => undefined);
        } finally {
          resumedAt = Date.now();
          group.resume(victim.proc);
        }
        log(`  DOWN after ${det.detectionSeconds ?? 'never'} s (budget ${detectionBudget} s); SIGCONT ${victim.name} after ${round((resumedAt - t0) / 1000)} s`);
        const up = await w.waitFor(victim.name, 'UP', resumedAt, (probe.recoverySeconds + probe.intervalSeconds + 10) * 1000);
        const upSeconds = up ? round((up.atMs - resumedAt) / 1000) : null;
        // Already answering when continued: at most `rise` checks, one interval apart.
        const recoveryBudget = probe.recoverySeconds + DETECTION_TOLERANCE_SECONDS;
        await sleep(settleMs);
        const endMs = Date.now();
        const downAt = det.downAtMs ?? endMs;
        const failed = allRecords().filter((r) => !r.ok && r.endMs >= windowStart && r.endMs < endMs);
        const stuck = failed.filter((r) => r.startMs < downAt);
        const { downAtMs: _d, ...detFields } = det;
        const r = await windowResult(fault, victim.name, windowStart, endMs, {
          ...detFields,
          hungSeconds: round((resumedAt - t0) / 1000),
          stuckCalls: stuck.length,
          failedAfterDetection: failed.length - stuck.length,
          clientsHitByHang: new Set(stuck.map((x) => x.client)).size,
          recoverySeconds: { [victim.name]: upSeconds },
          recoveryBudgetSeconds: recoveryBudget,
          recoveryWithinBudget: upSeconds !== null && upSeconds <= recoveryBudget,
          lostContextReads: allRecords().filter((x) => x.mismatch && x.endMs >= windowStart && x.endMs < endMs).length,
          replayedAfterResume: countReplayed(victim.proc.logFile, resumedAt),
        });
        results.push(r);
        log(`  UP again ${upSeconds ?? 'never'} s after SIGCONT (budget ${recoveryBudget} s); ${r.failedCalls}/${r.calls} calls failed, ${r.stuckCalls} stuck on ${victim.name}`);
      } else if (fault === FaultKind.RESTART_REPLICAS) {
        const restarting = [...stopped];
        for (const r of restarting) r.proc = spawnReplica(group, bundle, r.name, r.port, currentRedis.url, profile);
        log(`restart ${restarting.map((r) => r.name).join(', ') || '(none stopped)'}`);
        const recovery: Record<string, number | null> = {};
        for (const r of restarting) {
          const up = await w.waitFor(r.name, 'UP', t0, (probe.recoverySeconds + probe.intervalSeconds + 20) * 1000);
          recovery[r.name] = up ? round((up.atMs - t0) / 1000) : null;
        }
        stopped.length = 0;
        await sleep(settleMs);
        const r = await windowResult(fault, restarting.map((x) => x.name).join('+'), t0, Date.now(), {
          recoverySeconds: recovery,
          // From process start: up to one interval to the first probe, then `rise` passing probes.
          recoveryBudgetSeconds: probe.recoverySeconds + probe.intervalSeconds + DETECTION_TOLERANCE_SECONDS,
        });
        results.push(r);
        log(`  UP again after ${JSON.stringify(recovery)} s; ${r.failedCalls}/${r.calls} calls failed`);
      } else if (fault === FaultKind.RESTART_REDIS) {
        log(`restart redis (pid ${currentRedis.process.pid})`);
        await group.stop(currentRedis.process, 5000);
        await sleep(redisOutageMs);
        currentRedis = await startRedis(group, { port: currentRedis.port, name: 'redis-restarted' });
        const back = Date.now();
        // Every client's next successful Redis-backed call after Redis is back.
        let recoveredAt: number | undefined;
        await waitFor('redis-backed tools answering for every client', () => {
          const firsts = loadClients.map((c) => c.records.find((r) => r.ok && (r.op === 'context_get' || r.op === 'context_set') && r.startMs >= back));
          if (firsts.every((f) => f !== undefined)) {
            recoveredAt = Math.max(...firsts.map((f) => (f as CallRecord).endMs));
            return true;
          }
          return false;
        }, 60_000, 100).catch(() => undefined);
        await sleep(settleMs);
        const endMs = Date.now();
        const lost = allRecords().filter((r) => r.mismatch && r.endMs >= t0 && r.endMs < endMs).length;
        const r = await windowResult(fault, 'redis', t0, endMs, {
          redisDownSeconds: round((back - t0) / 1000),
          redisToolsRecoverySeconds: recoveredAt !== undefined ? round((recoveredAt - back) / 1000) : undefined,
          lostContextReads: lost,
        });
        results.push(r);
        log(`  redis down ${r.redisDownSeconds} s; tools recovered after ${r.redisToolsRecoverySeconds ?? 'never'} s; ${r.failedCalls}/${r.calls} calls failed`);
      }
    }

    // 5. Stop the load, collect.
    await Promise.all(loadClients.map((c) => c.stop()));
    const records = allRecords();
    const byReplica: Record<string, number> = {};
    for (const r of records) if (r.replica) byReplica[r.replica] = (byReplica[r.replica] ?? 0) + 1;
    return {
      startedAt: startedAt.toISOString(),
      tier,
      probe: {
        intervalSeconds: probe.intervalSeconds, timeoutSeconds: probe.timeoutSeconds, unhealthyThreshold: probe.unhealthyThreshold,
        healthyThreshold: probe.healthyThreshold, path: probe.path, detectionSeconds: probe.detectionSeconds, recoverySeconds: probe.recoverySeconds,
      },
      budget: { description: budget.describe(), totalSeconds: budget.totalSeconds, targetSeconds: budget.targetSeconds, terms: budget.terms.map((t) => ({ name: t.name, seconds: t.seconds })) },
      haproxy: { ...haproxySettings(probe, profile.timeouts, cadence), version, checkCadence: cadence },
      timeouts: { source: timeoutSource, chain: profile.timeouts.toOptions(), tierChain: tierProfile.timeouts.toOptions() },
      toleranceSeconds: DETECTION_TOLERANCE_SECONDS,
      options: { clients: nClients, replicas: nReplicas, callIntervalMs, callTimeoutMs, slowEvery, slowMs, redisOutageSeconds: redisOutageMs / 1000, faults },
      faults: results,
      totals: {
        calls: records.length, failedCalls: records.filter((r) => !r.ok).length, byReplica,
        durationSeconds: round((Date.now() - startedAt.getTime()) / 1000),
      },
      failures: records.filter((r) => !r.ok).slice(0, 200).map((r) => ({
        ...r,
        window: results.find((f) => r.endMs >= f.startedAtMs && r.endMs < f.endedAtMs)?.fault ?? (r.endMs < (results[0]?.startedAtMs ?? 0) ? 'warm-up' : 'wind-down'),
      })),
      logsDir: group.dir,
    };
  } finally {
    watcher?.stop();
    await Promise.allSettled(loadClients.map((c) => c.stop()));
    if (!options.group) await group.stopAll();
  }
}

function spawnReplica(group: ProcessGroup, bundle: string, name: string, port: number, redisUrl: string, profile: TierProfile): Managed {
  return group.spawn(name, process.execPath, [bundle], {
    env: {
      PATH: process.env.PATH,
      ...timeoutEnvironment(profile.timeouts),
      HOST: LOOPBACK,
      MCP_PORT: String(port),
      REDIS_URL: redisUrl,
      REPLICA_ID: name,
      NODE_ENV: 'production',
    },
  });
}

async function waitReady(r: Replica): Promise<void> {
  await waitFor(`replica ${r.name} ready`, async () => {
    if (r.proc.hasExited) throw new Error(`replica ${r.name} exited; see ${r.proc.logFile}`);
    return (await httpStatus(`http://${LOOPBACK}:${r.port}/health/ready`)) === 200;
  }, 20_000, 100);
}

function classifyError(message: string): string {
  const http = /HTTP (\d{3})/.exec(message) ?? /\b(50[0-9])\b/.exec(message);
  if (message.startsWith('tool error')) return 'tool error';
  if (http) return `HTTP ${http[1]}`;
  if (/timed? ?out/i.test(message)) return 'timeout';
  if (/ECONNREFUSED|ECONNRESET|fetch failed|socket/i.test(message)) return 'connection';
  return message.slice(0, 60);
}

/** The promise's value, or undefined after `ms` (the timer is cleared either way). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Tool calls a replica's log shows as run after `sinceMs` for a client that was gone (`aborted`). */
function countReplayed(logFile: string | undefined, sinceMs: number): number {
  if (!logFile || !existsSync(logFile)) return 0;
  let n = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"aborted":true') || !line.includes('"rpcMethod":"tools/call"')) continue;
    try {
      const entry = JSON.parse(line) as { time?: string };
      if (entry.time && Date.parse(entry.time) >= sinceMs) n++;
    } catch {
      // not a JSON log line
    }
  }
  return n;
}

function chainText(c: TimeoutChain | Required<TimeoutChainOptions>): string {
  return `longest call ${c.longestToolCallSeconds} s, origin read ${c.originReadTimeoutSeconds} s, idle ${c.idleTimeoutSeconds} s, `
    + `keep-alive ${c.keepAliveSeconds} s, drain ${c.drainSeconds} s`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The table the drill prints. */
export function formatTable(result: DrillResult): string {
  const rows: string[][] = [[
    'fault', 'target', 'detected (s)', 'budget (s)', 'ok', 'failed/calls', 'clients kept working', 'unaffected', 'notes',
  ]];
  for (const f of result.faults) {
    const notes: string[] = [];
    if (f.drainedInFlight !== undefined) notes.push(`in-flight calls drained: ${f.drainedInFlight}, exit ${f.exitCode}`);
    if (f.hungSeconds !== undefined) {
      notes.push(`stuck calls ${f.stuckCalls} (clients hit ${f.clientsHitByHang}), failed after DOWN ${f.failedAfterDetection}; SIGCONT after ${f.hungSeconds} s`);
    }
    if (f.recoverySeconds) {
      notes.push(`UP again${f.hungSeconds !== undefined ? ' after SIGCONT' : ''}: ${Object.entries(f.recoverySeconds).map(([k, v]) => `${k} ${v ?? 'never'} s`).join(', ')} (budget ${f.recoveryBudgetSeconds} s)`);
    }
    if (f.hungSeconds !== undefined) {
      notes.push(`tool calls run late after SIGCONT for clients already gone: ${f.replayedAfterResume}; reads of an older value: ${f.lostContextReads}`);
    }
    if (f.redisDownSeconds !== undefined) {
      notes.push(`redis down ${f.redisDownSeconds} s; tools back ${f.redisToolsRecoverySeconds ?? 'never'} s after redis; lost contexts read ${f.lostContextReads}`);
    }
    if (f.redispatched > 0) notes.push(`redispatched by HAProxy: ${f.redispatched}`);
    const errs = Object.entries(f.errors).map(([k, v]) => `${k} x${v}`).join(', ');
    if (errs) notes.push(`errors: ${errs}`);
    const downs = f.transitions.filter((t) => t.to === 'DOWN' && t.server !== f.target).map((t) => t.server);
    if (downs.length > 0) notes.push(`also DOWN: ${downs.join(', ')}`);
    rows.push([
      f.fault,
      f.target,
      f.detectionSeconds !== undefined ? String(f.detectionSeconds) : '-',
      f.detectionBudgetSeconds !== undefined ? `${result.probe.detectionSeconds} + ${result.toleranceSeconds}` : '-',
      f.detectionWithinBudget === undefined ? '-' : f.detectionWithinBudget ? 'yes' : 'NO',
      `${f.failedCalls}/${f.calls}`,
      `${f.clientsKeptWorking}/${f.clients}`,
      `${f.clientsUnaffected}/${f.clients}`,
      notes.join('; '),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    `Drill: tier ${result.tier}, probe ${result.probe.unhealthyThreshold} x ${result.probe.intervalSeconds} s + ${result.probe.timeoutSeconds} s `
      + `(core: ${result.budget.description}), ${result.options.clients} clients, ${result.options.replicas} replicas, HAProxy ${result.haproxy.version}`
      + ` (check cadence ${result.haproxy.checkCadence}${result.haproxy.fastinter ? `: fastinter ${result.haproxy.fastinter}` : ''})`,
    `Timeout chain: ${result.timeouts.source === 'local'
      ? `LOCAL (shortened for this run): ${chainText(result.timeouts.chain)}; the tier's is ${chainText(result.timeouts.tierChain)}`
      : `the tier's: ${chainText(result.timeouts.chain)}`}. HAProxy timeout server ${result.haproxy.timeoutServer}; client timeout ${result.options.callTimeoutMs / 1000} s`,
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
    `Total: ${result.totals.failedCalls}/${result.totals.calls} calls failed in ${result.totals.durationSeconds} s; calls per replica ${JSON.stringify(result.totals.byReplica)}`,
  ].join('\n');
}
