/**
 * Every TypeScript example in README.md runs (against lib/, as the published
 * package would be imported), and every `// 'value'` comment after an expression
 * is what that expression returns.
 *
 * Each example runs in this test's process, in a module registry of its own (jest.isolateModules: lib/ and
 * aws-cdk-lib loaded afresh, as in a new process), compiled by the same transform as the tests. The README's
 * consumer example also runs with plain node from the installed tarball (test/package/build.test.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ha-readme-examples-'));

afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

/** Turns `expr;` followed by `// 'expected'` into an assertion. */
function withAssertions(code: string): string {
  return code.replace(/^(.*?);\n\/\/ '(.*)'$/gm, (_m, expr: string, expected: string) =>
    `{ const actual = ${expr}; if (actual !== ${JSON.stringify(expected)}) throw new Error('README says ' + ${JSON.stringify(expected)} + ' but got ' + actual); }`);
}

/**
 * The example with `mcp-ha-constructs` imported from lib/index.ts and every other package from this repository's
 * node_modules (the file is written outside the repository), as a user's project resolves them.
 */
function resolvedImports(code: string): string {
  return code.replace(/(from\s+|import\s+|require\()(['"])([^'".][^'"]*)\2/g, (_m, keyword: string, quote: string, spec: string) => {
    const target = spec === 'mcp-ha-constructs' ? path.join(ROOT, 'lib', 'index.ts') : require.resolve(spec, { paths: [ROOT] });
    return `${keyword}${quote}${target}${quote}`;
  });
}

/** Runs `file` in a fresh module registry; what it wrote to stderr (or the console's error and warning channels), line by line. */
function runIsolated(file: string): { error?: unknown; stderr: string[] } {
  const stderr: string[] = [];
  const capture = (...args: unknown[]) => { stderr.push(...args.map(String).join(' ').split('\n')); return true; };
  const spies = [
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => capture(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())),
    jest.spyOn(console, 'error').mockImplementation(capture),
    jest.spyOn(console, 'warn').mockImplementation(capture),
  ];
  let error: unknown;
  try {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file);
    });
  } catch (e) {
    error = e;
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
  return { error, stderr };
}

describe('README examples', () => {
  test('there are examples to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  test.each(blocks.map((b, i) => [i, b] as const))('example %d runs and its stated results hold', (i, block) => {
    const file = path.join(DIR, `example-${i}.ts`);
    fs.writeFileSync(file, resolvedImports(withAssertions(block)));
    const r = runIsolated(file);
    expect(r.stderr.filter((l) => /Error/.test(l))).toEqual([]);
    expect(r.error).toBeUndefined();
  });
});
