import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
import * as fs from 'fs';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Loads an entry point in a fresh Node process and lists the cdktf modules it pulled in. */
function loadedModules(entry: string): { ok: boolean; cdktf: string[]; stderr: string } {
  const script = `
    require(${JSON.stringify(entry)});
    const mods = Object.keys(require.cache).filter((m) => /node_modules\\/(cdktf|@cdktf)\\//.test(m));
    process.stdout.write(JSON.stringify(mods));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return { ok: r.status === 0, cdktf: r.status === 0 ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}

describe('package entry points', () => {
  test('the root entry point (core + aws) loads no Terraform binding', () => {
    const r = loadedModules('./lib/index.ts');
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
    expect(r.cdktf).toEqual([]);
  });

  test('exports map the root, core, aws, azure and gcp subpaths to the build output', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './core', './aws', './azure', './gcp', './package.json']);
    expect(pkg.exports['./azure'].default).toBe('./dist/azure/index.js');
    expect(pkg.exports['./gcp'].default).toBe('./dist/gcp/index.js');
  });

  test('cdktf and the provider bindings are optional peers; aws-cdk-lib and constructs are required peers', () => {
    for (const p of ['cdktf', '@cdktf/provider-azurerm', '@cdktf/provider-google']) {
      expect(pkg.peerDependencies[p]).toBeDefined();
      expect(pkg.peerDependenciesMeta[p]).toEqual({ optional: true });
    }
    expect(pkg.peerDependencies['aws-cdk-lib']).toBeDefined();
    expect(pkg.peerDependenciesMeta['aws-cdk-lib']).toBeUndefined();
    expect(pkg.devDependencies.typescript).toMatch(/^~6\.0/);
    expect(pkg.devDependencies.cdktf).toMatch(/^~0\.21\./);
  });
});
