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
import { builtinModules } from 'module';
import * as os from 'os';
import { isTypeOnlyModule, reachableFiles } from '../../scripts/package-files';
import { McpProbe } from '../../lib/aws/mcp-probe';
import { HandlerFunction, LIBRARY_HANDLERS, libraryHandlerDir } from '../../lib/aws/private/handler-function';
import { PROMOTION_HANDLER_BUNDLE_DIR, PROMOTION_HANDLER_DIR } from '../../lib/gcp/private/handler-bundle';
import { TEST_ACCOUNT, cdkJsonContext, testApp } from '../support/app';
import { writeEsbuildBlocker } from '../support/no-esbuild';

const ROOT = path.join(__dirname, '..', '..');
// Inside node_modules/.cache, so the unpacked files resolve aws-cdk-lib from this repository's node_modules.
const OUT = path.join(ROOT, 'node_modules', '.cache', `mcp-ha-build-test-${process.pid}`);
/** The tarball `npm pack` wrote, unpacked: what users get. */
const PACKAGE = path.join(OUT, 'package');
const DIST = path.join(PACKAGE, 'dist');
let bundles: string[] = [];
let tarball = '';
let packedFiles: string[] = [];

/**
 * One scratch consumer app outside this repository, set up once for the tests below: the tarball installed by npm,
 * and the required peers at the versions package-lock.json pins, which must satisfy the package's peer ranges.
 * The peers are this repository's installed copies of exactly those versions, linked into the app's node_modules
 * instead of unpacked again from npm's cache (aws-cdk-lib is ~190 MB on disk: ~6 CPU-seconds here).
 */
const consumer = { dir: '', peers: [] as string[], install: { status: -1 as number | null, stderr: '' } };
/** What the consumer app's single run printed: the README example (phase 1), then the library's functions with esbuild blocked (phase 2). */
let consumerRun: { status: number | null; readmeStderr: string[]; functionsStderr: string[]; functions?: { esbuildLoads: boolean; template: Parameters<typeof functionCode>[0] }; outdir: string; functionsOutdir: string };
const PEERS = ['aws-cdk-lib', 'constructs'];
const PHASE = '--- mcp-ha build test: library functions ---';

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

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]);
}

beforeAll(() => {
  // The real `npm pack`: its prepack script builds dist/ (tsc + handler bundles) and verifies the file list.
  fs.mkdirSync(OUT, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
  const report = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(OUT, report[0].filename);
  packedFiles = report[0].files.map((f) => f.path).sort();
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', OUT], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  bundles = listFiles(DIST).filter((f) => f.endsWith(path.join('bundle', 'index.js')));
  setUpConsumer();
}, 240_000);

afterAll(() => {
  fs.rmSync(OUT, { recursive: true, force: true });
  if (consumer.dir) fs.rmSync(consumer.dir, { recursive: true, force: true });
});

/** `version` within `range`, for the range forms package.json uses for peers (^x.y.z, ~x.y.z, x.y.z); any other form throws. */
function satisfies(version: string, range: string): boolean {
  const m = range.match(/^([\^~]?)(\d+)\.(\d+)\.(\d+)$/);
  const v = version.match(/^(\d+)\.(\d+)\.(\d+)$/);
  if (!m || !v) throw new Error(`unsupported range or version: ${range} / ${version}`);
  const [want, have] = [m.slice(2).map(Number), v.slice(1).map(Number)];
  const atLeast = have[0] !== want[0] ? have[0] > want[0] : have[1] !== want[1] ? have[1] > want[1] : have[2] >= want[2];
  if (m[1] === '') return have.join('.') === want.join('.');
  if (m[1] === '~') return atLeast && have[0] === want[0] && have[1] === want[1];
  // Caret: the same left-most non-zero part.
  return atLeast && (want[0] > 0 ? have[0] === want[0] : want[1] > 0 ? have[0] === 0 && have[1] === want[1] : have.join('.') === want.join('.'));
}

test('the peer range check follows npm\'s caret and tilde rules', () => {
  expect([satisfies('2.276.0', '^2.276.0'), satisfies('2.300.1', '^2.276.0'), satisfies('3.0.0', '^2.276.0'), satisfies('2.275.9', '^2.276.0')]).toEqual([true, true, false, false]);
  expect([satisfies('0.21.4', '~0.21.0'), satisfies('0.22.0', '~0.21.0'), satisfies('0.21.4', '^0.21.0'), satisfies('0.22.0', '^0.21.0')]).toEqual([true, false, true, false]);
  expect([satisfies('10.8.1', '10.8.1'), satisfies('10.8.2', '10.8.1')]).toEqual([true, false]);
});

test('a compiled module counts as type-only only when it has nothing but TypeScript\'s preamble', () => {
  const preamble = '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n';
  expect(isTypeOnlyModule(preamble)).toBe(true);
  expect(isTypeOnlyModule(`${preamble}//# sourceMappingURL=x.js.map\n`)).toBe(true);
  expect(isTypeOnlyModule(`${preamble}exports.A = 1;\n`)).toBe(false);
  expect(isTypeOnlyModule(`${preamble}require("./other");\n`)).toBe(false);
});

function npmErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /ERR!|npm error/.test(l));
}

function setUpConsumer(): void {
  // GIVEN a scratch app outside this repository with the tarball and its required peers installed
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ha-consumer-'));
  consumer.dir = app;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  const peers = PEERS.map((p) => `${p}@${lock.packages[`node_modules/${p}`].version}`);
  const npm = (args: string[]) => spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...args], { cwd: app, encoding: 'utf8' });
  consumer.peers = peers;
  // The package has no dependencies of its own: npm installs the tarball alone (the peers are linked below).
  consumer.install = npm(['--legacy-peer-deps', tarball]);
  for (const p of PEERS) {
    const installed = path.join(ROOT, 'node_modules', p);
    const version = (JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string }).version;
    if (`${p}@${version}` !== peers[PEERS.indexOf(p)]) throw new Error(`node_modules/${p} is ${version}, package-lock.json pins ${peers[PEERS.indexOf(p)]}: run npm ci`);
    fs.symlinkSync(installed, path.join(app, 'node_modules', p), 'dir');
  }
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const example = [...readme.matchAll(/```ts\n(\/\/ app\.ts\n[\s\S]*?)```/g)].map((m) => m[1])[0];
  fs.writeFileSync(path.join(app, 'app.ts'), example ?? '');

  // WHEN one plain node process, with esbuild impossible to load, runs the README's example (phase 1: the zones an
  // offline synth needs in the context, as README says), then synthesizes the library's functions from the
  // installed package (phase 2)
  const blocker = writeEsbuildBlocker(app);
  const outdir = path.join(app, 'cdk.out');
  const functionsOutdir = path.join(app, 'functions.out');
  const dist = path.join(app, 'node_modules', 'mcp-ha-constructs', 'dist');
  fs.writeFileSync(path.join(app, 'run.js'), `
    require('./app.ts');
    process.stderr.write(${JSON.stringify(`${PHASE}
`)});
    ${libraryFunctionsScript(dist)}
    let esbuildLoads = true;
    try { require('esbuild'); } catch { esbuildLoads = false; }
    const { App, Stack, Duration } = require('aws-cdk-lib');
    const app = new App({ outdir: ${JSON.stringify(functionsOutdir)}, context: ${JSON.stringify(cdkJsonContext())} });
    const stack = new Stack(app, 'Pkg', { env: { account: '${TEST_ACCOUNT}', region: 'us-east-1' } });
    build(stack, Duration);
    const assembly = app.synth();
    process.stdout.write(${JSON.stringify(`${PHASE}
`)} + JSON.stringify({ esbuildLoads, template: assembly.getStackByName('Pkg').template }));`);
  const run = spawnSync(process.execPath, ['--require', blocker, '--import', require.resolve('tsx'), 'run.js'], {
    cwd: app, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env, CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'] }),
    },
  });
  const [readmeStderr, functionsStderr = ''] = run.stderr.split(`${PHASE}\n`);
  const functions = run.stdout.split(`${PHASE}\n`)[1];
  consumerRun = {
    status: run.status, outdir, functionsOutdir,
    readmeStderr: readmeStderr.split('\n').filter((l) => l.trim()),
    functionsStderr: functionsStderr.split('\n').filter((l) => l.trim()),
    functions: functions ? JSON.parse(functions) : undefined,
  };
}

describe('npm pack (prepack builds and verifies)', () => {
  test('ships exactly what the entry points reach, plus the docs, README and LICENSE', () => {
    const reach = reachableFiles(PACKAGE);
    expect(reach.missing).toEqual([]);
    expect(packedFiles.filter((f) => f.startsWith('dist/'))).toEqual(reach.files);
    // Nothing shipped outside the prebuilt bundles requires a package users do not install (the unbundled AWS
    // handlers require AWS SDK clients, so they stay out): only node builtins, the package itself and its peers.
    const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; dependencies?: Record<string, string> };
    const declared = new Set([...Object.keys(pkg.peerDependencies), ...Object.keys(pkg.dependencies ?? {})]);
    const undeclared = packedFiles.filter((f) => f.endsWith('.js') && !f.includes('/bundle/')).flatMap((f) =>
      [...fs.readFileSync(path.join(PACKAGE, f), 'utf8').matchAll(/\brequire\(\s*["']([^."'][^"']*)["']\s*\)/g)]
        .map((m) => m[1]).filter((spec) => !spec.startsWith('node:') && !builtinModules.includes(spec))
        .map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]))
        .filter((name) => !declared.has(name)).map((name) => `${f} requires ${name}`));
    expect(undeclared).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'docs/FAILOVER.md']));
  });

  test('every README link works on the npm page: absolute, and links into the package name packed files', () => {
    const readme = fs.readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(3);
    expect(targets.filter((t) => !/^(https?:\/\/|#)/.test(t))).toEqual([]);
    const inPackage = targets.filter((t) => t.startsWith('https://unpkg.com/mcp-ha-constructs/'))
      .map((t) => t.slice('https://unpkg.com/mcp-ha-constructs/'.length).replace(/#.*$/, ''));
    expect(inPackage.filter((f) => !packedFiles.includes(f))).toEqual([]);
  });

  test('LICENSE is the Apache License 2.0 the package declares', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as { license: string; keywords: string[] };
    expect(pkg.license).toBe('Apache-2.0');
    expect(fs.readFileSync(path.join(PACKAGE, 'LICENSE'), 'utf8')).toMatch(/^\s+Apache License\s+Version 2\.0, January 2004/);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'cdktf', 'mcp']));
  });

  test('installed into a fresh app, the README\'s consumer example synthesizes with plain node and no warning', () => {
    // (the app, its install and its run: setUpConsumer, once for this file)
    expect(npmErrors(consumer.install.stderr)).toEqual([]);
    expect(consumer.install.status).toBe(0);
    // The peers the app has are the versions the lockfile pins, within the ranges the installed package declares.
    const installed = JSON.parse(fs.readFileSync(path.join(consumer.dir, 'node_modules', 'mcp-ha-constructs', 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; dependencies?: Record<string, string> };
    expect(installed.dependencies ?? {}).toEqual({});
    for (const spec of consumer.peers) {
      const [, name, version] = spec.match(/^(@?[^@]+)@(.+)$/)!;
      expect(`${name} ${satisfies(version, installed.peerDependencies[name]) ? 'within' : 'outside'} ${installed.peerDependencies[name]}`)
        .toBe(`${name} within ${installed.peerDependencies[name]}`);
    }
    const example = fs.readFileSync(path.join(consumer.dir, 'app.ts'), 'utf8');
    expect(example).toContain("from 'mcp-ha-constructs'");

    // THEN it synthesizes from the installed package (not this repository), without a warning
    expect(consumerRun.readmeStderr.filter((l) => !/^Bundling asset/.test(l))).toEqual([]);
    expect(consumerRun.status).toBe(0);
    expect(require.resolve('mcp-ha-constructs', { paths: [consumer.dir] })).toBe(path.join(fs.realpathSync(consumer.dir), 'node_modules', 'mcp-ha-constructs', 'dist', 'index.js'));
    const template = JSON.parse(fs.readFileSync(path.join(consumerRun.outdir, 'Mcp.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining([
      'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::ElastiCache::ReplicationGroup',
    ]));
  });
});

describe('npm run build', () => {
  test('writes JavaScript and typings for every entry point, and one bundle per library handler', () => {
    for (const entry of ['index', 'core/index', 'aws/index', 'azure/index', 'gcp/index']) {
      expect(fs.existsSync(path.join(DIST, `${entry}.js`))).toBe(true);
      expect(fs.existsSync(path.join(DIST, `${entry}.d.ts`))).toBe(true);
    }
    expect(bundles.map((b) => path.relative(DIST, b)).sort()).toEqual([
      ...Object.keys(LIBRARY_HANDLERS).map((name) => path.join('aws', name, 'bundle', 'index.js')),
      path.join('gcp', path.basename(PROMOTION_HANDLER_DIR), PROMOTION_HANDLER_BUNDLE_DIR, 'index.js'),
    ].sort());
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
    // GIVEN the installed package, loaded by plain node with esbuild impossible to load (phase 2 of the consumer's run)
    expect(consumerRun.functionsStderr.filter((l) => !/deprecated|cooldown/.test(l))).toEqual([]);
    expect(consumerRun.status).toBe(0);
    const published = consumerRun.functions!;
    expect(published.esbuildLoads).toBe(false);
    const outdir = consumerRun.functionsOutdir;

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
