/**
 * Bundles the reference server into one self-contained file, dist/server.js
 * (CommonJS, Node 20), with every dependency inlined: what a CDK asset and the
 * systemd unit (mcp-server.service) ship to an instance, with no npm install there.
 *
 *   npx tsx examples/mcp-server/build.ts [outfile]
 */
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

export const DEFAULT_OUTFILE = join(__dirname, 'dist', 'server.js');

/** Bundles src/main.ts to `outfile`; returns the path. */
export async function bundleServer(outfile: string = DEFAULT_OUTFILE): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: false,
    sourcemap: false,
    legalComments: 'inline',
    logLevel: 'silent',
    banner: { js: '#!/usr/bin/env node\n// mcp-ha-constructs reference MCP server (bundled; see examples/mcp-server/README.md)' },
  });
  const problems = [...result.errors, ...result.warnings];
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed:\n${problems.map((p) => p.text).join('\n')}`);
  }
  return outfile;
}

if (require.main === module) {
  const out = resolve(process.argv[2] ?? DEFAULT_OUTFILE);
  bundleServer(out).then(
    (file) => console.log(`bundled ${file}`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
