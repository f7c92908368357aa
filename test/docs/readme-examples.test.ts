/**
 * Every TypeScript example in README.md runs (against lib/, as the published
 * package would be imported), and every `// 'value'` comment after an expression
 * is what that expression returns.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Turns `expr;` followed by `// 'expected'` into an assertion. */
function withAssertions(code: string): string {
  return code.replace(/^(.*?);\n\/\/ '(.*)'$/gm, (_m, expr: string, expected: string) =>
    `{ const actual = ${expr}; if (actual !== ${JSON.stringify(expected)}) throw new Error('README says ' + ${JSON.stringify(expected)} + ' but got ' + actual); }`);
}

describe('README examples', () => {
  test('there are examples to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  test.each(blocks.map((b, i) => [i, b] as const))('example %d runs and its stated results hold', (i, block) => {
    // Inside the repo so the example resolves the repo's node_modules, as a user's project would.
    const dir = path.join(ROOT, 'node_modules', '.cache', 'readme-examples');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `example-${i}.ts`);
    const libIndex = path.join(ROOT, 'lib', 'index.ts');
    fs.writeFileSync(file, withAssertions(block).replace(/from 'mcp-ha-constructs'/g, `from ${JSON.stringify(libIndex)}`));
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
    expect(r.stderr.split('\n').filter((l) => /Error/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
