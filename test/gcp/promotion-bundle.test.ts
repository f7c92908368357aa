/**
 * The Google promotion function's code without esbuild at synth (like the AWS handlers): `npm run build`
 * prebuilds lib/gcp/cache-promotion-handler into `<handler>/bundle/index.js` (scripts/build.ts, with
 * bundleGoogleHandlers); an installed package synthesizes from it with no bundler, and it is the very code
 * the repository bundles at synth.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as os from 'os';
import * as path from 'path';
import { PROMOTION_HANDLER_DIR, bundleGoogleHandlers, promotionHandlerSource } from '../../lib/gcp/private/handler-bundle';
import { writeEsbuildBlocker } from '../support/no-esbuild';

const LIB = path.join(__dirname, '..', '..', 'lib');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcp-bundle-'));
// GIVEN the handler as `npm run build` writes it into the package (dist/gcp/cache-promotion-handler/bundle)
const [prebuilt] = bundleGoogleHandlers(LIB, path.join(dir, 'dist'));
const installedHandlerDir = path.dirname(path.dirname(prebuilt));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `script` in a node process where esbuild cannot be resolved (an app that never installed it). */
function withoutEsbuild(script: string): { status: number | null; stdout: string; stderr: string } {
  const blocker = writeEsbuildBlocker(dir);
  return spawnSync(process.execPath, ['--require', blocker, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
}

describe('Google promotion handler: prebuilt, no esbuild at synth', () => {
  test('the build writes a self-contained bundle: only node built-ins are required', () => {
    const code = fs.readFileSync(prebuilt, 'utf8');
    const required = [...code.matchAll(/(?<![[\w.])require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.filter((m) => !m.startsWith('node:') && !builtinModules.includes(m))).toEqual([]);
    expect(code).toMatch(/exports|module\.exports/);
  });

  test('the prebuilt bundle is the very code the repository bundles at synth (same directory, same asset hash)', () => {
    const installed = promotionHandlerSource(installedHandlerDir);
    const repository = promotionHandlerSource(PROMOTION_HANDLER_DIR);
    expect(installed).toBe(repository);
    expect(fs.readFileSync(path.join(installed, 'index.js'))).toEqual(fs.readFileSync(prebuilt));
    expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'))).toMatchObject({ main: 'index.js' });
  });

  test('an installed package synthesizes the function\'s code with esbuild unresolvable; the bundle loads and exports the handler', () => {
    // WHEN the installed layout is used in a process that cannot load esbuild
    const script = `
      const { promotionHandlerSource } = require(${JSON.stringify(path.join(LIB, 'gcp', 'private', 'handler-bundle.ts'))});
      const out = promotionHandlerSource(${JSON.stringify(installedHandlerDir)});
      const handler = require(require('path').join(out, 'index.js'));
      console.log(JSON.stringify({ out, handler: typeof handler.handler, run: typeof handler.run }));`;
    const r = withoutEsbuild(script);
    // THEN it works: the code is the prebuilt bundle, which exports the Cloud Run entry point
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ handler: 'function', run: 'function' });
  });

  test('a package missing the bundle, without esbuild: a clear error naming the missing file', () => {
    const broken = path.join(dir, 'broken', 'cache-promotion-handler');
    fs.mkdirSync(broken, { recursive: true });
    const r = withoutEsbuild(`require(${JSON.stringify(path.join(LIB, 'gcp', 'private', 'handler-bundle.ts'))}).promotionHandlerSource(${JSON.stringify(broken)})`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cache-promotion-handler\/bundle\/index\.js is missing \(the package's build bundles the Google promotion handler\): reinstall the package/);
  });
});
