/**
 * The Azure stacks of the Terraform reference app: one stack per topology
 * (`azure-active-active`, `azure-active-passive`, `azure-multi-region`), each
 * with its provider and an encrypted remote state (an Azure Storage container,
 * Entra ID auth; see docs/AZURE.md). Synthesis is offline: no Azure API is called.
 */
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { App, AzurermBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AvailabilityTier, McpServerSource, ScalingSchedule } from '../../lib/core';
import {
  AzureActiveActiveMcpService, AzureActivePassiveMcpService, AzureMultiRegionMcpService, McpAuthorization, McpCertificate, McpDomain,
  TrafficRouting,
} from '../../lib/azure';

/** The state storage account (replace with yours, or set these variables). */
const STATE = {
  resourceGroupName: process.env.MCP_TFSTATE_RESOURCE_GROUP ?? 'mcp-tfstate',
  storageAccountName: process.env.MCP_TFSTATE_STORAGE_ACCOUNT ?? 'mcphatfstate',
  containerName: 'tfstate',
};
/** The scale sets' admin key (public half only; no SSH port is opened). */
const SSH_PUBLIC_KEY = process.env.MCP_SSH_PUBLIC_KEY
  ?? 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMcpHaReferenceKeyReplaceWithYourOwnPublicKey00 reference';
const server = McpServerSource.container('ghcr.io/acme/context-server:1.4.0', { port: 8080 });
const domain: McpDomain = { zoneName: 'example.com', recordName: 'mcp', azureDnsZone: { resourceGroupName: 'dns' } };
const certificate = McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server', pkiMount: 'pki' });
/**
 * Microsoft Entra ID as the authorization server (docs/AZURE.md, "Authorization with Microsoft Entra ID"):
 * the API's app registration has Application ID URI https://mcp.example.com/mcp (the audience core derives
 * from the domain), access tokens v1.0 (their `aud` is that URI), and the delegated scopes mcp.read and
 * mcp.write. Set your tenant id in MCP_ENTRA_TENANT_ID.
 */
const authorization = McpAuthorization.oauth({
  issuer: McpAuthorization.entraIdIssuer(process.env.MCP_ENTRA_TENANT_ID ?? '00000000-0000-0000-0000-000000000000'),
  readScopes: ['mcp.read'],
  writeScopes: ['mcp.write'],
});
const deployerIpRanges = (process.env.MCP_DEPLOYER_IP_RANGES ?? '203.0.113.0/24').split(',');

function stack(app: Construct, id: string): TerraformStack {
  const s = new TerraformStack(app, id);
  // azurerm 4.x reads the subscription from ARM_SUBSCRIPTION_ID (az login sets the rest).
  new AzurermProvider(s, 'azurerm', { features: [{}] });
  // State holds the certificate's private key and the cache's access key: Azure Storage encrypts at rest;
  // Entra ID auth only (no account keys), one state blob per stack.
  new AzurermBackend(s, { ...STATE, key: `${id}.tfstate`, useAzureadAuth: true });
  return s;
}

/** Adds the three Azure stacks to `app`. */
export function addAzureStacks(app: App): Record<string, TerraformStack> {
  const aa = stack(app, 'azure-active-active');
  new AzureActiveActiveMcpService(aa, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL, region: 'westeurope', server, capacity: { baseline: 4 },
    schedule: ScalingSchedule.guidePreset('Europe/Berlin', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] }),
    holidayYears: [2027, 2028], certificate, domain, namePrefix: 'mcpaa', sshPublicKey: SSH_PUBLIC_KEY, deployerIpRanges, authorization,
  });

  const ap = stack(app, 'azure-active-passive');
  new AzureActivePassiveMcpService(ap, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL, primaryRegion: 'eastus2', standbyRegion: 'centralus', server, capacity: { baseline: 4 },
    schedule: ScalingSchedule.guidePreset('America/New_York'), certificate, domain, routing: TrafficRouting.dns(),
    namePrefix: 'mcpap', sshPublicKey: SSH_PUBLIC_KEY, deployerIpRanges, authorization,
  });

  const mr = stack(app, 'azure-multi-region');
  new AzureMultiRegionMcpService(mr, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL, regions: ['westeurope', 'northeurope'], server, capacity: { baseline: 6 },
    schedule: ScalingSchedule.guidePreset('Europe/Dublin'), domain, routing: TrafficRouting.frontDoor(),
    // Front Door validates origin certificates against public roots: here Vault issues from an
    // intermediate that chains to a public CA (say so with publiclyTrusted), else use TrafficRouting.dns().
    certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server-public', publiclyTrusted: true }),
    namePrefix: 'mcpmr', sshPublicKey: SSH_PUBLIC_KEY, deployerIpRanges, authorization,
  });
  return { aa, ap, mr };
}
