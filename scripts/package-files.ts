/**
 * What the published package must contain: the files its entry points reach.
 *
 * `reachableFiles(root)` follows every relative `require(...)` of the compiled
 * JavaScript from each entry point of package.json `exports` (and the typings'
 * relative imports from each entry's `.d.ts`), and adds the prebuilt handler
 * bundles, which the constructs load by path at synth. Anything else in `dist/`
 * (the unbundled handler compile, which `require`s AWS SDK packages the package
 * does not depend on) must stay out of the tarball.
 */
import * as fs from 'fs';
import * as path from 'path';

interface PackageJson {
  readonly exports: Record<string, string | { readonly types?: string; readonly default?: string }>;
}

/** Relative module specifiers a compiled JavaScript file requires. */
function jsRequires(source: string): string[] {
  return [...source.matchAll(/\brequire\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)].map((m) => m[1]);
}

/** Relative module specifiers a declaration file imports or re-exports. */
function dtsImports(source: string): string[] {
  return [...source.matchAll(/(?:from\s+|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
}

function resolveModule(fromFile: string, spec: string, ext: '.js' | '.d.ts'): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [base, `${base}${ext}`, path.join(base, `index${ext}`)]) {
    if (candidate.endsWith(ext) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function closure(entries: readonly string[], ext: '.js' | '.d.ts', missing: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const spec of ext === '.js' ? jsRequires(source) : dtsImports(source)) {
      const target = resolveModule(file, spec, ext);
      if (target) queue.push(target);
      else missing.push(`${path.basename(file)} -> ${spec}`);
    }
  }
  return seen;
}

export interface PackageReach {
  /** Files (relative to the package root, `/`-separated) the package needs. */
  readonly files: readonly string[];
  /** Relative imports that resolve to no file (a broken package). */
  readonly missing: readonly string[];
}

/** The dist files a package rooted at `root` (with `dist/` built) needs, and any import that resolves nowhere. */
export function reachableFiles(root: string): PackageReach {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const entries = Object.values(pkg.exports).filter((e): e is { types?: string; default?: string } => typeof e === 'object');
  const missing: string[] = [];
  const js = closure(entries.map((e) => path.join(root, e.default!)), '.js', missing);
  const dts = closure(entries.map((e) => path.join(root, e.types!)), '.d.ts', missing);
  // Every reached module ships its typings too (a user may deep-import a type through it).
  for (const file of js) {
    const typings = file.replace(/\.js$/, '.d.ts');
    if (fs.existsSync(typings)) dts.add(typings);
  }
  // A type-only module reached through the typings compiles to an empty module
  // (TypeScript still emits it): it ships beside its typings, it costs nothing.
  for (const file of dts) {
    const compiled = file.replace(/\.d\.ts$/, '.js');
    if (!js.has(compiled) && fs.existsSync(compiled) && isTypeOnlyModule(fs.readFileSync(compiled, 'utf8'))) js.add(compiled);
  }
  const bundles = listFiles(path.join(root, 'dist')).filter((f) => /\/bundle\/index\.js$/.test(f.split(path.sep).join('/')));
  const all = [...js, ...dts, ...bundles].map((f) => path.relative(root, f).split(path.sep).join('/'));
  return { files: [...new Set(all)].sort(), missing };
}

/** True when a compiled module has no runtime content (only TypeScript's CommonJS preamble). */
export function isTypeOnlyModule(source: string): boolean {
  const body = source
    .replace(/^\s*"use strict";\s*/, '')
    .replace(/Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);\s*/, '')
    .replace(/\/\/# sourceMappingURL=.*$/m, '')
    .trim();
  return body === '';
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]);
}
