/**
 * The reference stacks: one stack set per topology, built the way a platform team
 * would. Account, regions, hosted zone and Vault address are PLACEHOLDERS: change
 * them (and the matching availability-zone context in cdk.json) before deploying.
 * See examples/aws/README.md for the deployment steps.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';
import {
  ActiveActiveMcpService, ActivePassiveMcpService, McpCertificate, MultiRegionMcpStage, NodeServerSource, TrafficRouting,
} from '../../lib/aws';
import { AvailabilityTier, McpAuthorization, ScalingSchedule } from '../../lib/core';

/** Placeholder account: every stack's env. Replace with yours. */
export const EXAMPLE_ACCOUNT = '123456789012';
/** Placeholder public hosted zone. Replace with yours (synthesis never looks zones up). */
export const EXAMPLE_ZONE = { zoneName: 'example.com', hostedZoneId: 'Z0EXAMPLE0ZONE0ID0000' };
/** Placeholder Vault (PKI mount `pki`, role `mcp-server`, AWS IAM auth role `mcp-server`). */
export const EXAMPLE_VAULT = { vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server' };

/** The reference server (examples/mcp-server), bundled at synth and run by systemd on every instance. */
/**
 * Who may call the reference stacks: an OAuth 2.1 authorization server (docs/SECURITY.md compares Amazon Cognito,
 * Microsoft Entra ID, Google Identity Platform and any OIDC provider). `cdk synth -c mcpIssuer=https://...` names yours;
 * the default is an example Amazon Cognito user pool issuer. The probes check the 401 challenge (no probe client here:
 * give one with `probeClientCredentials`, or `probeClientCredentialsByRegion` on the multi-region Stage).
 */
export function referenceAuthorization(app: App): McpAuthorization {
  const issuer = (app.node.tryGetContext('mcpIssuer') as string | undefined) ?? McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_EXAMPLE01');
  return McpAuthorization.oauth({ issuer });
}

export function referenceServer(): NodeServerSource {
  // main.ts in this repository; main.js where the examples run compiled (the benchmark).
  const src = path.join(__dirname, '..', 'mcp-server', 'src');
  return NodeServerSource.fromEntry(fs.existsSync(path.join(src, 'main.ts')) ? path.join(src, 'main.ts') : path.join(src, 'main.js'));
}

/** The guide's week in New York, with New Year's Day and Christmas as holidays. */
export function referenceSchedule(): ScalingSchedule {
  return ScalingSchedule.guidePreset('America/New_York', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] });
}

export interface ReferenceStacks {
  readonly activeActive: ActiveActiveMcpService;
  readonly activePassive: ActivePassiveMcpService;
  readonly multiRegion: MultiRegionMcpStage;
  /** Every stack the app defines (regional and global), including those inside the multi-region Stage. */
  readonly stacks: Stack[];
}

/** Regions of the multi-region reference (the benchmark sweeps more). */
export const REFERENCE_MULTI_REGION_REGIONS = ['us-east-1', 'eu-west-1'];

/** McpActiveActive: business-critical, one region, DNS (CNAME, 15 s TTL), Vault-issued certificate. */
export function buildActiveActive(app: App, server: NodeServerSource = referenceServer()): ActiveActiveMcpService {
  const stack = new Stack(app, 'McpActiveActive', {
    env: { account: EXAMPLE_ACCOUNT, region: 'us-east-1' },
    description: 'Reference: active-active MCP service (business-critical, us-east-1)',
  });
  const svc = new ActiveActiveMcpService(stack, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    certificate: McpCertificate.vault(EXAMPLE_VAULT),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp-aa' },
    routing: TrafficRouting.dns(),
    authorization: referenceAuthorization(app),
  });
  outputs(svc, svc.budget.describe(), 'mcp-aa.example.com');
  return svc;
}

/** McpActivePassive: mission-critical, standby in the other three zones of us-east-1, Route 53 failover. */
export function buildActivePassive(app: App, server: NodeServerSource = referenceServer()): ActivePassiveMcpService {
  const stack = new Stack(app, 'McpActivePassive', {
    env: { account: EXAMPLE_ACCOUNT, region: 'us-east-1' },
    description: 'Reference: active-passive MCP service (mission-critical, us-east-1, standby in other zones)',
  });
  const svc = new ActivePassiveMcpService(stack, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    certificate: McpCertificate.dnsValidated(),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp-ap' },
    routing: TrafficRouting.dns(),
    authorization: referenceAuthorization(app),
    // The record's CALCULATED check (HTTPS AND the MCP probe alarm) adds Route 53's aggregation of its children
    // (5 s, assumed): with the tier's 5 s TTL the budget is 31 s, over the 30 s target, and the plan refuses it;
    // a 4 s TTL keeps it at 30 s.
    tierOverrides: { recordTtlSeconds: 4 },
  });
  outputs(svc, svc.budget.describe(), 'mcp-ap.example.com');
  return svc;
}

/**
 * McpMultiRegion: a Stage holding McpMultiRegion-<region> and McpMultiRegion-global; mission-critical, behind
 * Global Accelerator, multi-writer MemoryDB Multi-Region cache.
 */
export function buildMultiRegion(
  app: App, regions: string[] = REFERENCE_MULTI_REGION_REGIONS, server: NodeServerSource = referenceServer(),
  options: { readonly cache?: false } = {},
): MultiRegionMcpStage {
  const svc = new MultiRegionMcpStage(app, 'McpMultiRegion', {
    tier: AvailabilityTier.MISSION_CRITICAL,
    regions,
    account: EXAMPLE_ACCOUNT,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    certificate: McpCertificate.dnsValidated(),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp' },
    routing: TrafficRouting.accelerator(),
    authorization: referenceAuthorization(app),
    ...(options.cache === false ? { cache: false as const } : {}),
  });
  for (const region of Object.values(svc.regions)) outputs(region, svc.budget.describe(), undefined);
  if (svc.accelerator) {
    new CfnOutput(svc.accelerator, 'AcceleratorDnsName', { value: svc.accelerator.dnsName });
    new CfnOutput(svc.accelerator, 'FailoverBudget', { value: svc.budget.describe() });
  }
  return svc;
}

/** Every reference stack set in one app (what `cdk synth` runs). */
export function buildReferenceApp(app: App): ReferenceStacks {
  const server = referenceServer();
  const activeActive = buildActiveActive(app, server);
  const activePassive = buildActivePassive(app, server);
  const multiRegion = buildMultiRegion(app, REFERENCE_MULTI_REGION_REGIONS, server);
  return {
    activeActive, activePassive, multiRegion,
    stacks: app.node.findAll().filter((c): c is Stack => c instanceof Stack),
  };
}

/** The reference app turns what the constructs expose into outputs (library constructs emit none). */
function outputs(scope: import('constructs').Construct, budget: string, name: string | undefined): void {
  new CfnOutput(scope, 'FailoverBudget', { value: budget, description: 'Seconds from failure to traffic moved, term by term (lib/core)' });
  if (name) new CfnOutput(scope, 'ServiceUrl', { value: `https://${name}/mcp` });
}
