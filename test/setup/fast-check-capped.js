/**
 * Mutation runs only (stryker.config.json maps `fast-check` here): the real
 * fast-check with every property capped at FAST_CHECK_MAX_RUNS runs (default 25).
 * A mutant is killed by the fixed cases (test/core/boundaries.test.ts and the
 * example tests) or within the first runs of a property; the full run counts
 * (200-500) stay in `npm test`. Without the cap a property test re-runs hundreds
 * of times for each of the ~800 mutants it covers, and the core run takes hours.
 */
// Resolved by Node's algorithm (walking up from here, as in a Stryker sandbox) and required by absolute path:
// requiring 'fast-check' would go through jest's moduleNameMapper (^fast-check$) and load this file again.
const Module = require('module');
const real = require(Module._resolveFilename('fast-check', { id: __filename, filename: __filename, paths: Module._nodeModulePaths(__dirname) }));

const cap = Number(process.env.FAST_CHECK_MAX_RUNS ?? '25');
const capped = Object.assign({}, real);
capped.assert = (property, params) => real.assert(property, { ...(params ?? {}), numRuns: Math.min(params?.numRuns ?? 100, cap) });
capped.check = (property, params) => real.check(property, { ...(params ?? {}), numRuns: Math.min(params?.numRuns ?? 100, cap) });
if ('default' in real) capped.default = capped;
module.exports = capped;
