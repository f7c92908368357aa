/**
 * Two shortened failover drills with the mission-critical tier's real probe:
 * redis-server, bundled replicas and HAProxy on 127.0.0.1, three MCP clients on
 * the real SDK (both protocol eras). haproxy and redis-server must be installed:
 * CI installs them; a missing binary fails here with that message instead of skipping.
 *
 * 1. SHORT_DRILL (SIGKILL one replica, SIGTERM another), about 27 s.
 * 2. A hung replica (SIGSTOP, later SIGCONT), about 30 s. Not part of SHORT_DRILL.
 *
 * The two are independent (each its own redis-server, replicas, HAProxy and clients on their own
 * ports), so they run at the same time: the file costs the longer of the two, not their sum
 * (55-67 s before, measured on this 2-core machine).
 *
 * Both drills run with the drill's local timeout chain (`localTimeouts`: idle 5 s, so
 * HAProxy answers a call stuck on the hung replica with 504 after 5 s; client timeout
 * 15 s) and HAProxy's fixed check cadence (fastinter = inter - timeout, see haproxy-config.ts).
 *
 * Detection tolerance: core's figure (healthProbe.detectionSeconds = fall x inter +
 * timeout = 12 s) plus DETECTION_TOLERANCE_SECONDS (1 s), for the drill's 100 ms stats
 * polling and late timers on a busy 2-core machine (other jest workers run beside this
 * one). A refused connection is detected in at most inter + (fall - 1) x (inter - timeout)
 * = 8 s; a hung replica in at most fall x inter + timeout = 12 s, the full budget.
 */
import { resolveTier, AvailabilityTier } from '../../lib/core/tiers';
import {
  DETECTION_TOLERANCE_SECONDS, DrillResult, FaultKind, FaultResult, SHORT_DRILL, formatTable, runDrill,
} from '../../scripts/drill/drill';
import { requireBinary } from '../../scripts/drill/processes';

jest.setTimeout(120_000);

const probe = resolveTier(AvailabilityTier.MISSION_CRITICAL).healthProbe;

function fault(result: DrillResult, kind: FaultKind): FaultResult {
  const f = result.faults.find((x) => x.fault === kind);
  if (!f) throw new Error(`no ${kind} in the drill result`);
  return f;
}

let shortRun: Promise<DrillResult> | undefined;
let hungRun: Promise<DrillResult> | undefined;

/** Both drills start together on first use; each describe awaits its own. */
function startDrills(): void {
  if (shortRun) return;
  requireBinary('haproxy');
  requireBinary('redis-server');
  const print = (r: DrillResult): DrillResult => {
    process.stdout.write(`${formatTable(r)}\n`);
    return r;
  };
  shortRun = runDrill({ tier: AvailabilityTier.MISSION_CRITICAL, clients: 3, faults: SHORT_DRILL, settleSeconds: 3 }).then(print);
  hungRun = runDrill({ tier: AvailabilityTier.MISSION_CRITICAL, clients: 3, faults: [FaultKind.HUNG], settleSeconds: 3 }).then(print);
  // Neither may reject unobserved while the other is awaited.
  shortRun.catch(() => undefined);
  hungRun.catch(() => undefined);
}

describe('SIGKILL and SIGTERM (SHORT_DRILL)', () => {
  let result: DrillResult;

  beforeAll(async () => {
    startDrills();
    result = await (shortRun as Promise<DrillResult>);
  });

  test('the drill ran both faults with traffic in each window, with the tier probe rendered into HAProxy', () => {
    expect(result.faults.map((f) => f.fault)).toEqual([FaultKind.SIGKILL, FaultKind.SIGTERM]);
    for (const f of result.faults) expect(f.calls).toBeGreaterThan(10);
    expect(result.haproxy).toMatchObject({ inter: '5s', fall: 2, rise: 2, timeoutCheck: '2s', httpchk: 'GET /health/ready' });
    expect(result.probe.detectionSeconds).toBe(12);
    expect(result.budget.totalSeconds).toBe(probe.detectionSeconds);
  });

  test('SIGKILL: HAProxy stops routing to the dead replica within the computed detection time, and every client keeps working', () => {
    const f = fault(result, FaultKind.SIGKILL);
    expect(f.detectionSeconds).toBeDefined();
    expect(f.detectionSeconds as number).toBeLessThanOrEqual(probe.detectionSeconds + DETECTION_TOLERANCE_SECONDS);
    expect(f.clientsKeptWorking).toBe(f.clients);
  });

  test('SIGTERM (graceful): zero failed calls, detection within the computed time, the replica exits 0', () => {
    const f = fault(result, FaultKind.SIGTERM);
    expect(f.failedCalls).toBe(0);
    expect(f.clientsKeptWorking).toBe(f.clients);
    expect(f.detectionSeconds as number).toBeLessThanOrEqual(probe.detectionSeconds + DETECTION_TOLERANCE_SECONDS);
    expect(f.exitCode).toBe(0);
  });

  test('traffic was spread over every replica before the faults (no stickiness)', () => {
    expect(Object.keys(result.totals.byReplica).sort()).toEqual(['r1', 'r2', 'r3']);
  });
});

describe('hung replica (SIGSTOP, then SIGCONT)', () => {
  let result: DrillResult;
  let f: FaultResult;

  beforeAll(async () => {
    startDrills();
    result = await (hungRun as Promise<DrillResult>);
    f = fault(result, FaultKind.HUNG);
  });

  test('HAProxy marks the hung replica DOWN on check timeouts, within the budget including lb-probe-timeout', () => {
    const timeoutTerm = result.budget.terms.find((t) => t.name === 'lb-probe-timeout');
    expect(timeoutTerm?.seconds).toBe(probe.timeoutSeconds);
    expect(result.budget.totalSeconds).toBe(probe.unhealthyThreshold * probe.intervalSeconds + probe.timeoutSeconds);
    expect(f.detectionSeconds).toBeDefined();
    expect(f.detectionSeconds as number).toBeLessThanOrEqual(result.budget.totalSeconds + DETECTION_TOLERANCE_SECONDS);
    // The checks timed out (a hung replica), they were not refused (a dead one).
    const down = f.transitions.find((t) => t.server === f.target && t.to === 'DOWN');
    expect(down?.checkStatus).toMatch(/TOUT/);
  });

  test('no client is pinned (stateless server, per-request balancing): every client kept working; only calls sent before DOWN failed', () => {
    expect(f.clientsKeptWorking).toBe(f.clients);
    expect(f.failedAfterDetection).toBe(0);
    expect(f.failedCalls).toBe(f.stuckCalls);
    // Stuck calls end by HAProxy's `timeout server` (504) or the client timeout, never otherwise.
    for (const k of Object.keys(f.errors)) expect(k).toMatch(/HTTP 504|timeout/);
    // The drill continued the replica once the stuck calls had ended (bounded by the client timeout).
    expect(f.hungSeconds as number).toBeLessThanOrEqual((f.detectionSeconds as number) + result.options.callTimeoutMs / 1000 + 2);
  });

  test('after SIGCONT HAProxy marks it UP again within rise x inter (+ tolerance), and traffic reaches it', () => {
    const up = f.recoverySeconds?.[f.target];
    expect(up).not.toBeNull();
    expect(up as number).toBeLessThanOrEqual(probe.recoverySeconds + DETECTION_TOLERANCE_SECONDS);
    expect(f.recoveryWithinBudget).toBe(true);
    const afterUp = f.transitions.find((t) => t.server === f.target && t.to === 'UP')?.atMs ?? Infinity;
    expect(result.totals.byReplica[f.target]).toBeGreaterThan(0);
    expect(afterUp).toBeLessThan(f.endedAtMs);
  });

  test('the drill ran with the local timeout chain and said so', () => {
    expect(result.timeouts.source).toBe('local');
    expect(result.haproxy.timeoutServer).toBe(`${result.timeouts.chain.idleTimeoutSeconds}s`);
    expect(formatTable(result)).toMatch(/Timeout chain: LOCAL/);
  });
});
