/**
 * The README's quick-start command, as a user runs it: `npm run synth` drives the
 * real CDK CLI (`cdk synth` with the root cdk.json) over the reference app and
 * prints the summary read back from the synthesized templates.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const STACKS = ['McpActiveActive', 'McpActivePassive', 'McpMultiRegion-us-east-1', 'McpMultiRegion-eu-west-1', 'McpMultiRegion-global'];

describe('npm run synth (the real CDK CLI)', () => {
  // WHEN the README's synth command runs
  const run = spawnSync('npm', ['run', '--silent', 'synth'], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CHECKPOINT_DISABLE: '1', CI: 'true' },
  });

  test('synthesizes every reference stack and exits 0', () => {
    expect(run.stderr).not.toMatch(/\[Error|ValidationError|failed \(exit/);
    expect(run.status).toBe(0);
    // CloudFormation stack names, including the stacks of the multi-region Stage (a nested cloud assembly).
    type Artifact = { type: string; properties?: { stackName?: string; directoryName?: string } };
    const stackNames = (dir: string): string[] => Object.entries(
      (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, Artifact> }).artifacts,
    ).flatMap(([id, a]) => a.type === 'aws:cloudformation:stack' ? [a.properties?.stackName ?? id]
      : a.type === 'cdk:cloud-assembly' ? stackNames(path.join(dir, a.properties!.directoryName!)) : []);
    expect(stackNames(path.join(ROOT, 'cdk.out')).sort()).toEqual([...STACKS].sort());
  });

  test('prints one summary row per stack, each budget within its target', () => {
    const rows = run.stdout.split('\n').filter((l) => STACKS.some((s) => l.startsWith(`${s} `)));
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(STACKS);
    for (const row of rows) {
      const [, budget, target] = row.match(/(\d+) s \/ (\d+) s/)!;
      expect(Number(budget)).toBeLessThanOrEqual(Number(target));
      expect(row).toMatch(/^\S+\s+aws\s+(active-active|active-passive|multi-region)\s/);
    }
  });
});
