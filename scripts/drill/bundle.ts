/**
 * One bundle of the reference server per process: the drills that run side by side in one
 * jest worker (drill.test.ts, region-drill.test.ts) start the same file instead of building
 * it once each (about a second of esbuild on the shared 2-core machine).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleServer } from '../../examples/mcp-server/build';

let shared: Promise<string> | undefined;

/** The path of this process's bundled server (built on first use, in its own temp directory). */
export function sharedBundle(): Promise<string> {
  shared ??= bundleServer(join(mkdtempSync(join(tmpdir(), 'mcp-ha-bundle-')), 'server.js'));
  // A failed build is not cached: the next caller tries again.
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}
