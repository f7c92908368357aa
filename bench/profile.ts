/**
 * Summarizes a V8 CPU profile (node --cpu-prof) of one case: where the main
 * thread's time went, by phase (first matching bucket on each sample's stack) and
 * by function (self time).
 */
import * as fs from 'fs';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface ProfileSummary {
  readonly totalMs: number;
  readonly buckets: { bucket: string; ms: number }[];
  readonly topSelf: { fn: string; where: string; ms: number }[];
}

/** Buckets in priority order: a sample goes to the first one any frame of its stack matches. */
const BUCKETS: [string, (f: CallFrame) => boolean][] = [
  ['template validation (@aws/cloudformation-validate wasm, validateAgainstDefaultRules)',
    (f) => f.url.includes('@aws/cloudformation-validate') || f.url.startsWith('wasm://') || f.functionName === 'validateTemplates'],
  ['asset bundling (esbuild: NodejsFunction + MCP server bundle)',
    (f) => f.url.includes('/esbuild/') || f.url.includes('aws-lambda-nodejs/lib/bundling') || f.functionName === 'tryBundle'],
  ['module loading (require, tsx transpile)',
    (f) => (f.url.includes('modules/cjs/loader') && f.functionName.startsWith('Module._')) || f.url.includes('/tsx/')],
  ['app.synth(): other (prepare, resolve, write cloud assembly)',
    (f) => f.url.includes('core/lib/private/synthesis') || f.functionName === 'synth'],
  ['construction: this library (lib/) and what it calls', (f) => f.url.includes('/work/main/lib/') || f.url.includes('/lib/aws/')],
  ['construction: bench builder / aws-cdk-lib directly', (f) => f.url.includes('/bench/') || f.url.includes('/examples/')],
];

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampleUs = new Map<number, number>();
  p.samples.forEach((id, i) => sampleUs.set(id, (sampleUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));

  const buckets = new Map<string, number>();
  const self = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (const [id, us] of sampleUs) {
    total += us;
    const leaf = byId.get(id)!.callFrame;
    const where = leaf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/work\/main\//, '');
    const key = `${leaf.functionName}|${where}|${leaf.lineNumber}`;
    const s = self.get(key) ?? { fn: leaf.functionName || '(anonymous)', where: where ? `${where}:${leaf.lineNumber + 1}` : '', us: 0 };
    s.us += us;
    self.set(key, s);

    let bucket: string | undefined;
    if (['(idle)', '(garbage collector)', '(program)'].includes(leaf.functionName)) {
      bucket = leaf.functionName;
    }
    const frames: CallFrame[] = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) frames.push(byId.get(x)!.callFrame);
    // Everything of bench/case.ts runs inside the require() of case.ts itself: classify only
    // the frames below its `measure` (leaf first), so construction is not taken for loading.
    const measureAt = frames.findIndex((f) => f.functionName === 'measure' && f.url.endsWith('bench/case.ts'));
    if (!bucket && measureAt < 0) bucket = 'startup and exit (node, tsx, loading bench/case.ts, writing results)';
    if (!bucket) {
      const inner = frames.slice(0, measureAt);
      for (const [name, match] of BUCKETS) {
        if (inner.some(match)) { bucket = name; break; }
      }
    }
    bucket ??= 'other (bench measure(), App)';
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    buckets: [...buckets].map(([bucket, us]) => ({ bucket, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
    topSelf: [...self.values()].sort((a, b) => b.us - a.us).slice(0, top).map((s) => ({ fn: s.fn, where: s.where, ms: s.us / 1000 })),
  };
}
