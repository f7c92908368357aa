/**
 * `npm run synth`: synthesizes every reference app with the real CLIs (cdk synth
 * for AWS, cdktf synth for Azure and Google Cloud), then prints a summary per
 * stack read back from the synthesized files.
 *
 * Offline by design: synthesis never calls a cloud API. Apps that do not exist
 * yet are reported and skipped.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SUMMARY_KEY, StackSummary, SummaryRow, formatSummaryTable } from '../lib/core/summary';

const ROOT = path.join(__dirname, '..');

/**
 * Runs an installed CLI (`cdk`, `cdktf`) by its bin file with this node, as `npx <cli>` would find it, without
 * npx's own start-up (about 0.6 CPU-seconds each).
 */
function run(cli: string, bin: string, args: string[]): void {
  const started = Date.now();
  console.log(`$ ${cli} ${args.join(' ')}`);
  const [cmd, argv] = [process.execPath, [require.resolve(bin), ...args]];
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CHECKPOINT_DISABLE: '1' } });
  if (r.status !== 0) {
    console.error(`${cli} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Entry file of the app a CLI config (cdk.json, cdktf.json) runs: the first existing .ts path in its app command. */
function appEntry(configFile: string): string | undefined {
  const file = path.join(ROOT, configFile);
  if (!fs.existsSync(file)) return undefined;
  const app: string = JSON.parse(fs.readFileSync(file, 'utf8')).app ?? '';
  return app.split(/\s+/).find((w) => w.endsWith('.ts') && fs.existsSync(path.join(ROOT, w)));
}

function cdkRows(): SummaryRow[] {
  const outDir = path.join(ROOT, 'cdk.out');
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  const rows: SummaryRow[] = [];
  const visit = (dir: string, artifacts: Record<string, { type: string; properties?: { templateFile?: string; stackName?: string }; displayName?: string }>) => {
    // Top-level stacks first, then each Stage's (nested assembly), in the order the app defines them.
    const ordered = Object.entries(artifacts).sort(([, x], [, y]) => Number(x.type === 'cdk:cloud-assembly') - Number(y.type === 'cdk:cloud-assembly'));
    for (const [id, a] of ordered) {
      if (a.type === 'aws:cloudformation:stack' && a.properties?.templateFile) {
        const template = JSON.parse(fs.readFileSync(path.join(dir, a.properties.templateFile), 'utf8'));
        const resources = Object.keys(template.Resources ?? {}).length;
        // One summary per topology in the stack, keyed by construct path. Rows name the CloudFormation stack
        // (a stack inside a Stage has an artifact id and display name of its own, e.g. McpMultiRegion/us-east-1).
        const stack = a.properties.stackName ?? a.displayName ?? id;
        const summaries = Object.values((template.Metadata?.[SUMMARY_KEY] ?? {}) as Record<string, StackSummary>);
        if (summaries.length === 0) rows.push({ stack, resources });
        for (const summary of summaries) rows.push({ stack, resources, summary });
      } else if (a.type === 'cdk:cloud-assembly') {
        const nested = path.join(dir, (a.properties as { directoryName: string }).directoryName);
        visit(nested, JSON.parse(fs.readFileSync(path.join(nested, 'manifest.json'), 'utf8')).artifacts ?? {});
      }
    }
  };
  visit(outDir, manifest.artifacts ?? {});
  return rows;
}

function cdktfRows(): SummaryRow[] {
  const stacksDir = path.join(ROOT, 'cdktf.out', 'stacks');
  if (!fs.existsSync(stacksDir)) return [];
  return fs.readdirSync(stacksDir).sort().map((name) => {
    const tf = JSON.parse(fs.readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8'));
    const resources = Object.values(tf.resource ?? {}).reduce<number>((n, byName) => n + Object.keys(byName as object).length, 0);
    const output = tf.output?.[SUMMARY_KEY.replace(/\W+/g, '_')]?.value;
    return { stack: name, resources, summary: output ? (JSON.parse(output) as StackSummary) : undefined };
  });
}

function main(): void {
  const rows: SummaryRow[] = [];
  const cdkApp = appEntry('cdk.json');
  if (cdkApp) {
    fs.rmSync(path.join(ROOT, 'cdk.out'), { recursive: true, force: true });
    run('cdk', 'aws-cdk/bin/cdk', ['synth', '--quiet']);
    rows.push(...cdkRows());
  } else {
    console.log('No AWS reference app yet (the file cdk.json runs does not exist): skipped.');
  }
  const cdktfApp = appEntry('cdktf.json');
  if (cdktfApp) {
    fs.rmSync(path.join(ROOT, 'cdktf.out'), { recursive: true, force: true });
    run('cdktf', 'cdktf-cli/bundle/bin/cdktf', ['synth']);
    rows.push(...cdktfRows());
  } else {
    console.log('No Terraform reference app yet (no cdktf.json app): skipped.');
  }
  if (rows.length === 0) {
    console.log('No reference apps to synthesize yet: nothing to summarize.');
    return;
  }
  console.log(`\n${formatSummaryTable(rows)}`);
}

main();
