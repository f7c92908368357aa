/** Shared helpers of the Azure tests: a stack with the provider, synthesis to JSON, resource lookups. */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, TerraformStack, Testing } from 'cdktf';
import { McpServerSource } from '../../lib/core/server-source';
import { McpCertificate } from '../../lib/azure/certificate';
import { McpAuthorization } from '../../lib/core/authorization';

export const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnlyNotARealOne0000000000 test';

export function stack(): TerraformStack {
  const app = Testing.app();
  const s = new TerraformStack(app as App, 'test');
  new AzurermProvider(s, 'azurerm', { features: [{}] });
  return s;
}

/** The synthesized Terraform JSON of a stack. */
export interface TfJson {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { value: string }>;
  readonly terraform?: Record<string, unknown>;
  readonly provider?: Record<string, unknown>;
}

export function synth(s: TerraformStack): TfJson {
  return JSON.parse(Testing.synth(s)) as TfJson;
}

/** Every resource of a type, by logical id. */
export function resources(tf: TfJson, type: string): Record<string, Record<string, unknown>> {
  return tf.resource[type] ?? {};
}

/** The only resource of a type (fails when there are several). */
export function only(tf: TfJson, type: string): Record<string, unknown> {
  const all = Object.values(resources(tf, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

export const SERVER = McpServerSource.container('ghcr.io/acme/mcp:1.0', { port: 8080 });

export const VAULT_CERT = McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp' });

/** The Entra ID tenant of the tests and its v1.0 token issuer. */
export const TENANT = '11111111-2222-3333-4444-555555555555';
export const ISSUER = `https://sts.windows.net/${TENANT}/`;

/** Microsoft Entra ID as the reference stacks configure it (v1.0 tokens, Entra scope names). */
export const AUTH = McpAuthorization.oauth({ issuer: McpAuthorization.entraIdIssuer(TENANT), readScopes: ['mcp.read'], writeScopes: ['mcp.write'] });
