/**
 * A `node --require` preload that makes `esbuild` impossible to resolve, as in an
 * app that never installed it. Only tsx (which runs TypeScript with esbuild) may
 * still load it; everything else may not, including a built package placed under
 * node_modules.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Writes the preload into `dir` and returns its path. */
export function writeEsbuildBlocker(dir: string): string {
  const file = path.join(dir, 'no-esbuild.js');
  fs.writeFileSync(file, `
    const Module = require('module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, parent, ...rest) {
      const fromTsx = parent && parent.filename && parent.filename.includes('/node_modules/tsx/');
      if ((request === 'esbuild' || request.startsWith('esbuild/')) && !fromTsx) {
        const e = new Error("Cannot find module 'esbuild' (blocked: an app without esbuild)");
        e.code = 'MODULE_NOT_FOUND';
        throw e;
      }
      return resolve.call(this, request, parent, ...rest);
    };`);
  return file;
}
