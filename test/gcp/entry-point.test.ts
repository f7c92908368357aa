/**
 * `mcp-ha-constructs/gcp` alone: a Google Cloud user loads neither aws-cdk-lib nor
 * the Azure bindings, and only deep imports of the Google provider (the package
 * root costs about 3.3 s and 460 MB per process).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

describe('the gcp entry point', () => {
  // WHEN lib/gcp/index.ts is loaded alone in a fresh Node process
  const script = `
    require('./lib/gcp/index.ts');
    const mods = Object.keys(require.cache).map((m) => m.split('node_modules/').pop());
    process.stdout.write(JSON.stringify(mods.filter((m) => !m.startsWith('/'))));`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (Date.now() - started) / 1000;
  const modules: string[] = r.status === 0 ? JSON.parse(r.stdout) : [];

  test('loads', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(modules.some((m) => m.startsWith('@cdktf/provider-google/lib/compute-backend-service/'))).toBe(true);
  });

  test('loads neither aws-cdk-lib nor the Azure bindings', () => {
    expect(modules.filter((m) => m.startsWith('aws-cdk-lib/') || m.startsWith('@cdktf/provider-azurerm/'))).toEqual([]);
  });

  test('never the Google provider\'s package root (only lib/<resource> deep imports)', () => {
    const google = modules.filter((m) => m.startsWith('@cdktf/provider-google/'));
    expect(google.filter((m) => !/^@cdktf\/provider-google\/lib\/[a-z0-9-]+\/index\.js$/.test(m))).toEqual([]);
    expect(seconds).toBeLessThan(30);
  });
});
