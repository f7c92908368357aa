/**
 * What aws-cdk-lib gets when it requires @aws/cloudformation-validate under jest (jest.config.js
 * moduleNameMapper): the package's own API, with `CompositeEngine` forwarding to the engine the worker keeps
 * for every test file (test/setup/environment.js explains why). Validation is the package's, unchanged: the
 * configuration, template text and options go through as JSON, the report comes back as JSON.
 *
 * Anything else the package exports is the package itself, loaded by absolute path on first use. Without the
 * worker's engine (another test environment), or with a configuration that is not plain data (rule files given
 * as objects that read themselves), this is the package itself too.
 */
const shared = globalThis.__mcpHaSharedCloudFormationValidate;

function modulePath() {
  if (shared) return shared.modulePath;
  // Not through jest's resolver: that would map the package name back to this file.
  const Module = require('module');
  const path = require('path');
  const cdkLib = path.dirname(Module._resolveFilename('aws-cdk-lib/package.json', { id: __filename, filename: __filename, paths: Module._nodeModulePaths(__dirname) }));
  return Module._resolveFilename('@aws/cloudformation-validate', { id: cdkLib, filename: path.join(cdkLib, 'index.js'), paths: Module._nodeModulePaths(cdkLib) });
}

let realModule;
const real = () => (realModule ??= require(modulePath()));

/** True when `value` survives JSON unchanged (plain objects, arrays, strings, finite numbers, booleans, null). */
function isPlainData(value) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => v === undefined || isPlainData(v));
}

if (!shared) {
  module.exports = real();
} else {
  const DEFAULT_TEMPLATE_NAME = 'template';

  /** A template held in memory (the package's TemplateContent, same checks). */
  class TemplateContent {
    constructor(content, name = DEFAULT_TEMPLATE_NAME) {
      if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
        throw new TypeError('template content must be a string or a Uint8Array');
      }
      this.content = content;
      this.name = name;
    }

    readBytes() {
      return typeof this.content === 'string' ? new TextEncoder().encode(this.content) : this.content;
    }
  }

  /** The package's CompositeEngine, built once per worker for each configuration. */
  class CompositeEngine {
    constructor(config = {}) {
      if (isPlainData(config ?? {})) {
        this.configJson = JSON.stringify(config ?? {});
      } else {
        this.local = new (real().CompositeEngine)(config);
      }
    }

    validateTemplate(template, options) {
      if (this.local) return this.local.validateTemplate(template instanceof TemplateContent ? new (real().TemplateContent)(template.content, template.name) : template, options);
      const name = template instanceof TemplateContent ? template.name : template.path;
      const content = typeof template.content === 'string' ? template.content : new TextDecoder('utf-8', { fatal: true }).decode(template.readBytes());
      if (!isPlainData(options ?? {})) throw new TypeError('validation options must be plain data');
      return JSON.parse(shared.validateTemplate(this.configJson, content, name, JSON.stringify(options ?? {})));
    }

    validateStandard(template, options) {
      return this.validateTemplate(template, { ...options, detailLevel: 'STANDARD' });
    }

    validateDetailed(template, options) {
      return this.validateTemplate(template, { ...options, detailLevel: 'DETAILED' });
    }

    /** The worker keeps the engine for the next test file; a local one is freed. */
    free() {
      this.local?.free();
    }
  }

  const exported = { DEFAULT_TEMPLATE_NAME, TemplateContent, CompositeEngine, version: () => shared.version() };
  for (const name of shared.exportNames()) {
    if (!(name in exported)) Object.defineProperty(exported, name, { enumerable: true, get: () => real()[name] });
  }
  module.exports = exported;
}
