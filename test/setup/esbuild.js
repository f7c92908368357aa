/**
 * What a test file gets for `require('esbuild')` (jest.config.js moduleNameMapper): esbuild itself, except that
 * `buildSync` of plain options writing one `outfile` goes to the worker's memo (test/setup/environment.js): each
 * bundle is built once per worker instead of once per test file, and written to every outfile asked for.
 * Anything else (other calls, options with functions, `write: false`, metafiles, source maps, an `outdir`) is
 * esbuild itself, loaded by absolute path on first use.
 */
const shared = globalThis.__mcpHaSharedEsbuild;

let realModule;
function real() {
  // Not through jest's resolver: that would map the package name back to this file.
  if (!realModule) {
    const Module = require('module');
    realModule = require(Module._resolveFilename('esbuild', { id: __filename, filename: __filename, paths: Module._nodeModulePaths(__dirname) }));
  }
  return realModule;
}

/** Options the memo handles: JSON-safe, one outfile written to disk, no other output asked for. */
function memoizable(options) {
  if (!shared || !options || typeof options.outfile !== 'string') return false;
  if (options.write === false || options.metafile || options.sourcemap || options.outdir || options.plugins || options.stdin) return false;
  try {
    return JSON.stringify(JSON.parse(JSON.stringify(options))) === JSON.stringify(options)
      && !Object.values(options).some((v) => typeof v === 'function');
  } catch {
    return false;
  }
}

function buildSync(options) {
  if (!memoizable(options)) return real().buildSync(options);
  let warnings;
  try {
    warnings = JSON.parse(shared.buildSync(JSON.stringify(options)));
  } catch (e) {
    // esbuild's error, as an Error of this realm (jest's matchers check its message).
    throw new Error(e instanceof Object && 'message' in e ? e.message : String(e));
  }
  return { errors: [], warnings, outputFiles: undefined, metafile: undefined, mangleCache: undefined };
}

/** esbuild's API (its lib/main.d.ts): loaded on first use, except buildSync. */
const API = ['analyzeMetafile', 'analyzeMetafileSync', 'build', 'context', 'formatMessages', 'formatMessagesSync', 'initialize', 'stop', 'transform', 'transformSync', 'version'];
module.exports = { buildSync };
for (const name of API) Object.defineProperty(module.exports, name, { enumerable: true, get: () => real()[name] });
Object.defineProperty(module.exports, 'default', { enumerable: true, get: () => module.exports });
