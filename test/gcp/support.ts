/**
 * Helpers for the Google Cloud tests: synthesize a CDKTF stack once and read its
 * resources as plain objects.
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { McpServerSource } from '../../lib/core/server-source';

/** A synthesized Terraform block: untyped JSON, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tf = any;

/** The synthesized Terraform JSON of a stack. */
export interface TfJson {
  readonly resource: Record<string, Record<string, Record<string, Tf>>>;
  readonly output?: Record<string, { value: unknown; sensitive?: boolean }>;
  readonly data?: Record<string, Record<string, Record<string, Tf>>>;
}

/** A fresh app and stack for a test case. */
export function testStack(id = 'test'): { app: App; stack: TerraformStack } {
  const app = Testing.app();
  const stack = new TerraformStack(app, id);
  return { app, stack };
}

/** Synthesizes `stack` (once) and parses it. */
export function synthJson(stack: TerraformStack): TfJson {
  const json = JSON.parse(Testing.synth(stack)) as TfJson;
  return { ...json, resource: json.resource ?? {} };
}

/** Every resource of `type`, by its logical name. */
export function resourcesOf(json: TfJson, type: string): Record<string, Tf> {
  return json.resource[type] ?? {};
}

/** The only resource of `type` (fails when there is not exactly one). */
export function only(json: TfJson, type: string): Tf {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Runs `build` in a fresh stack and returns the error message it throws (or '' when it does not). */
export function errorOf(build: (stack: Construct) => void): string {
  const { stack } = testStack();
  try {
    build(stack);
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

export const server = McpServerSource.container('us-docker.pkg.dev/acme/mcp/context:1.4');
export const CERT = 'projects/p/global/sslCertificates/mcp';

/** The value of `-e NAME=value` in a container startup script (shell-quoted or bare). */
export function envOf(script: string, name: string): string | undefined {
  const m = script.match(new RegExp(`-e ${name}=('([^']*)'|(\\S+))`));
  return m ? (m[2] ?? m[3]) : undefined;
}

/** Instance templates with their startup scripts, by the region of their subnet (`${...Subnet-<region>...}`). */
export function templatesByRegion(json: TfJson): Record<string, { script: string; template: Tf }> {
  const out: Record<string, { script: string; template: Tf }> = {};
  for (const tpl of Object.values(resourcesOf(json, 'google_compute_instance_template'))) {
    out[tpl.region] = { script: tpl.metadata['startup-script'], template: tpl };
  }
  return out;
}

/** The summary output a topology writes (what `npm run synth` prints). */
export function summaryOf(json: TfJson): Record<string, Tf> {
  return JSON.parse(String(json.output!.McpHa_Summary.value));
}
