/**
 * The published package (`npm run build`): compiled JavaScript, typings, and a
 * prebuilt bundle of each of the library's Lambda handlers. An app that uses the
 * package has no bundler for them (esbuild is a development dependency of this
 * repository, and the certificate handler bundles modules the package does not
 * depend on), so the build must carry them, and they must be the very code the
 * repository bundles at synth.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildPackage } from '../../scripts/build';
import { McpProbe } from '../../lib/aws/mcp-probe';
import { HandlerFunction, LIBRARY_HANDLERS, libraryHandlerDir } from '../../lib/aws/private/handler-function';
import { TEST_ACCOUNT, cdkJsonContext, testApp } from '../support/app';
import { writeEsbuildBlocker } from '../support/no-esbuild';

const ROOT = path.join(__dirname, '..', '..');
// Inside node_modules/.cache, so the built files resolve aws-cdk-lib from this repository's node_modules.
const OUT = path.join(ROOT, 'node_modules', '.cache', `mcp-ha-build-test-${process.pid}`);
const DIST = path.join(OUT, 'dist');
let bundles: string[] = [];

/** The library's functions in one stack: the MCP probe through the public API, every handler through HandlerFunction. */
function libraryFunctionsScript(lib: string): string {
  return `
    const aws = require(${JSON.stringify(path.join(lib, 'aws', 'index'))});
    const hf = require(${JSON.stringify(path.join(lib, 'aws', 'private', 'handler-function'))});
    function build(stack, Duration) {
      new aws.McpProbe(stack, 'Probe', { url: 'https://mcp.example.com/mcp' });
      for (const name of Object.keys(hf.LIBRARY_HANDLERS)) {
        new hf.HandlerFunction(stack, name, { handlerDir: hf.libraryHandlerDir(name), description: name, timeout: Duration.seconds(30) });
      }
    }`;
}

/** Function logical id -> Code, with the asset bucket left out. */
function functionCode(template: { Resources: Record<string, { Type: string; Properties: { Code: { S3Key: string } } }> }): Record<string, string> {
  return Object.fromEntries(Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => [id, r.Properties.Code.S3Key]));
}

beforeAll(() => {
  bundles = buildPackage(DIST);
}, 120_000);

afterAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
});

describe('npm run build', () => {
  test('writes JavaScript and typings for every entry point, and one bundle per library handler', () => {
    for (const entry of ['index', 'core/index', 'aws/index', 'azure/index', 'gcp/index']) {
      expect(fs.existsSync(path.join(DIST, `${entry}.js`))).toBe(true);
      expect(fs.existsSync(path.join(DIST, `${entry}.d.ts`))).toBe(true);
    }
    expect(bundles.map((b) => path.relative(DIST, b)).sort()).toEqual(
      Object.keys(LIBRARY_HANDLERS).map((name) => path.join('aws', name, 'bundle', 'index.js')).sort());
    // Self-contained: only the runtime's AWS SDK clients stay external.
    const certificate = fs.readFileSync(path.join(DIST, 'aws', 'certificate-handler', 'bundle', 'index.js'), 'utf8');
    // (A require inside an error message, "[require(...);]", is text, not a call.)
    const required = [...certificate.matchAll(/(?<![[\w.])require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !m.startsWith('node:'));
    expect([...new Set(required)].filter((m) => m.startsWith('@')).sort()).toEqual(['@aws-sdk/client-acm', '@aws-sdk/client-secrets-manager']);
    // The published files (package.json "files") include the bundles.
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('dist/**/*.js');
  });

  test('an app using the built package synthesizes the library\'s functions without esbuild, with the same code as the sources', () => {
    // GIVEN the built package, loaded by plain node with esbuild impossible to load
    const blocker = writeEsbuildBlocker(OUT);
    const outdir = path.join(OUT, 'cdk.out');
    const script = `${libraryFunctionsScript(DIST)}
      let esbuildLoads = true;
      try { require('esbuild'); } catch { esbuildLoads = false; }
      const { App, Stack, Duration } = require('aws-cdk-lib');
      const app = new App({ outdir: ${JSON.stringify(outdir)}, context: ${JSON.stringify(cdkJsonContext())} });
      const stack = new Stack(app, 'Pkg', { env: { account: '${TEST_ACCOUNT}', region: 'us-east-1' } });
      build(stack, Duration);
      const assembly = app.synth();
      process.stdout.write(JSON.stringify({ esbuildLoads, template: assembly.getStackByName('Pkg').template }));`;
    // WHEN it synthesizes
    const child = spawnSync(process.execPath, ['--require', blocker, '-e', script], { cwd: OUT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(child.stderr.split('\n').filter((l) => l.trim() && !/deprecated|cooldown/.test(l))).toEqual([]);
    expect(child.status).toBe(0);
    const published = JSON.parse(child.stdout) as { esbuildLoads: boolean; template: Parameters<typeof functionCode>[0] };
    expect(published.esbuildLoads).toBe(false);

    // THEN every function's code is the asset the repository's sources produce (bundled at synth)
    const app = testApp();
    const stack = new Stack(app, 'Pkg', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    new McpProbe(stack, 'Probe', { url: 'https://mcp.example.com/mcp' });
    for (const name of Object.keys(LIBRARY_HANDLERS)) {
      new HandlerFunction(stack, name, { handlerDir: libraryHandlerDir(name), description: name, timeout: Duration.seconds(30) });
    }
    const fromSources = functionCode(Template.fromStack(stack).toJSON() as Parameters<typeof functionCode>[0]);
    expect(Object.keys(fromSources)).toHaveLength(4);
    expect(functionCode(published.template)).toEqual(fromSources);
    // AND the assets in the published app's assembly are the prebuilt bundles
    for (const key of Object.values(fromSources)) {
      const staged = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.js');
      expect(fs.existsSync(staged)).toBe(true);
    }
  });
});
