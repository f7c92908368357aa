/**
 * The Google promotion function's code (lib/gcp/cache-promotion-handler) as the
 * directory Terraform zips, like the AWS handlers (lib/aws/private/handler-function.ts):
 *
 * - in the published package: the bundle `npm run build` made
 *   (`dist/gcp/cache-promotion-handler/bundle/index.js`): no bundler needed at synth;
 * - in this repository: `index.ts` bundled by esbuild in this process at synth.
 *
 * Both use `bundlePromotionHandler` (one set of esbuild options), so the same source
 * gives the same code and the same asset hash. Imports no Terraform binding:
 * scripts/build.ts uses it.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Folder of the prebuilt bundle inside the handler folder (written by `npm run build`). */
export const PROMOTION_HANDLER_BUNDLE_DIR = 'bundle';

/** The handler folder beside the compiled constructs (`<lib>/gcp/cache-promotion-handler`). */
export const PROMOTION_HANDLER_DIR = path.join(__dirname, '..', 'cache-promotion-handler');

/** Bundles the handler's `entry` into `outfile`: the one set of esbuild options for build time and synth time. */
export function bundlePromotionHandler(entry: string, outfile: string): void {
  // esbuild is a development dependency: the published package ships the prebuilt bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Paths in the bundle's comments are relative to the lib root, wherever the tree sits (same bytes, same hash).
    absWorkingDir: path.resolve(path.dirname(entry), '..', '..'),
    logLevel: 'error',
  });
}

/**
 * What `npm run build` (scripts/build.ts) does for Google: bundles the promotion function from
 * `libDir` (the sources) into `outLibDir` (the compiled tree's lib root); returns the bundles written.
 */
export function bundleGoogleHandlers(libDir: string, outLibDir: string): string[] {
  const outfile = path.join(outLibDir, 'gcp', 'cache-promotion-handler', PROMOTION_HANDLER_BUNDLE_DIR, 'index.js');
  fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  bundlePromotionHandler(path.join(libDir, 'gcp', 'cache-promotion-handler', 'index.ts'), outfile);
  return [outfile];
}

/**
 * The directory Terraform zips for the function: `index.js` (the prebuilt bundle, else
 * `index.ts` bundled now) and a `package.json`, in one directory per content, so repeated
 * synths reuse it.
 */
export function promotionHandlerSource(handlerDir: string = PROMOTION_HANDLER_DIR): string {
  const prebuilt = path.join(handlerDir, PROMOTION_HANDLER_BUNDLE_DIR, 'index.js');
  let code: Buffer;
  if (fs.existsSync(prebuilt)) {
    code = fs.readFileSync(prebuilt);
  } else {
    const entry = path.join(handlerDir, 'index.ts');
    if (!fs.existsSync(entry)) {
      throw new Error(`mcp-ha-constructs: ${prebuilt} is missing (the package's build bundles the Google promotion handler): reinstall the package`);
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ha-promotion-build-'));
    try {
      bundlePromotionHandler(entry, path.join(scratch, 'index.js'));
      code = fs.readFileSync(path.join(scratch, 'index.js'));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  const dir = path.join(os.tmpdir(), `mcp-ha-promotion-${createHash('sha256').update(code).digest('hex').slice(0, 16)}`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.js'), code);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'mcp-ha-cache-promotion', main: 'index.js', engines: { node: '20' } }));
  }
  return dir;
}
