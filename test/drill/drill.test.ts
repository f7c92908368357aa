/**
 * A shortened failover drill (SIGKILL one replica, SIGTERM another) with the
 * mission-critical tier's real probe: redis-server, three bundled replicas and
 * HAProxy on 127.0.0.1, three MCP clients on the real SDK (both protocol eras).
 * About 30 s. haproxy and redis-server must be installed: CI installs them; a
 * missing binary fails here with that message instead of skipping.
 *
 * Detection tolerance: core's figure (healthProbe.detectionSeconds, 12 s) plus
 * DETECTION_TOLERANCE_SECONDS (1 s). A killed replica refuses connections, so
 * HAProxy needs at most fall x inter = 10 s; the extra second only absorbs the
 * drill's 100 ms stats polling and late timers on a busy 2-core machine (other
 * jest workers run beside this one).
 */
import { resolveTier, AvailabilityTier } from '../../lib/core/tiers';
import { DETECTION_TOLERANCE_SECONDS, DrillResult, FaultKind, SHORT_DRILL, formatTable, runDrill } from '../../scripts/drill/drill';
import { requireBinary } from '../../scripts/drill/processes';

jest.setTimeout(120_000);

let result: DrillResult;
const probe = resolveTier(AvailabilityTier.MISSION_CRITICAL).healthProbe;

beforeAll(async () => {
  requireBinary('haproxy');
  requireBinary('redis-server');
  result = await runDrill({ tier: AvailabilityTier.MISSION_CRITICAL, clients: 3, faults: SHORT_DRILL, settleSeconds: 3 });
  process.stdout.write(`${formatTable(result)}\n`);
});

function fault(kind: FaultKind) {
  const f = result.faults.find((x) => x.fault === kind);
  if (!f) throw new Error(`no ${kind} in the drill result`);
  return f;
}

test('the drill ran both faults with traffic in each window, with the tier probe rendered into HAProxy', () => {
  expect(result.faults.map((f) => f.fault)).toEqual([FaultKind.SIGKILL, FaultKind.SIGTERM]);
  for (const f of result.faults) expect(f.calls).toBeGreaterThan(10);
  expect(result.haproxy).toMatchObject({ inter: '5s', fall: 2, rise: 2, timeoutCheck: '2s', httpchk: 'GET /health/ready' });
  expect(result.probe.detectionSeconds).toBe(12);
  expect(result.budget.totalSeconds).toBe(probe.detectionSeconds);
});

test('SIGKILL: HAProxy stops routing to the dead replica within the computed detection time, and every client keeps working', () => {
  const f = fault(FaultKind.SIGKILL);
  expect(f.detectionSeconds).toBeDefined();
  expect(f.detectionSeconds as number).toBeLessThanOrEqual(probe.detectionSeconds + DETECTION_TOLERANCE_SECONDS);
  expect(f.clientsKeptWorking).toBe(f.clients);
});

test('SIGTERM (graceful): zero failed calls, detection within the computed time, the replica exits 0', () => {
  const f = fault(FaultKind.SIGTERM);
  expect(f.failedCalls).toBe(0);
  expect(f.clientsKeptWorking).toBe(f.clients);
  expect(f.detectionSeconds as number).toBeLessThanOrEqual(probe.detectionSeconds + DETECTION_TOLERANCE_SECONDS);
  expect(f.exitCode).toBe(0);
});

test('traffic was spread over every replica before the faults (no stickiness)', () => {
  expect(Object.keys(result.totals.byReplica).sort()).toEqual(['r1', 'r2', 'r3']);
});
