/**
 * The reference stacks: one stack set per topology, built the way a platform team
 * would. Account, regions, hosted zone and Vault address are PLACEHOLDERS: change
 * them (and the matching availability-zone context in cdk.json) before deploying.
 * See examples/aws/README.md for the deployment steps.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as path from 'path';
import {
  ActiveActiveMcpService, ActivePassiveMcpService, McpCertificate, MultiRegionMcpService, NodeServerSource, StandbyLocation,
  TrafficRouting,
} from '../../lib/aws';
import { AvailabilityTier, ScalingSchedule } from '../../lib/core';

/** Placeholder account: every stack's env. Replace with yours. */
export const EXAMPLE_ACCOUNT = '123456789012';
/** Placeholder public hosted zone. Replace with yours (synthesis never looks zones up). */
export const EXAMPLE_ZONE = { zoneName: 'example.com', hostedZoneId: 'Z0EXAMPLE0ZONE0ID0000' };
/** Placeholder Vault (PKI mount `pki`, role `mcp-server`, AWS IAM auth role `mcp-server`). */
export const EXAMPLE_VAULT = { vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server' };

/** The reference server (examples/mcp-server), bundled at synth and run by systemd on every instance. */
export function referenceServer(): NodeServerSource {
  return NodeServerSource.fromEntry(path.join(__dirname, '..', 'mcp-server', 'src', 'main.ts'));
}

/** The guide's week in New York, with New Year's Day and Christmas as holidays. */
export function referenceSchedule(): ScalingSchedule {
  return ScalingSchedule.guidePreset('America/New_York', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] });
}

export interface ReferenceStacks {
  readonly activeActive: ActiveActiveMcpService;
  readonly activePassive: ActivePassiveMcpService;
  readonly multiRegion: MultiRegionMcpService;
  /** Every stack the app defines (regional and global). */
  readonly stacks: Stack[];
}

export function buildReferenceApp(app: App): ReferenceStacks {
  const server = referenceServer();

  // Active-active, business-critical, one region, DNS (CNAME, 15 s TTL), Vault-issued certificate.
  const aaStack = new Stack(app, 'McpActiveActive', {
    env: { account: EXAMPLE_ACCOUNT, region: 'us-east-1' },
    description: 'Reference: active-active MCP service (business-critical, us-east-1)',
  });
  const activeActive = new ActiveActiveMcpService(aaStack, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    certificate: McpCertificate.vault(EXAMPLE_VAULT),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp-aa' },
    routing: TrafficRouting.dns(),
  });
  outputs(activeActive, activeActive.budget.describe(), 'mcp-aa.example.com');

  // Active-passive, mission-critical, standby in the other three zones of us-east-1, Route 53 failover.
  const apStack = new Stack(app, 'McpActivePassive', {
    env: { account: EXAMPLE_ACCOUNT, region: 'us-east-1' },
    description: 'Reference: active-passive MCP service (mission-critical, us-east-1, standby in other zones)',
  });
  const activePassive = new ActivePassiveMcpService(apStack, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    standby: StandbyLocation.otherZones(),
    certificate: McpCertificate.dnsValidated(),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp-ap' },
    routing: TrafficRouting.dns(),
  });
  outputs(activePassive, activePassive.budget.describe(), 'mcp-ap.example.com');

  // Multi-region, mission-critical, us-east-1 + eu-west-1 behind Global Accelerator, Global Datastore.
  const multiRegion = new MultiRegionMcpService(app, 'McpMultiRegion', {
    tier: AvailabilityTier.MISSION_CRITICAL,
    regions: ['us-east-1', 'eu-west-1'],
    account: EXAMPLE_ACCOUNT,
    server,
    capacity: { baseline: 6 },
    schedule: referenceSchedule(),
    certificate: McpCertificate.dnsValidated(),
    domain: { ...EXAMPLE_ZONE, recordName: 'mcp' },
    routing: TrafficRouting.accelerator(),
  });
  for (const region of Object.values(multiRegion.regions)) {
    outputs(region, multiRegion.budget.describe(), undefined);
  }
  if (multiRegion.accelerator) {
    new CfnOutput(multiRegion.accelerator, 'AcceleratorDnsName', { value: multiRegion.accelerator.dnsName });
    new CfnOutput(multiRegion.accelerator, 'FailoverBudget', { value: multiRegion.budget.describe() });
  }

  return {
    activeActive, activePassive, multiRegion,
    stacks: app.node.children.filter((c): c is Stack => c instanceof Stack),
  };
}

/** The reference app turns what the constructs expose into outputs (library constructs emit none). */
function outputs(scope: import('constructs').Construct, budget: string, name: string | undefined): void {
  new CfnOutput(scope, 'FailoverBudget', { value: budget, description: 'Seconds from failure to traffic moved, term by term (lib/core)' });
  if (name) new CfnOutput(scope, 'ServiceUrl', { value: `https://${name}/mcp` });
}
