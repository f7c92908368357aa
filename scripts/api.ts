/**
 * The public API, read from the TypeScript sources of the package's entry points
 * (package.json `exports`), the way a user's compiler sees it:
 *
 * - `renderApiReport()`: every exported symbol of every entry point with its
 *   signature, one line per member (`api/mcp-ha-constructs.api.md`). A test
 *   fails when the surface changes and the report in git was not regenerated
 *   (`npm run api`), so every change to the public surface is a visible decision.
 * - `undocumentedProps()`: exported props/options interfaces whose properties
 *   lack a summary, or are optional without a behavioural `@default`.
 * - `renderApiReference()`: `docs/API.md`, the generated reference (classes,
 *   props tables with types and defaults), kept in sync by the same test.
 *
 * One TypeScript program serves all three.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

/** Entry point name (`mcp-ha-constructs`, `mcp-ha-constructs/aws`, ...) -> its source file. */
export function entryPoints(root = ROOT): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    name: string; exports: Record<string, string | { default?: string }>;
  };
  const entries: Record<string, string> = {};
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object' || !target.default) continue;
    const source = target.default.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts');
    entries[sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`] = path.join(root, source);
  }
  return entries;
}

export interface ApiMember {
  readonly name: string;
  /** `property`, `method`, `constructor`, `enum member`, ... */
  readonly kind: string;
  readonly signature: string;
  readonly optional: boolean;
  readonly summary: string;
  readonly defaultTag?: string;
  readonly deprecated: boolean;
}

export interface ApiSymbol {
  readonly entry: string;
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'enum' | 'function' | 'type' | 'variable' | 'namespace';
  readonly signature: string;
  readonly summary: string;
  readonly members: readonly ApiMember[];
  /** Where it is declared, relative to the repository. */
  readonly file: string;
}

let cached: { key: string; symbols: ApiSymbol[] } | undefined;

/** Every exported symbol of every entry point (one program, memoised per process). */
export function publicApi(root = ROOT): ApiSymbol[] {
  const entries = entryPoints(root);
  const key = JSON.stringify(entries);
  if (cached?.key === key) return cached.symbols;
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const program = ts.createProgram(Object.values(entries), { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const symbols: ApiSymbol[] = [];
  for (const [entry, file] of Object.entries(entries)) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`entry point ${entry}: ${file} not found`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    if (!moduleSymbol) continue;
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const described = describeSymbol(checker, entry, exported.getName(), symbol, root);
      if (described) symbols.push(described);
    }
  }
  symbols.sort((a, b) => a.entry.localeCompare(b.entry) || a.name.localeCompare(b.name));
  cached = { key, symbols };
  return symbols;
}

function docs(checker: ts.TypeChecker, symbol: ts.Symbol): { summary: string; defaultTag?: string; deprecated: boolean } {
  const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  const tags = symbol.getJsDocTags(checker);
  const def = tags.find((t) => t.name === 'default');
  return {
    summary,
    defaultTag: def ? ts.displayPartsToString(def.text ?? []).replace(/\s+/g, ' ').trim() || '(empty)' : undefined,
    deprecated: tags.some((t) => t.name === 'deprecated'),
  };
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.WriteArrowStyleSignature;

function typeText(checker: ts.TypeChecker, type: ts.Type, node?: ts.Node): string {
  return checker.typeToString(type, node, FORMAT).replace(/import\("[^"]+"\)\./g, '');
}

function isPrivate(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  const name = (decl as { name?: ts.Node }).name;
  return !!name && ts.isPrivateIdentifier(name);
}

function memberOf(checker: ts.TypeChecker, member: ts.Symbol, owner: ts.Node, isStatic: boolean): ApiMember | undefined {
  const decl = member.declarations?.[0];
  if (!decl || isPrivate(decl)) return undefined;
  // Members inherited from a dependency (Construct's node, isConstruct...) are that library's API, not ours.
  if (decl.getSourceFile().fileName.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
  if (ts.getJSDocTags(decl).some((t) => t.tagName.text === 'internal')) return undefined;
  const d = docs(checker, member);
  const optional = !!(member.flags & ts.SymbolFlags.Optional);
  const type = checker.getTypeOfSymbolAtLocation(member, owner);
  const prefix = isStatic ? 'static ' : '';
  const readonly = ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
  let kind = 'property';
  let signature: string;
  if (member.flags & ts.SymbolFlags.Method) {
    kind = 'method';
    signature = `${prefix}${member.getName()}${type.getCallSignatures().map((s) => checker.signatureToString(s, owner, FORMAT)).join(' | ')}`;
  } else if (member.flags & ts.SymbolFlags.EnumMember) {
    kind = 'enum member';
    const value = checker.getConstantValue(decl as ts.EnumMember);
    signature = `${member.getName()} = ${JSON.stringify(value)}`;
  } else if (member.flags & ts.SymbolFlags.GetAccessor) {
    signature = `${prefix}get ${member.getName()}: ${typeText(checker, type, owner)}`;
  } else {
    const text = typeText(checker, type, owner);
    signature = `${prefix}${readonly}${member.getName()}${optional ? '?' : ''}: ${optional ? text.replace(/ \| undefined$/, '') : text}`;
  }
  return { name: member.getName(), kind, signature: signature.replace(/\s+/g, ' '), optional, ...d };
}

function describeSymbol(checker: ts.TypeChecker, entry: string, name: string, symbol: ts.Symbol, root: string): ApiSymbol | undefined {
  const decl = symbol.declarations?.[0];
  if (!decl) return undefined;
  const file = path.relative(root, decl.getSourceFile().fileName).split(path.sep).join('/');
  const d = docs(checker, symbol);
  const base = { entry, name, summary: d.summary, file };
  if (symbol.flags & ts.SymbolFlags.Class) {
    const cls = decl as ts.ClassDeclaration;
    const members: ApiMember[] = [];
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const ctorType = checker.getTypeOfSymbolAtLocation(symbol, decl);
    for (const s of ctorType.getConstructSignatures()) {
      if (s.declaration && isPrivate(s.declaration)) continue;
      members.push({ name: 'constructor', kind: 'constructor', signature: `constructor${checker.signatureToString(s, decl, FORMAT)}`.replace(/\s+/g, ' '), optional: false, summary: '', deprecated: false });
    }
    for (const m of checker.getPropertiesOfType(ctorType)) {
      if (m.getName() === 'prototype') continue;
      const x = memberOf(checker, m, decl, true);
      if (x) members.push(x);
    }
    for (const m of checker.getPropertiesOfType(instance)) {
      const x = memberOf(checker, m, decl, false);
      if (x) members.push(x);
    }
    const heritage = cls.heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
    const abstract = ts.getCombinedModifierFlags(cls) & ts.ModifierFlags.Abstract ? 'abstract ' : '';
    return { ...base, kind: 'class', signature: `${abstract}class ${name}${heritage ? ` ${heritage}` : ''}`, members: sortMembers(members) };
  }
  if (symbol.flags & ts.SymbolFlags.Interface) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const members = checker.getPropertiesOfType(type).map((m) => memberOf(checker, m, decl, false)).filter((m): m is ApiMember => !!m);
    const heritage = (decl as ts.InterfaceDeclaration).heritageClauses?.map((h) => h.getText()).join(' ') ?? '';
    return { ...base, kind: 'interface', signature: `interface ${name}${heritage ? ` ${heritage}` : ''}`, members: sortMembers(members) };
  }
  if (symbol.flags & ts.SymbolFlags.Enum) {
    const members = (symbol.exports ? [...(symbol.exports.values() as Iterable<ts.Symbol>)] : [])
      .map((m) => memberOf(checker, m, decl, false)).filter((m): m is ApiMember => !!m);
    return { ...base, kind: 'enum', signature: `enum ${name}`, members };
  }
  if (symbol.flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    const sig = type.getCallSignatures().map((s) => `function ${name}${checker.signatureToString(s, decl, FORMAT)}`).join('\n');
    return { ...base, kind: 'function', signature: sig.replace(/[ \t]+/g, ' '), members: [] };
  }
  if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    return { ...base, kind: 'type', signature: `type ${name} = ${typeText(checker, type, decl)}`, members: [] };
  }
  if (symbol.flags & ts.SymbolFlags.Variable) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    return { ...base, kind: 'variable', signature: `const ${name}: ${typeText(checker, type, decl)}`.replace(/\s+/g, ' '), members: [] };
  }
  return { ...base, kind: 'namespace', signature: `namespace ${name}`, members: [] };
}

function sortMembers(members: ApiMember[]): ApiMember[] {
  const rank = (m: ApiMember) => (m.kind === 'constructor' ? 0 : m.signature.startsWith('static') ? 1 : m.kind === 'method' ? 3 : 2);
  return members.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * The symbols to render, entry by entry. The root entry point re-exports other entry points (core and aws):
 * a symbol it shares with one of them (same name, same declaration) is rendered once, under that entry, and the
 * root section names the entries it re-exports; whatever only the root exports is rendered in full there.
 */
function renderedSymbols(root: string): { symbols: ApiSymbol[]; reexports: Record<string, string[]> } {
  const all = publicApi(root);
  const rootEntry = Object.keys(entryPoints(root)).find((e) => !e.includes('/'));
  const key = (s: ApiSymbol) => `${s.name}@${s.file}`;
  const byEntry = new Map<string, Set<string>>();
  for (const s of all) byEntry.set(s.entry, (byEntry.get(s.entry) ?? new Set()).add(key(s)));
  const rootKeys = byEntry.get(rootEntry ?? '') ?? new Set<string>();
  // Entries entirely contained in the root one are re-exported by it.
  const reexported = [...byEntry.keys()].filter((e) => e !== rootEntry && [...byEntry.get(e)!].every((k) => rootKeys.has(k)));
  const covered = new Set(reexported.flatMap((e) => [...byEntry.get(e)!]));
  const symbols = all.filter((s) => s.entry !== rootEntry || !covered.has(key(s)));
  return { symbols, reexports: rootEntry ? { [rootEntry]: reexported } : {} };
}

/** `api/mcp-ha-constructs.api.md`: the surface, one line per member, no prose. */
export function renderApiReport(root = ROOT): string {
  const lines = [
    '# API report: mcp-ha-constructs',
    '',
    'Generated by `npm run api` from the entry points in package.json `exports`. A change to this file is a change',
    'to the public API: review it as such. `test/docs/api.test.ts` fails when the code and this report differ.',
    '',
  ];
  let entry = '';
  const { symbols, reexports } = renderedSymbols(root);
  for (const s of withEntryHeads(symbols, reexports)) {
    if (s.entry !== entry) {
      entry = s.entry;
      lines.push(`## ${entry}`, '');
      for (const e of reexports[entry] ?? []) lines.push(`Re-exports every symbol of \`${e}\` (listed there).`, '');
    }
    if (!s.name) continue;
    lines.push('```ts', s.signature + (s.members.length ? ' {' : ''));
    for (const m of s.members) lines.push(`  ${m.signature};${m.deprecated ? ' // @deprecated' : ''}`);
    if (s.members.length) lines.push('}');
    lines.push('```', '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Exported interfaces: construct props, option structs and the data they return all document every field. */
export function isPropsInterface(s: ApiSymbol): boolean {
  return s.kind === 'interface';
}

/**
 * Props of exported props/options interfaces lacking a summary, or optional without `@default`.
 * `entries` limits the check to some entry points (all by default).
 */
export function undocumentedProps(root = ROOT, entries?: readonly string[]): { readonly undocumented: string[]; readonly noDefault: string[] } {
  const undocumented = new Set<string>();
  const noDefault = new Set<string>();
  for (const s of publicApi(root).filter((x) => isPropsInterface(x) && (!entries || entries.includes(x.entry)))) {
    if (!s.summary) undocumented.add(`${s.name} (the interface)`);
    for (const m of s.members) {
      if (!m.summary) undocumented.add(`${s.name}.${m.name}`);
      if (m.optional && m.defaultTag === undefined) noDefault.add(`${s.name}.${m.name}`);
    }
  }
  return { undocumented: [...undocumented].sort(), noDefault: [...noDefault].sort() };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `docs/API.md`: the reference, generated from the same program. */
export function renderApiReference(root = ROOT): string {
  const lines = [
    '# API reference',
    '',
    'Generated by `npm run api` from the sources (doc comments and types); do not edit by hand.',
    '',
  ];
  let entry = '';
  const { symbols, reexports } = renderedSymbols(root);
  for (const s of withEntryHeads(symbols, reexports)) {
    if (s.entry !== entry) {
      entry = s.entry;
      lines.push(`## \`${entry}\``, '');
      for (const e of reexports[entry] ?? []) lines.push(`Re-exports every symbol of \`${e}\` (documented there).`, '');
    }
    if (!s.name) continue;
    lines.push(`### ${s.kind} \`${s.name}\``, '');
    if (s.summary) lines.push(s.summary, '');
    const props = s.members.filter((m) => m.kind === 'property' || m.kind === 'enum member');
    if (props.length && (s.kind === 'interface' || s.kind === 'enum')) {
      lines.push(s.kind === 'enum' ? '| member | value | description |' : '| prop | type | default | description |');
      lines.push(s.kind === 'enum' ? '| --- | --- | --- |' : '| --- | --- | --- | --- |');
      for (const m of props) {
        if (s.kind === 'enum') {
          lines.push(`| \`${m.name}\` | \`${cell(m.signature.split(' = ')[1] ?? '')}\` | ${cell(m.summary)} |`);
        } else {
          const type = m.signature.slice(m.signature.indexOf(':') + 1).trim();
          const def = m.optional ? (m.defaultTag ?? '') : 'required';
          lines.push(`| \`${m.name}\` | \`${cell(type)}\` | ${cell(def)} | ${cell(m.summary)} |`);
        }
      }
      lines.push('');
    } else if (s.members.length) {
      for (const m of s.members) lines.push(`- \`${cell(m.signature)}\`${m.summary ? `: ${m.summary}` : ''}`);
      lines.push('');
    } else {
      lines.push('```ts', s.signature, '```', '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A placeholder (no name) for an entry that renders no symbol of its own, so its heading still appears. */
function withEntryHeads(symbols: ApiSymbol[], reexports: Record<string, string[]>): ApiSymbol[] {
  const present = new Set(symbols.map((s) => s.entry));
  const heads = Object.keys(reexports).filter((e) => !present.has(e))
    .map((entry): ApiSymbol => ({ entry, name: '', kind: 'namespace', signature: '', summary: '', members: [], file: '' }));
  return [...heads, ...symbols].sort((a, b) => a.entry.localeCompare(b.entry) || a.name.localeCompare(b.name));
}

export const API_REPORT_FILE = path.join(ROOT, 'api', 'mcp-ha-constructs.api.md');
export const API_REFERENCE_FILE = path.join(ROOT, 'docs', 'API.md');

if (require.main === module) {
  const started = performance.now();
  fs.mkdirSync(path.dirname(API_REPORT_FILE), { recursive: true });
  fs.writeFileSync(API_REPORT_FILE, renderApiReport());
  fs.writeFileSync(API_REFERENCE_FILE, renderApiReference());
  const symbols = publicApi();
  const { undocumented, noDefault } = undocumentedProps();
  const byEntry = Object.entries(symbols.reduce<Record<string, number>>((a, s) => ({ ...a, [s.entry]: (a[s.entry] ?? 0) + 1 }), {}));
  console.log(`wrote ${path.relative(process.cwd(), API_REPORT_FILE)} and ${path.relative(process.cwd(), API_REFERENCE_FILE)} `
    + `in ${((performance.now() - started) / 1000).toFixed(1)} s: ${byEntry.map(([e, n]) => `${e} ${n}`).join(', ')}; `
    + `props without a summary: ${undocumented.length}, optional props without @default: ${noDefault.length}`);
  if (process.argv.includes('--list')) console.log([...undocumented.map((u) => `no summary: ${u}`), ...noDefault.map((u) => `no @default: ${u}`)].join('\n'));
}
