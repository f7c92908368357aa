/**
 * `mcp-ha-constructs/azure` alone loads neither aws-cdk-lib nor the Google
 * bindings, and only deep imports of the azurerm bindings (never the package
 * root: 3.7 s and 420 MB per process); the root entry point loads no Azure or
 * Terraform binding.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function loaded(entry: string): { ok: boolean; modules: string[]; stderr: string } {
  const script = `
    require(${JSON.stringify(entry)});
    process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((m) => m.includes('node_modules'))));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return { ok: r.status === 0, modules: r.status === 0 ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}

const matching = (mods: string[], re: RegExp) => mods.filter((m) => re.test(m));

describe('entry points', () => {
  test('the Azure entry point loads no aws-cdk-lib, no Google binding and no azurerm package root', () => {
    const r = loaded('./lib/azure/index.ts');
    expect(r.stderr).toBe('');
    expect(r.ok).toBe(true);
    expect(matching(r.modules, /node_modules\/aws-cdk-lib\//)).toEqual([]);
    expect(matching(r.modules, /node_modules\/@cdktf\/provider-google\//)).toEqual([]);
    expect(matching(r.modules, /node_modules\/@cdktf\/provider-azurerm\/lib\/index\.js$/)).toEqual([]);
    // It does load the deep azurerm bindings it uses.
    expect(matching(r.modules, /@cdktf\/provider-azurerm\/lib\/application-gateway\//).length).toBeGreaterThan(0);
  });

  test('the root entry point (core + AWS) loads no azurerm, vault or Google binding and no cdktf', () => {
    const r = loaded('./lib/index.ts');
    expect(r.ok).toBe(true);
    expect(matching(r.modules, /node_modules\/(cdktf|@cdktf)\//)).toEqual([]);
  });
});
