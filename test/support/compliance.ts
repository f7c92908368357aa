/**
 * Compliance as a test: synthesizes an app with cdk-nag packs (and optionally
 * cfn-guard's Control Tower rules) registered through `Validations.of(app)`, with
 * the repo's feature flags (CloudFormation validation findings are errors), and
 * returns the validation report CDK writes into the cloud assembly.
 */
import { App, IPolicyValidationPluginBeta1 } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly description: string;
  readonly paths: string[];
}

export interface ComplianceResult {
  /** Unacknowledged findings (any severity). */
  readonly findings: Finding[];
  /** Acknowledged findings, each with the reason written in the code. */
  readonly acknowledged: { readonly rule: string; readonly path: string; readonly reason: string }[];
  readonly synthError?: string;
}

interface ReportJson {
  pluginReports?: {
    pluginName: string;
    violations?: { ruleName: string; description: string; violatingConstructs?: { constructPath?: string }[] }[];
  }[];
}

/** Synthesizes `app` (plugins already added) and reads the validation report. */
export function synthAndReport(app: App): ComplianceResult {
  let synthError: string | undefined;
  let outdir = app.outdir;
  try {
    outdir = app.synth({ force: true }).directory;
  } catch (e) {
    synthError = (e as Error).message;
  }
  const file = path.join(outdir, 'validation-report.json');
  const report: ReportJson = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const findings: Finding[] = [];
  for (const r of report.pluginReports ?? []) {
    for (const v of r.violations ?? []) {
      findings.push({
        plugin: r.pluginName, rule: v.ruleName, description: v.description,
        paths: (v.violatingConstructs ?? []).map((c) => c.constructPath ?? '?'),
      });
    }
  }
  return { findings, acknowledged: acknowledgments(app), synthError };
}

/** Every acknowledgment declared in the tree (`Validations.of(x).acknowledge`), with its reason. */
export function acknowledgments(root: IConstruct): ComplianceResult['acknowledged'] {
  const out: { rule: string; path: string; reason: string }[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules' || !entry.data) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ rule, path: c.node.path, reason });
      }
    }
  }
  return out;
}

export type PluginFactory = (app: App) => IPolicyValidationPluginBeta1;
