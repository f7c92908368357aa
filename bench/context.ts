/**
 * The App context every benchmark case synthesizes with: the project's cdk.json
 * context (feature flags and the availability zones of the reference regions,
 * exactly what `cdk synth` passes to examples/aws/app.ts), plus three zones
 * (`<region>a/b/c`) for each extra region of the multi-region sweep that cdk.json
 * does not list. Synthesis never looks anything up.
 */
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..');

/** The reference app's placeholder account (examples/aws/reference.ts EXAMPLE_ACCOUNT). */
export const BENCH_ACCOUNT = '123456789012';

/**
 * Regions of the multi-region sweep, in order: the first two are the reference
 * app's (us-east-1 holds the cache primary, eu-west-1 the promotion watcher), so
 * the 2-region point of the sweep is the reference multi-region stack set itself.
 */
export const SWEEP_REGIONS = [
  'us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1',
  'ap-southeast-1', 'ap-northeast-1', 'us-east-2', 'ca-central-1',
];

export function azContextKey(region: string, account = BENCH_ACCOUNT): string {
  return `availability-zones:account=${account}:region=${region}`;
}

export function benchContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const context: Record<string, unknown> = { ...(cdkJson.context ?? {}) };
  for (const region of SWEEP_REGIONS) {
    const key = azContextKey(region);
    if (!(key in context)) context[key] = ['a', 'b', 'c'].map((z) => `${region}${z}`);
  }
  return context;
}
