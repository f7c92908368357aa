/**
 * Runs the local failover drills (`npm run drill`): the single-region drill (replica
 * faults behind one HAProxy), then the region-failure drill (two regions, a front,
 * the cross-region cache), and writes drill-results/drill-<timestamp>.json and
 * drill-results/region-drill-<timestamp>.json.
 *
 *   npx tsx scripts/drill/run.ts [--only single|regions]
 *                                [--tier mission-critical|business-critical|standard]
 *                                [--clients 6] [--short] [--tier-timeouts] [--native-check-cadence]
 *                                [--write-model both|single-writer|multi-writer] [--region-faults full|ci]
 *                                [--probe-scale 0.2] [--ladder-scale 0.0333] [--routing anycast|dns] [--auth]
 *                                [--cloud aws|gcp]
 *
 * `--cloud gcp` runs the region drill on Google's figures and promotion path (active-passive behind
 * Cloud DNS with one failed check, as the reference app's gcp-active-passive stack; the Google
 * promotion handler against a loopback Memorystore API): use it with `--tier business-critical`
 * (Google refuses mission-critical active-passive) and `--write-model single-writer`.
 *
 * Needs redis-server and haproxy (Debian packages of the same names). Uses
 * 127.0.0.1 only. Exit code 1 when a fault broke an expectation (detection over
 * budget, a failed call during the graceful stop, a client that stopped working, a
 * region moved or promoted when it should not have been, writes not as the model says).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheWriteModel } from '../../lib/core/cache-write-model';
import { Cloud } from '../../lib/core/failover-budget';
import { AvailabilityTier, RoutingMechanism } from '../../lib/core/tiers';
import { DrillResult, FULL_DRILL, FaultKind, SHORT_DRILL, formatTable, runDrill } from './drill';
import { ProcessGroup } from './processes';
import {
  CI_REGION_DRILL, FULL_REGION_DRILL, RegionDrillResult, formatRegionTable, regionViolations, runRegionDrill,
} from './region-drill';

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
      only: { type: 'string' },
      'write-model': { type: 'string', default: 'both' },
      'region-faults': { type: 'string', default: 'full' },
      'probe-scale': { type: 'string', default: '0.2' },
      'ladder-scale': { type: 'string', default: String(1 / 30) },
      routing: { type: 'string' },
      // Authorization on in the region drill (oidc-provider on loopback, OAuth resource servers, one token per client).
      auth: { type: 'boolean', default: false },
      cloud: { type: 'string', default: Cloud.AWS },
    },
  });
  if (values.cloud !== Cloud.AWS && values.cloud !== Cloud.GCP) throw new Error(`--cloud ${values.cloud}: aws or gcp`);
  const cloud = values.cloud as Cloud.AWS | Cloud.GCP;
  if (values.only !== undefined && !['single', 'regions'].includes(values.only)) throw new Error(`--only ${values.only}: single or regions`);
  const models = [CacheWriteModel.SINGLE_WRITER, CacheWriteModel.MULTI_WRITER] as string[];
  if (![...models, 'both'].includes(values['write-model'])) throw new Error(`--write-model ${values['write-model']}: one of ${models.join(', ')}, both`);
  if (!['full', 'ci'].includes(values['region-faults'])) throw new Error(`--region-faults ${values['region-faults']}: full or ci`);
  const probeScale = Number(values['probe-scale']);
  const ladderScale = Number(values['ladder-scale']);
  if (!(probeScale > 0 && probeScale <= 1)) throw new Error(`--probe-scale ${values['probe-scale']}: a number in (0, 1]`);
  if (!(ladderScale > 0 && ladderScale <= 1)) throw new Error(`--ladder-scale ${values['ladder-scale']}: a number in (0, 1]`);
  const routings = [RoutingMechanism.ANYCAST, RoutingMechanism.DNS] as string[];
  if (values.routing !== undefined && !routings.includes(values.routing)) throw new Error(`--routing ${values.routing}: one of ${routings.join(', ')}`);
  const tiers = Object.values(AvailabilityTier) as string[];
  if (!tiers.includes(values.tier)) throw new Error(`--tier ${values.tier}: one of ${tiers.join(', ')}`);
  const clients = Number(values.clients);
  if (!Number.isInteger(clients) || clients < 1 || clients > 50) throw new Error(`--clients ${values.clients}: a whole number 1-50`);

  const group = new ProcessGroup();
  let current = group;
  const onSignal = (sig: NodeJS.Signals): void => {
    process.stderr.write(`\n${sig}: stopping the drill's processes\n`);
    void Promise.all([group.stopAll(1000), current.stopAll(1000)]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const log = (l: string): void => {
    process.stdout.write(`[drill ${new Date().toISOString().slice(11, 19)}] ${l}\n`);
  };
  mkdirSync(values.out, { recursive: true });
  const problems: string[] = [];
  if (values.only !== 'regions') {
    let result: DrillResult;
    try {
      result = await runDrill({
        tier: values.tier as AvailabilityTier,
        clients,
        faults: values.short ? SHORT_DRILL : FULL_DRILL,
        timeouts: values['tier-timeouts'] ? 'tier' : 'local',
        checkCadence: values['native-check-cadence'] ? 'native' : 'fixed',
        group,
        log,
      });
    } finally {
      await group.stopAll();
    }
    console.log(`\n${formatTable(result)}\n`);
    const file = join(values.out, `drill-${result.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results: ${relative(process.cwd(), file)} (process logs kept in ${result.logsDir})`);
    problems.push(...violations(result));
  }
  const regionModels = values['write-model'] === 'both' ? models : [values['write-model']];
  for (const writeModel of values.only === 'single' ? [] : regionModels) {
    const regionGroup = new ProcessGroup('mcp-ha-region-drill-');
    current = regionGroup;
    let result: RegionDrillResult;
    try {
      result = await runRegionDrill({
        tier: values.tier as AvailabilityTier,
        writeModel: writeModel as CacheWriteModel.SINGLE_WRITER | CacheWriteModel.MULTI_WRITER,
        faults: values['region-faults'] === 'ci' ? CI_REGION_DRILL : FULL_REGION_DRILL,
        probeScale,
        ladderScale,
        ...(values.routing ? { routing: values.routing as RoutingMechanism } : {}),
        authorization: values.auth,
        cloud,
        // The reference app's Google active-passive stack: one failed Cloud DNS check (30 s floor).
        ...(cloud === Cloud.GCP ? { tierOverrides: { dnsHealthCheck: { failureThreshold: 1 } }, regions: ['us-east1', 'us-central1'] as [string, string] } : {}),
        group: regionGroup,
        log,
      });
    } finally {
      await regionGroup.stopAll();
    }
    console.log(`\n${formatRegionTable(result)}\n`);
    const file = join(values.out, `region-drill-${writeModel}-${result.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results: ${relative(process.cwd(), file)} (process logs kept in ${result.logsDir})`);
    problems.push(...regionViolations(result));
  }
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
