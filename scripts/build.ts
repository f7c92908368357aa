/**
 * `npm run build [-- --out-dir DIR]`: the package as it is published.
 *
 * 1. tsc compiles lib/ into DIR (default dist/; tsconfig.build.json): JavaScript and typings.
 * 2. esbuild bundles each of the library's Lambda handlers (LIBRARY_HANDLERS) into
 *    DIR/aws/<handler>/bundle/index.js, with the same options the repository bundles
 *    them with at synth, so an app using the package synthesizes without a bundler
 *    and gets the same asset hashes.
 * 3. esbuild bundles the Google promotion function (lib/gcp/cache-promotion-handler) into
 *    DIR/gcp/cache-promotion-handler/bundle/index.js (lib/gcp/private/handler-bundle.ts), so
 *    an app synthesizes Google stacks without esbuild too.
 *
 * DIR is emptied first, so nothing stale is published.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HANDLER_BUNDLE_DIR, LIBRARY_HANDLERS, bundleHandler } from '../lib/aws/private/handler-function';
import { bundleGoogleHandlers } from '../lib/gcp/private/handler-bundle';

const ROOT = path.join(__dirname, '..');

/** Bundles every library handler from `libDir` (sources) into `outLibDir` (the compiled tree's lib root). */
export function bundleLibraryHandlers(libDir: string, outLibDir: string): string[] {
  return Object.entries(LIBRARY_HANDLERS).map(([name, bundling]) => {
    const outfile = path.join(outLibDir, 'aws', name, HANDLER_BUNDLE_DIR, 'index.js');
    fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
    bundleHandler(path.join(libDir, 'aws', name, 'index.ts'), outfile, bundling);
    return outfile;
  });
}

/** Compiles and bundles the package into `outDir`; returns the bundles written. */
export function buildPackage(outDir: string): string[] {
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], {
    cwd: ROOT, encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  return [...bundleLibraryHandlers(path.join(ROOT, 'lib'), outDir), ...bundleGoogleHandlers(path.join(ROOT, 'lib'), outDir)];
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out-dir');
  const outDir = path.resolve(i >= 0 && args[i + 1] ? args[i + 1] : path.join(ROOT, 'dist'));
  const started = performance.now();
  const bundles = buildPackage(outDir);
  console.log(`Built ${path.relative(process.cwd(), outDir) || '.'} in ${((performance.now() - started) / 1000).toFixed(1)} s: `
    + `tsc, and ${bundles.length} handler bundles (${bundles.map((b) => path.relative(outDir, b)).join(', ')})`);
}
