/**
 * Synthesis benchmark (issue 5): `npm run bench -- [--runs N] [--cases a,b] [--no-verify] [--cpu-prof]`.
 *
 * Every case is synthesized in a fresh child process
 * (`node --import tsx bench/case.ts <case>`), so Node start-up, the tsx loader and
 * module loading happen the same way for every case. Cases run one at a time (the
 * machine may be small and busy): one warm-up round (every case once, discarded;
 * it also fills tsx's transpile cache), then N rounds, each running every case
 * once, so slow drift in background load spreads over all cases instead of
 * landing on one. Reported: medians over the N rounds.
 *
 * Before timing, `case.ts --verify` checks that the bench's per-topology builders
 * synthesize templates identical to examples/aws/reference.ts buildReferenceApp.
 *
 * Results: a table, the ratios with their targets (MISSED is printed, the exit
 * code stays 0), and bench/results/bench-<timestamp>.json (gitignored).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CaseResult } from './case';
import { CASES, BenchCase } from './cases';
import { ROOT } from './context';
import { compileTree } from './compile';
import { ProfileSummary, summarizeProfile } from './profile';

const TARGET_SAME_RESOURCES = 1.3;
const TARGET_REGIONS_8_VS_2 = 4;

interface Options {
  readonly runs: number;
  readonly cases: BenchCase[];
  readonly verify: boolean;
  readonly cpuProf: boolean;
  /** Run the TypeScript sources through tsx instead of the compiled JavaScript. */
  readonly source: boolean;
}

/** How a child runs bench/case: plain node on the compiled tree, or tsx on the sources. */
let caseCommand: string[] = [];

function parseArgs(argv: string[]): Options {
  let runs = 5;
  let cases = [...CASES];
  let verify = true;
  let cpuProf = false;
  let source = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--runs' || a.startsWith('--runs=')) {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) usage('--runs must be a whole number >= 1');
    } else if (a === '--cases' || a.startsWith('--cases=')) {
      const names = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
      if (unknown.length > 0) usage(`unknown case(s): ${unknown.join(', ')}`);
      cases = CASES.filter((c) => names.includes(c.name));
    } else if (a === '--no-verify') {
      verify = false;
    } else if (a === '--cpu-prof') {
      cpuProf = true;
    } else if (a === '--source') {
      source = true;
    } else if (a === '--help' || a === '-h') {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  return { runs, cases, verify, cpuProf, source };
}

function usage(error?: string): never {
  if (error) console.error(`error: ${error}\n`);
  console.error([
    'usage: npm run bench -- [--runs N] [--cases a,b,...] [--no-verify] [--cpu-prof]',
    '  --runs N      measured runs per case (default 5), after one discarded warm-up run',
    '  --cases ...   subset of the cases (ratios need their two cases)',
    '  --no-verify   skip checking the bench builders against examples/aws/reference.ts',
    '  --cpu-prof    afterwards, one extra run per case under node --cpu-prof, summarized',
    '  --source      load the TypeScript sources through tsx (default: the compiled JavaScript, as published)',
    `cases: ${CASES.map((c) => c.name).join(', ')}`,
  ].join('\n'));
  process.exit(error ? 2 : 0);
}

/** A child environment without CDK CLI variables (the bench passes context and outdir itself). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('CDK_')) delete env[k];
  return env;
}

interface Run {
  readonly result?: CaseResult;
  /** Child process wall time, spawn to exit, as seen from here. */
  readonly totalMs: number;
  readonly error?: string;
}

function runCase(c: BenchCase, extraNodeArgs: string[] = []): Run {
  const resultFile = path.join(os.tmpdir(), `mcp-bench-${process.pid}-${c.name}.json`);
  fs.rmSync(resultFile, { force: true });
  const t = performance.now();
  const child = spawnSync(process.execPath, [...extraNodeArgs, ...caseCommand, c.name, '--result', resultFile], {
    cwd: ROOT, env: childEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  const totalMs = performance.now() - t;
  if (child.status !== 0 || !fs.existsSync(resultFile)) {
    const tail = `${child.stderr ?? ''}${child.stdout ?? ''}`.trim().split('\n').filter((l) => l.trim()).slice(-12).join('\n    ');
    return { totalMs, error: `exit ${child.status ?? child.signal}: ${tail}` };
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as CaseResult;
  fs.rmSync(resultFile, { force: true });
  return { result, totalMs };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Summary {
  readonly case: string;
  readonly group: string;
  readonly description: string;
  readonly runs: number;
  readonly failures: string[];
  readonly stacks?: CaseResult['stacks'];
  readonly resources?: number;
  readonly resourceTypes?: Record<string, number>;
  readonly resourceShapes?: string[];
  readonly bundles?: number | null;
  /** Medians over the measured runs (ms; RSS in MiB). */
  readonly median?: {
    synthMs: number; synthCpuMs: number; constructMs: number; appSynthMs: number; bundleMs: number | null; validateMs: number | null;
    resolveMs: number | null; loadMs: number; bootMs: number; totalMs: number; maxRssMiB: number;
  };
  readonly min?: { synthMs: number; totalMs: number };
  readonly max?: { synthMs: number; totalMs: number; maxRssMiB: number };
}

function summarize(c: BenchCase, runs: Run[]): Summary {
  const ok = runs.filter((r) => r.result).map((r) => ({ ...r.result!, totalMs: r.totalMs }));
  const failures = runs.filter((r) => r.error).map((r) => r.error!);
  const base = { case: c.name, group: c.group, description: c.description, runs: ok.length, failures };
  if (ok.length === 0) return base;
  const pick = (f: (r: (typeof ok)[number]) => number | null): number | null => {
    const xs = ok.map(f).filter((x): x is number => typeof x === 'number');
    return xs.length === ok.length ? median(xs) : null;
  };
  const rss = ok.map((r) => r.maxRssKiB / 1024);
  return {
    ...base,
    stacks: ok[0].stacks, resources: ok[0].resources, resourceTypes: ok[0].resourceTypes, resourceShapes: ok[0].resourceShapes, bundles: ok[0].bundles,
    median: {
      synthMs: median(ok.map((r) => r.synthMs)), synthCpuMs: median(ok.map((r) => r.synthCpuMs)), constructMs: median(ok.map((r) => r.constructMs)),
      appSynthMs: median(ok.map((r) => r.appSynthMs)), bundleMs: pick((r) => r.bundleMs), validateMs: pick((r) => r.validateMs),
      resolveMs: pick((r) => r.resolveMs), loadMs: median(ok.map((r) => r.loadMs)), bootMs: median(ok.map((r) => r.bootMs)),
      totalMs: median(ok.map((r) => r.totalMs)), maxRssMiB: median(rss),
    },
    min: { synthMs: Math.min(...ok.map((r) => r.synthMs)), totalMs: Math.min(...ok.map((r) => r.totalMs)) },
    max: { synthMs: Math.max(...ok.map((r) => r.synthMs)), totalMs: Math.max(...ok.map((r) => r.totalMs)), maxRssMiB: Math.max(...rss) },
  };
}

const sec = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '-' : (ms / 1000).toFixed(2));

function table(rows: string[][], rightAlignFrom = 1): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r, ri) => {
    const line = r.map((cell, i) => (i >= rightAlignFrom ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ');
    return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

/** sha256 over lib/, examples/ and bench/ sources: tells whether the code changed during the run. */
function sourceFingerprint(): string {
  const h = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === 'node_modules' || e.name === 'results' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(p).update(fs.readFileSync(p));
    }
  };
  for (const d of ['lib', 'examples', 'bench']) walk(path.join(ROOT, d));
  h.update(fs.readFileSync(path.join(ROOT, 'cdk.json')));
  return h.digest('hex').slice(0, 16);
}

function git(args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

interface Ratio {
  readonly name: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly synthRatio?: number;
  readonly cpuRatio?: number;
  readonly totalRatio?: number;
  readonly perResourceRatio?: number;
  readonly target?: number;
  readonly status: 'MET' | 'MISSED' | 'INFO' | 'N/A';
  readonly note: string;
}

function ratio(summaries: Map<string, Summary>, name: string, num: string, den: string, target: number | undefined, note: (a: Summary, b: Summary) => string): Ratio {
  const a = summaries.get(num);
  const b = summaries.get(den);
  if (!a?.median || !b?.median) {
    return { name, numerator: num, denominator: den, target, status: 'N/A', note: `not measured (${!a?.median ? num : den} missing or failed)` };
  }
  const synthRatio = a.median.synthMs / b.median.synthMs;
  return {
    name, numerator: num, denominator: den, target,
    synthRatio,
    cpuRatio: a.median.synthCpuMs / b.median.synthCpuMs,
    totalRatio: a.median.totalMs / b.median.totalMs,
    perResourceRatio: (a.median.synthMs / a.resources!) / (b.median.synthMs / b.resources!),
    status: target === undefined ? 'INFO' : synthRatio <= target ? 'MET' : 'MISSED',
    note: note(a, b),
  };
}

function typeDiff(a: Record<string, number>, b: Record<string, number>): string[] {
  const types = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return types.filter((t) => (a[t] ?? 0) !== (b[t] ?? 0)).map((t) => `${t} ${a[t] ?? 0} vs ${b[t] ?? 0}`);
}

/** Types of the resources of `a` with no property-identical twin in `b`. */
function shapeDiff(a: string[], b: string[]): string[] {
  const left = [...b];
  const out: string[] = [];
  for (const s of a) {
    const i = left.indexOf(s);
    if (i >= 0) left.splice(i, 1);
    else out.push(s.split(' ')[0]);
  }
  return out;
}

function extraResources(a: Summary, b: Summary): string {
  const diff = typeDiff(a.resourceTypes ?? {}, b.resourceTypes ?? {});
  const more = Object.entries(a.resourceTypes ?? {}).filter(([t, n]) => n > (b.resourceTypes?.[t] ?? 0))
    .map(([t, n]) => `${t.replace(/^AWS::/, '')} +${n - (b.resourceTypes?.[t] ?? 0)}`);
  return `${a.resources} vs ${b.resources} resources in ${a.stacks!.length} vs ${b.stacks!.length} stack(s), ` +
    `${a.bundles ?? '?'} vs ${b.bundles ?? '?'} esbuild bundles; not the same resources (${diff.length} types differ; extra: ${more.slice(0, 8).join(', ')}${more.length > 8 ? ', ...' : ''})`;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.source) {
    caseCommand = ['--import', 'tsx', path.join(ROOT, 'bench', 'case.ts')];
  } else {
    const started = performance.now();
    const build = compileTree(ROOT);
    caseCommand = [path.join(build, 'bench', 'case.js')];
    console.log(`Compiled lib/, examples/ and bench/ to JavaScript in ${path.relative(ROOT, build)} (${((performance.now() - started) / 1000).toFixed(1)} s): `
      + 'cases load the library as a consumer does, without a TypeScript loader (--source to use tsx).');
  }
  const startedAt = new Date();
  const cdkVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')) as { version: string }).version;
  const fingerprintBefore = sourceFingerprint();
  const env = {
    node: process.version, awsCdkLib: cdkVersion, platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    loadAvgStart: os.loadavg().map((x) => Number(x.toFixed(2))),
    gitHead: git(['rev-parse', '--short', 'HEAD']), gitDirty: (git(['status', '--porcelain', '--', 'lib', 'examples', 'cdk.json']) ?? '') !== '',
    sourceFingerprint: fingerprintBefore,
  };
  console.log(`Synthesis benchmark: ${opts.cases.length} cases x (1 warm-up + ${opts.runs} runs), each in a fresh process, sequential`);
  console.log(`node ${env.node}, aws-cdk-lib ${env.awsCdkLib}, ${env.cpus} CPUs (${env.cpuModel}), load average ${env.loadAvgStart.join(' ')}`);
  console.log(`git ${env.gitHead}${env.gitDirty ? ' + uncommitted changes in lib/examples' : ''}, sources ${fingerprintBefore}\n`);

  let verification: { ok: boolean; message: string } | undefined;
  if (opts.verify) {
    const v = spawnSync(process.execPath, [...caseCommand, '--verify'], {
      cwd: ROOT, env: childEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    });
    const lines = `${v.stdout}\n${v.stderr}`.split('\n');
    const message = v.status === 0
      ? (lines.find((l) => l.startsWith('ok:')) ?? 'ok')
      : lines.filter((l) => l.trim()).slice(-10).join('\n  ');
    verification = { ok: v.status === 0, message };
    console.log(v.status === 0
      ? `Reference builders verified: ${message.replace(/^ok: /, '')}\n`
      : `WARNING: reference builders could NOT be verified against examples/aws/reference.ts; reference-case timings may not be the reference stacks:\n  ${message}\n`);
  }

  const runs = new Map<string, Run[]>(opts.cases.map((c) => [c.name, []]));
  const warmups: { case: string; totalMs: number; synthMs?: number; error?: string }[] = [];
  for (let round = 0; round <= opts.runs; round++) {
    const label = round === 0 ? 'warm-up (discarded)' : `run ${round}/${opts.runs}`;
    for (const c of opts.cases) {
      const r = runCase(c);
      const shown = r.result ? `synth ${sec(r.result.synthMs)} s, process ${sec(r.totalMs)} s` : `FAILED ${r.error?.split('\n')[0]}`;
      console.log(`  ${label.padEnd(19)} ${c.name.padEnd(21)} ${shown}`);
      if (round === 0) warmups.push({ case: c.name, totalMs: r.totalMs, synthMs: r.result?.synthMs, error: r.error });
      else runs.get(c.name)!.push(r);
    }
  }

  const summaries = new Map(opts.cases.map((c) => [c.name, summarize(c, runs.get(c.name)!)]));
  const fingerprintAfter = sourceFingerprint();

  // ---- table ----
  const rows: string[][] = [[
    'case', 'stacks', 'resources', 'synth s', '(min-max)', 'cpu s', 'construct', 'app.synth', 'bundle', 'validate', 'ms/res', 'load', 'process s', 'peak RSS MiB',
  ]];
  for (const s of summaries.values()) {
    if (!s.median) {
      rows.push([s.case, '-', '-', 'FAILED', '', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    const m = s.median;
    rows.push([
      s.case, String(s.stacks!.length), String(s.resources), sec(m.synthMs), `${sec(s.min!.synthMs)}-${sec(s.max!.synthMs)}`,
      sec(m.synthCpuMs), sec(m.constructMs), sec(m.appSynthMs), sec(m.bundleMs), sec(m.validateMs), (m.synthMs / s.resources!).toFixed(1),
      sec(m.loadMs), sec(m.totalMs), `${m.maxRssMiB.toFixed(0)} (max ${s.max!.maxRssMiB.toFixed(0)})`,
    ]);
  }
  console.log(`\nMedians of ${opts.runs} run(s) per case (seconds unless noted):\n`);
  console.log(table(rows, 1));
  console.log([
    '',
    'synth     = new App() -> app.synth() returned, wall time measured inside the child (the benchmark\'s synthesis time)',
    'cpu       = CPU time (user + system, all threads) of the child over the same window: steadier when other processes compete',
    'construct = App + builder (constructors; NodejsFunction bundles its handler here); app.synth = the rest',
    'bundle    = asset bundling with esbuild (Lambda handlers via NodejsFunction, the MCP server bundle), inside synth',
    'validate  = CloudFormation template validation that cdk.json\'s @aws-cdk/core:validateAgainstDefaultRules turns on',
    '            (aws-cdk-lib perf counter validateTemplates, wasm engine start included), inside app.synth',
    'load      = requiring the case\'s modules (before synth); process = child wall time, spawn to exit (node + tsx + load + synth)',
    'peak RSS  = the child\'s process.resourceUsage().maxRSS (esbuild child processes not included)',
    'Bundling and validation are part of synthesis as this project runs it (cdk synth with cdk.json), so they are kept.',
  ].join('\n'));

  for (const s of summaries.values()) {
    if (s.failures.length > 0) console.log(`\n${s.case}: ${s.failures.length} failed run(s):\n    ${s.failures[0]}`);
  }

  // ---- ratios ----
  const blocks = summaries.get('active-active-blocks');
  const hand = summaries.get('hand-written');
  const sameTypes = blocks?.resourceTypes && hand?.resourceTypes ? typeDiff(blocks.resourceTypes, hand.resourceTypes) : undefined;
  const unmatched = blocks?.resourceShapes && hand?.resourceShapes ? shapeDiff(blocks.resourceShapes, hand.resourceShapes) : undefined;
  const ratios: Ratio[] = [
    ratio(summaries, 'active-active reference vs hand-written', 'active-active', 'hand-written', TARGET_SAME_RESOURCES, extraResources),
    ratio(summaries, 'active-active, same resources (library LB + fleet + cache) vs hand-written', 'active-active-blocks', 'hand-written', TARGET_SAME_RESOURCES,
      (a, b) => (sameTypes && sameTypes.length === 0
        ? `like for like: ${a.resources} = ${b.resources} resources, identical resource types; ` +
          `${a.resources! - (unmatched?.length ?? 0)}/${a.resources} property-identical once names are normalized` +
          (unmatched?.length ? ` (differ: ${unmatched.join(', ')})` : '')
        : `resource types differ: ${(sameTypes ?? ['?']).join('; ')}`)),
    ratio(summaries, 'active-passive reference vs hand-written', 'active-passive', 'hand-written', undefined, extraResources),
    ratio(summaries, 'multi-region reference (2 regions) vs hand-written', 'multi-region-2', 'hand-written', undefined, extraResources),
    ratio(summaries, 'multi-region 8 regions vs 2 regions (no shared cache: see cases.ts)', 'sweep-8', 'sweep-2', TARGET_REGIONS_8_VS_2,
      (a, b) => `${a.stacks!.length} vs ${b.stacks!.length} stacks, ${a.resources} vs ${b.resources} resources (x${(a.resources! / b.resources!).toFixed(2)})`),
    ratio(summaries, 'multi-region 4 regions vs 2 regions (no shared cache)', 'sweep-4', 'sweep-2', undefined,
      (a, b) => `${a.stacks!.length} vs ${b.stacks!.length} stacks, ${a.resources} vs ${b.resources} resources (x${(a.resources! / b.resources!).toFixed(2)})`),
    ratio(summaries, 'multi-region 4 regions vs 2 regions (reference, MemoryDB Multi-Region)', 'multi-region-4', 'multi-region-2', undefined,
      (a, b) => `${a.stacks!.length} vs ${b.stacks!.length} stacks, ${a.resources} vs ${b.resources} resources (x${(a.resources! / b.resources!).toFixed(2)})`),
  ];
  console.log('\nRatios (synth = median synth wall time, the targeted figure; cpu = median synth CPU time; process = median child\n' +
    'wall time; per resource = synth wall time per resource):\n');
  const x = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(2)}x`);
  console.log(table([
    ['comparison', 'synth', 'cpu', 'process', 'per resource', 'target', 'status'],
    ...ratios.map((r) => [r.name, x(r.synthRatio), x(r.cpuRatio), x(r.totalRatio), x(r.perResourceRatio), r.target ? `<= ${r.target}x` : '-', r.status === 'MISSED' ? 'MISSED <<<' : r.status]),
  ], 1));
  console.log('');
  for (const r of ratios) console.log(`  ${r.name}: ${r.note}`);
  const missed = ratios.filter((r) => r.status === 'MISSED');
  console.log(missed.length > 0
    ? `\nMISSED: ${missed.map((r) => `${r.name} = ${x(r.synthRatio)} (target <= ${r.target}x)`).join('; ')}`
    : '\nAll targets measured were met.');
  if (ratios[0].status === 'MISSED' && ratios[1].status === 'MET') {
    console.log('  The active-active reference stack is not the same resources as the baseline (see above); the like-for-like\n' +
      '  comparison (library building blocks vs hand-written, identical resource types) is the one within target.');
  }

  const loadAvgEnd = os.loadavg().map((v) => Number(v.toFixed(2)));
  console.log(`\nLoad average at start ${env.loadAvgStart.join(' ')}, at end ${loadAvgEnd.join(' ')} (${env.cpus} CPUs): ` +
    'other processes share the machine; compare ratios from one run, not absolute times across runs.');
  if (fingerprintAfter !== fingerprintBefore) {
    console.log('WARNING: lib/, examples/, bench/ or cdk.json changed while the benchmark ran: runs may have measured different code.');
  }

  // ---- optional CPU profiles ----
  let profiles: Record<string, ProfileSummary & { file: string }> | undefined;
  const resultsDir = path.join(ROOT, 'bench', 'results');
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  if (opts.cpuProf) {
    profiles = {};
    const dir = path.join(resultsDir, `profiles-${stamp}`);
    for (const c of opts.cases) {
      const caseDir = path.join(dir, c.name);
      fs.mkdirSync(caseDir, { recursive: true });
      const r = runCase(c, ['--cpu-prof', `--cpu-prof-dir=${caseDir}`]);
      // Main thread only (esbuild's worker thread writes its own profile).
      const main = fs.readdirSync(caseDir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
      if (r.error || !main) {
        console.log(`\ncpu profile of ${c.name}: FAILED ${r.error ?? 'no main-thread profile written'}`);
        continue;
      }
      const summary = summarizeProfile(path.join(caseDir, main));
      profiles[c.name] = { ...summary, file: path.relative(ROOT, path.join(caseDir, main)) };
      console.log(`\nCPU profile of ${c.name} (main thread, ${sec(summary.totalMs)} s sampled; ${path.relative(ROOT, path.join(caseDir, main))}):`);
      for (const b of summary.buckets) console.log(`  ${sec(b.ms).padStart(6)} s  ${(100 * b.ms / summary.totalMs).toFixed(0).padStart(3)}%  ${b.bucket}`);
      console.log('  top self time:');
      for (const f of summary.topSelf.slice(0, 10)) console.log(`  ${sec(f.ms).padStart(6)} s  ${f.fn}  ${f.where}`);
    }
  }

  // ---- JSON ----
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `bench-${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify({
    startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    options: { runs: opts.runs, cases: opts.cases.map((c) => c.name), verify: opts.verify, cpuProf: opts.cpuProf },
    environment: { ...env, loadAvgEnd, sourceFingerprintAfter: fingerprintAfter, sourcesChangedDuringRun: fingerprintAfter !== fingerprintBefore },
    verification,
    targets: { sameResourcesVsHandWritten: TARGET_SAME_RESOURCES, regions8Vs2: TARGET_REGIONS_8_VS_2 },
    summaries: [...summaries.values()],
    ratios,
    warmups,
    runs: Object.fromEntries([...runs].map(([k, v]) => [k, v.map((r) => ({ totalMs: r.totalMs, error: r.error, ...r.result }))])),
    profiles,
  }, null, 2));
  console.log(`\nResults: ${path.relative(ROOT, file)}`);
}

main();
