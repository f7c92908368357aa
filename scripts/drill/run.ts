/**
 * Runs the local failover drill and writes drill-results/drill-<timestamp>.json.
 *
 *   npx tsx scripts/drill/run.ts [--tier mission-critical|business-critical|standard]
 *                                [--clients 6] [--short] [--tier-timeouts] [--native-check-cadence]
 *
 * Needs redis-server and haproxy (Debian packages of the same names). Uses
 * 127.0.0.1 only. Exit code 1 when a fault broke an expectation (detection over
 * budget, a failed call during the graceful stop, a client that stopped working).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AvailabilityTier } from '../../lib/core/tiers';
import { DrillResult, FULL_DRILL, FaultKind, SHORT_DRILL, formatTable, runDrill } from './drill';
import { ProcessGroup } from './processes';

/** Expectations every drill must meet (also asserted by test/drill/drill.test.ts). */
export function violations(result: DrillResult): string[] {
  const out: string[] = [];
  for (const f of result.faults) {
    if (f.detectionWithinBudget === false) out.push(`${f.fault}: detected after ${f.detectionSeconds ?? 'never'} s, budget ${f.detectionBudgetSeconds} s`);
    if (f.clientsKeptWorking < f.clients) out.push(`${f.fault}: only ${f.clientsKeptWorking}/${f.clients} clients kept working`);
    if (f.fault === FaultKind.SIGTERM && f.failedCalls > 0) out.push(`sigterm: ${f.failedCalls} calls failed during a graceful stop`);
    if (f.fault === FaultKind.RESTART_REPLICAS && f.failedCalls > 0) out.push(`restart-replicas: ${f.failedCalls} calls failed`);
    if (f.fault === FaultKind.RESTART_REDIS && f.redisToolsRecoverySeconds === undefined) out.push('restart-redis: Redis-backed tools did not recover');
    if (f.fault === FaultKind.HUNG) {
      if (f.failedAfterDetection) out.push(`hung: ${f.failedAfterDetection} calls failed that started after HAProxy marked the replica DOWN`);
      if (f.recoveryWithinBudget === false) out.push(`hung: UP again after ${JSON.stringify(f.recoverySeconds)} s, budget ${f.recoveryBudgetSeconds} s`);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tier: { type: 'string', default: AvailabilityTier.MISSION_CRITICAL },
      clients: { type: 'string', default: '6' },
      short: { type: 'boolean', default: false },
      'tier-timeouts': { type: 'boolean', default: false },
      'native-check-cadence': { type: 'boolean', default: false },
      out: { type: 'string', default: resolve(__dirname, '..', '..', 'drill-results') },
    },
  });
  const tiers = Object.values(AvailabilityTier) as string[];
  if (!tiers.includes(values.tier)) throw new Error(`--tier ${values.tier}: one of ${tiers.join(', ')}`);
  const clients = Number(values.clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 50) throw new Error(`--clients ${values.clients}: a whole number 1-50`);

  const group = new ProcessGroup();
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\n${sig}: stopping the drill's processes\n`);
    void group.stopAll(1000).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let result: DrillResult;
  try {
    result = await runDrill({
      tier: values.tier as AvailabilityTier,
      clients,
      faults: values.short ? SHORT_DRILL : FULL_DRILL,
      timeouts: values['tier-timeouts'] ? 'tier' : 'local',
      checkCadence: values['native-check-cadence'] ? 'native' : 'fixed',
      group,
      log: (l) => process.stdout.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${l}\n`),
    });
  } finally {
    await group.stopAll();
  }
  console.log(`\n${formatTable(result)}\n`);
  mkdirSync(values.out, { recursive: true });
  const file = join(values.out, `drill-${result.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results: ${relative(process.cwd(), file)} (process logs kept in ${result.logsDir})`);
  const problems = violations(result);
  for (const p of problems) console.error(`FAILED: ${p}`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}

export { FULL_DRILL, SHORT_DRILL };
