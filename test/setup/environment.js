/**
 * Jest's node environment, plus one CloudFormation Validate engine per worker process instead of one per test
 * file (and per new set of resource types).
 *
 * The feature flag @aws-cdk/core:validateAgainstDefaultRules (cdk.json, and so every test app) makes every
 * synth run aws-cdk-lib's CloudFormationValidatePlugin, which builds a `CompositeEngine` of
 * @aws/cloudformation-validate: it deserializes every CloudFormation resource schema inside WebAssembly, about
 * 2 CPU-seconds on this machine, and again whenever a synth brings resource types the engine was not built for.
 * Jest gives each test file a fresh module registry, so each file built its own engines. Here the engines live
 * in the worker (this module's scope outlives the test files it runs) and are reused by every file, keyed by
 * their exact configuration (the rule files the plugin selected): the same engine, the same rules and schemas,
 * the same validation of every template; only the construction is shared. test/setup/cloudformation-validate.js
 * (jest.config.js moduleNameMapper) is what aws-cdk-lib loads instead of the package: it forwards to this
 * worker-level engine through JSON, so no object crosses between the test file's realm and this one.
 */
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

const GLOBAL_NAME = '__mcpHaSharedCloudFormationValidate';
/** At most this many engines per worker (the plugin's configurations differ only by the rule files it selects). */
const MAX_ENGINES = 6;

/** The package aws-cdk-lib itself loads (its own dependency), by absolute path. */
function packagePath() {
  const cdkLib = path.dirname(require.resolve('aws-cdk-lib/package.json'));
  return require.resolve('@aws/cloudformation-validate', { paths: [cdkLib] });
}

let real;
const engines = new Map();

function load() {
  real ??= require(packagePath());
  return real;
}

function engineFor(configJson) {
  let engine = engines.get(configJson);
  if (engine) {
    engines.delete(configJson); // most recently used last
  } else {
    engine = new (load().CompositeEngine)(JSON.parse(configJson));
    if (engines.size >= MAX_ENGINES) {
      const [oldestKey, oldest] = engines.entries().next().value;
      engines.delete(oldestKey);
      oldest.free();
    }
  }
  engines.set(configJson, engine);
  return engine;
}

/** What a test file's realm may call: strings in, strings out. */
const facade = Object.freeze({
  modulePath: packagePath(),
  exportNames: () => Object.keys(load()),
  version: () => load().version(),
  /** Validates one template (UTF-8 text) with the engine built from `configJson`; the report as JSON. */
  validateTemplate(configJson, content, name, optionsJson) {
    const engine = engineFor(configJson);
    try {
      return JSON.stringify(engine.validateTemplate(new (load().TemplateContent)(content, name), JSON.parse(optionsJson)));
    } catch (e) {
      // A trap terminates the engine's WebAssembly instance: never hand a broken engine to the next test file.
      engines.delete(configJson);
      try { engine.free(); } catch { /* already unusable */ }
      throw new Error(e instanceof Error ? e.message : String(e));
    }
  },
});

/**
 * esbuild's buildSync, once per worker for the same bundle (test/setup/esbuild.js is what a test file's
 * `require('esbuild')` gets). The library bundles its Lambda handlers and the reference server at synth
 * (AssetHashType.OUTPUT: the hash is the bundle's), and aws-cdk-lib's asset cache lives in the test file's
 * module registry, so every test file bundled them again: an esbuild process per bundle per file. Here a
 * bundle is built once per worker and written to each requested outfile, byte for byte what esbuild wrote,
 * for as long as every file esbuild read for it (its metafile's inputs) keeps its size and modification time.
 */
const ESBUILD_GLOBAL_NAME = '__mcpHaSharedEsbuild';
const bundles = new Map();

function inputsUnchanged(inputs) {
  return inputs.every(([file, size, mtimeMs]) => {
    try {
      const st = require('fs').statSync(file);
      return st.size === size && st.mtimeMs === mtimeMs;
    } catch {
      return false;
    }
  });
}

function writeOutputs(outfile, outputs) {
  const fs = require('fs');
  for (const [relative, contents] of outputs) {
    const file = path.resolve(path.dirname(outfile), relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
  }
}

const esbuildFacade = Object.freeze({
  /** buildSync(options) for plain options that write one `outfile`; the warnings as JSON. */
  buildSync(optionsJson) {
    const options = JSON.parse(optionsJson);
    const cwd = options.absWorkingDir ?? process.cwd();
    const { outfile, ...rest } = options;
    const key = JSON.stringify([cwd, rest]);
    let cached = bundles.get(key);
    if (!cached || !inputsUnchanged(cached.inputs)) {
      const result = require('esbuild').buildSync({ ...options, write: false, metafile: true });
      const fs = require('fs');
      cached = {
        outputs: result.outputFiles.map((f) => [path.relative(path.dirname(path.resolve(cwd, outfile)), f.path), Buffer.from(f.contents)]),
        inputs: Object.keys(result.metafile.inputs).filter((f) => !f.includes(':')).map((f) => {
          const file = path.resolve(cwd, f);
          const st = fs.statSync(file);
          return [file, st.size, st.mtimeMs];
        }),
        warnings: JSON.stringify(result.warnings),
      };
      bundles.set(key, cached);
    }
    writeOutputs(path.resolve(cwd, outfile), cached.outputs);
    return cached.warnings;
  },
});

class McpHaTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global[GLOBAL_NAME] = facade;
    this.global[ESBUILD_GLOBAL_NAME] = esbuildFacade;
  }
}

module.exports = McpHaTestEnvironment;
