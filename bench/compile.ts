/**
 * The benchmark measures the library as a consumer loads it: JavaScript, not
 * TypeScript through a loader. This transpiles lib/, examples/ and bench/ once
 * (esbuild, no bundling, same tree) into bench/.build, beside a copy of cdk.json,
 * so every case runs with plain `node`, with the library's Lambda handlers
 * prebuilt as the published package carries them (scripts/build.ts). Both sides
 * of every ratio (library and hand-written stacks) are compiled the same way.
 */
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { bundleLibraryHandlers } from '../scripts/build';

export const BUILD_DIR_NAME = '.build';

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'results' || e.name === 'dist' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Transpiles the tree and returns the build root (mirrors `root`). */
export function compileTree(root: string): string {
  const out = path.join(root, 'bench', BUILD_DIR_NAME);
  fs.rmSync(out, { recursive: true, force: true });
  const entryPoints = ['lib', 'examples', 'bench'].flatMap((d) => tsFiles(path.join(root, d)));
  buildSync({
    entryPoints, outdir: out, outbase: root, bundle: false, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error',
  });
  // The library's Lambda handlers, prebuilt as `npm run build` ships them in the package.
  bundleLibraryHandlers(path.join(root, 'lib'), path.join(out, 'lib'));
  // Files the code reads by relative path (feature flags; the server reads its version).
  for (const f of ['cdk.json', 'package.json']) fs.copyFileSync(path.join(root, f), path.join(out, f));
  return out;
}
