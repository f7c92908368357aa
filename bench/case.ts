/**
 * One benchmark measurement, in a fresh process (run.ts spawns
 * `node --import tsx bench/case.ts <case> --result <file>`):
 *
 *   boot      process start -> this script running (Node, tsx loader)
 *   load      requiring the case's builder (this library and/or aws-cdk-lib modules)
 *   synth     new App() -> app.synth() returned: construct tree + synthesis, into a
 *             fresh temporary outdir, so asset bundling (esbuild, for the Lambda
 *             handlers and the MCP server bundle) always runs; split into
 *             `construct` (App + builder) and `app.synth()`, with the time in
 *             asset bundling and what aws-cdk-lib's own perf counters say of
 *             template validation and Stack.resolve (all part of synth)
 *   maxRss    the process's peak resident set (process.resourceUsage().maxRSS)
 *
 * `--verify` instead checks that the bench's reference builders synthesize
 * templates identical to examples/aws/reference.ts buildReferenceApp's.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CASES, findCase } from './cases';
import { benchContext } from './context';

export interface StackResult {
  readonly name: string;
  readonly resources: number;
}

export interface CaseResult {
  readonly case: string;
  readonly bootMs: number;
  readonly loadMs: number;
  /** new App() -> app.synth() done: the synthesis time the benchmark reports. */
  readonly synthMs: number;
  /** CPU time (user + system, all threads of the process) over the same window: less sensitive to other load. */
  readonly synthCpuMs: number;
  readonly constructMs: number;
  readonly appSynthMs: number;
  /** Time in AssetStaging bundling (esbuild), included in synthMs; null if it could not be measured. */
  readonly bundleMs: number | null;
  /** Assets bundled (the same source bundled twice in one App is cached by aws-cdk-lib). */
  readonly bundles: number | null;
  /** CloudFormation validation of the templates (validateAgainstDefaultRules), included in synthMs. */
  readonly validateMs: number | null;
  /** Stack.resolve (token resolution into templates), included in synthMs. */
  readonly resolveMs: number | null;
  readonly cdkPerfCounters: Record<string, { count: number; total: number }> | null;
  readonly maxRssKiB: number;
  readonly heapUsedMiB: number;
  readonly stacks: StackResult[];
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
  /**
   * One line per resource, `<type> <sha1>` of its definition with names normalized
   * (logical IDs, asset hashes, construct paths, descriptions, metadata): two stacks
   * with the same multiset define the same resources property for property.
   */
  readonly resourceShapes: string[];
}

type AwsCdkLib = typeof import('aws-cdk-lib');

function freshOutdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-bench-'));
}

/**
 * aws-cdk-lib's own performance counters (core/lib/private/perf: the spans it
 * records for telemetry), read back after synthesis: `bundle:<asset>` (asset
 * bundling, esbuild here), `validateTemplates` (the CloudFormation validation
 * plugin that `@aws-cdk/core:validateAgainstDefaultRules` turns on, engine start
 * included), `Stack.resolve`, `FileSystem.*` (fingerprints, copies). Spans may nest.
 */
type Counters = Record<string, { count: number; total: number }>;

/**
 * Starts collecting the counters. App.synth() resets them when it returns, so
 * every counter set ever installed on the shared state is kept and summed.
 */
function collectCdkPerfCounters(): () => Counters | undefined {
  const g = globalThis as Record<symbol, unknown>;
  const sym = Symbol.for('@aws-cdk/core:performanceProfilingState');
  // aws-cdk-lib creates this object with `??=`, so it adopts ours when it loads.
  g[sym] ??= { builtinsHooked: false, nesting: 0, telemetryCounters: {}, allCounters: {} };
  const state = g[sym] as { allCounters?: Counters };
  if (!state || typeof state !== 'object') return () => undefined;
  const sets: Counters[] = [];
  let current: Counters = state.allCounters ?? {};
  sets.push(current);
  Object.defineProperty(state, 'allCounters', {
    configurable: true, enumerable: true,
    get: () => current,
    set: (v: Counters) => { current = v; sets.push(v); },
  });
  return () => {
    const merged: Counters = {};
    for (const set of sets) {
      for (const [k, c] of Object.entries(set)) {
        const m = (merged[k] ??= { count: 0, total: 0 });
        m.count += c.count;
        m.total += c.total;
      }
    }
    return merged;
  };
}

/** Times AssetStaging's bundling (local esbuild runs, every asset) without changing what it does. */
function instrumentBundling(cdk: AwsCdkLib): { ms: number; count: number } | undefined {
  const stats = { ms: 0, count: 0 };
  const proto = cdk.AssetStaging.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto.bundle;
  if (typeof original !== 'function') return undefined; // aws-cdk-lib internals changed: not reported
  proto.bundle = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      stats.ms += performance.now() - t;
      stats.count += 1;
    }
  };
  return stats;
}

function sumCounters(counters: Counters | undefined, match: (key: string) => boolean): number | null {
  if (!counters) return null;
  return Object.entries(counters).filter(([k]) => match(k)).reduce((n, [, c]) => n + c.total, 0);
}

function measure(name: string, resultFile: string): void {
  const bootMs = performance.now(); // performance's time origin is the process start
  const benchCase = findCase(name);
  const context = benchContext();

  const readCounters = collectCdkPerfCounters();
  const tLoad = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require('aws-cdk-lib') as AwsCdkLib;
  const build = benchCase.load();
  const loadMs = performance.now() - tLoad;
  const bundling = instrumentBundling(cdk);
  const outdir = freshOutdir();

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const app = new cdk.App({ context, outdir });
  build(app);
  const t1 = performance.now();
  const assembly = app.synth();
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);

  const counters = readCounters();
  const maxRssKiB = process.resourceUsage().maxRSS;
  const heapUsedMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const resourceTypes: Record<string, number> = {};
  // stacksRecursively: the multi-region and cross-region topologies are Stages (nested assemblies).
  const resourceShapes = assembly.stacksRecursively.flatMap((s) => shapesOf(s.stackName, s.template as Template));
  const stacks = assembly.stacksRecursively.map((s) => {
    const resources = Object.values((s.template as { Resources?: Record<string, { Type: string }> }).Resources ?? {});
    for (const r of resources) resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;
    return { name: s.stackName, resources: resources.length };
  });
  if (process.env.BENCH_KEEP_OUTDIR) console.error(`outdir kept: ${outdir}`);
  else fs.rmSync(outdir, { recursive: true, force: true });

  const result: CaseResult = {
    case: name, bootMs, loadMs,
    synthMs: t2 - t0, synthCpuMs: (cpu.user + cpu.system) / 1000, constructMs: t1 - t0, appSynthMs: t2 - t1,
    bundleMs: bundling?.ms ?? null,
    bundles: bundling?.count ?? null,
    validateMs: sumCounters(counters, (k) => k === 'validateTemplates'),
    resolveMs: sumCounters(counters, (k) => k === 'Stack.resolve'),
    cdkPerfCounters: counters ?? null,
    maxRssKiB, heapUsedMiB, stacks,
    resources: stacks.reduce((n, s) => n + s.resources, 0),
    resourceTypes,
    resourceShapes,
  };
  fs.writeFileSync(resultFile, JSON.stringify(result));
}

type Template = { Resources?: Record<string, { Type: string }> };

function shapesOf(stackName: string, template: Template): string[] {
  const resources = template.Resources ?? {};
  const ids = new Set(Object.keys(resources));
  return Object.values(resources).map((r) => {
    const normalized = canonical(r, (key, v) => {
      if (key === 'Metadata' || key === 'Description' || key === 'GroupDescription') return undefined;
      if (typeof v !== 'string') return v;
      if (ids.has(v) || /^[0-9a-f]{64}/.test(v) || v.startsWith(`${stackName}/`)) return '<name>';
      return v.replace(/[0-9a-f]{64}/g, '<hash>');
    });
    return `${r.Type} ${crypto.createHash('sha1').update(normalized).digest('hex').slice(0, 12)}`;
  }).sort();
}

/** Stable JSON (sorted keys) for comparing templates. */
function canonical(value: unknown, map: (key: string, v: unknown) => unknown = (_k, v) => v): string {
  return JSON.stringify(value, (k, raw: unknown) => {
    const v = map(k, raw);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v;
  });
}

function verify(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require('aws-cdk-lib') as AwsCdkLib;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildReferenceApp } = require('../examples/aws/reference') as typeof import('../examples/aws/reference');
  const context = benchContext();
  const synthTemplates = (build: (app: InstanceType<AwsCdkLib['App']>) => void): Map<string, string> => {
    const outdir = freshOutdir();
    const app = new cdk.App({ context, outdir });
    build(app);
    const templates = new Map(app.synth().stacksRecursively.map((s) => [s.stackName, canonical(s.template)]));
    fs.rmSync(outdir, { recursive: true, force: true });
    return templates;
  };
  const expected = synthTemplates((app) => buildReferenceApp(app));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const c of CASES.filter((x) => x.group === 'reference')) {
    const actual = synthTemplates(c.load());
    for (const [stack, template] of actual) {
      seen.add(stack);
      if (!expected.has(stack)) problems.push(`${c.name}: stack ${stack} is not in buildReferenceApp`);
      else if (expected.get(stack) !== template) problems.push(`${c.name}: template of ${stack} differs from buildReferenceApp's`);
    }
  }
  for (const stack of expected.keys()) if (!seen.has(stack)) problems.push(`stack ${stack} of buildReferenceApp is built by no reference case`);
  if (problems.length > 0) {
    console.error(`bench builders do NOT match examples/aws/reference.ts:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`ok: ${expected.size} stacks of buildReferenceApp (${[...expected.keys()].join(', ')}) are identical when built by the bench's reference cases`);
}

const args = process.argv.slice(2);
if (args[0] === '--verify') {
  verify();
} else {
  const resultIndex = args.indexOf('--result');
  if (!args[0] || args[0].startsWith('--') || resultIndex < 0 || !args[resultIndex + 1]) {
    console.error(`usage: node --import tsx bench/case.ts <case> --result <file> | --verify\ncases: ${CASES.map((c) => c.name).join(', ')}`);
    process.exit(2);
  }
  measure(args[0], args[resultIndex + 1]);
}
