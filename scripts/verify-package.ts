/**
 * `prepack` (after `npm run build`): refuses to pack or publish a package that
 * lacks what its entry points reach, or that ships compiled files no entry point
 * reaches. Compares `npm pack --dry-run` (what `files` selects) with
 * `reachableFiles` (what the exports need).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { reachableFiles } from './package-files';

const ROOT = path.join(__dirname, '..');

/** Files `npm pack` would put in the tarball (without running scripts again). */
export function packedFiles(root: string): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
}

/** Problems with the package at `root`, empty when it is right. */
export function verifyPackage(root: string): string[] {
  const reach = reachableFiles(root);
  const packed = packedFiles(root);
  const problems: string[] = reach.missing.map((m) => `an import resolves to no file: ${m}`);
  const packedSet = new Set(packed);
  for (const f of reach.files) if (!packedSet.has(f)) problems.push(`needed but not packed: ${f}`);
  const needed = new Set(reach.files);
  for (const f of packed.filter((p) => p.startsWith('dist/'))) {
    if (!needed.has(f)) problems.push(`packed but reached by no entry point: ${f}`);
  }
  for (const f of ['package.json', 'README.md', 'LICENSE']) if (!packedSet.has(f)) problems.push(`not packed: ${f}`);
  return problems;
}

if (require.main === module) {
  const problems = verifyPackage(ROOT);
  if (problems.length > 0) {
    console.error(`The package is not fit to publish:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('Package verified: every file the entry points reach is packed, and nothing else from dist/.');
}
