/**
 * The Google Cloud stacks of the Terraform reference app: one stack per topology
 * (`gcp-active-active`, `gcp-active-passive`, `gcp-multi-region`), each with its
 * provider and an encrypted remote state (a GCS bucket; see docs/GCP.md).
 * Synthesis is offline: no Google API is called.
 */
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { App, GcsBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AvailabilityTier, McpServerSource, ScalingSchedule } from '../../lib/core';
import {
  ActiveActiveMcpService, ActivePassiveMcpService, McpAuthorization, McpCertificate, McpDomain, MultiRegionMcpService,
} from '../../lib/gcp';

/** The reference project (replace with yours, or set GOOGLE_CLOUD_PROJECT). */
export const GCP_PROJECT = process.env.GOOGLE_CLOUD_PROJECT ?? 'mcp-ha-reference';
const server = McpServerSource.container('us-docker.pkg.dev/mcp-ha-reference/mcp/context-server:1.4.0', { port: 8080 });
/** The zone; each stack has its own record (mcp-aa, mcp-ap, mcp) and name prefix, so all three deploy into one project. */
const zone = { managedZone: 'example-com', zoneName: 'example.com' };
const domain = (recordName: string): McpDomain => ({ ...zone, recordName });
const certificate = McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server', pkiMount: 'pki' });
const schedule = ScalingSchedule.guidePreset('America/New_York');
/**
 * Who may call: an OIDC provider that issues JWT access tokens for the service's URL (RFC 8707). The reference
 * uses a Keycloak realm (docs/GCP.md, Authorization: the audience mapper, the scopes, the client's flow); any
 * provider with a resource or audience setting works. Google Identity Platform is refused: its tokens' `aud`
 * is the project ID. Set MCP_OIDC_ISSUER to your issuer, exactly as its discovery document spells it.
 */
const authorization = McpAuthorization.oauth({ issuer: process.env.MCP_OIDC_ISSUER ?? 'https://auth.example.com/realms/mcp' });

function stack(app: Construct, id: string, region: string): TerraformStack {
  const s = new TerraformStack(app, id);
  new GoogleProvider(s, 'google', { project: GCP_PROJECT, region });
  // State holds the certificate's private key: a GCS bucket with uniform access, versioning and CMEK (docs/GCP.md).
  new GcsBackend(s, { bucket: `${GCP_PROJECT}-tfstate`, prefix: id });
  return s;
}

/** Adds the three Google Cloud stacks to `app`. */
export function addGcpStacks(app: App): Record<string, TerraformStack> {
  const aa = stack(app, 'gcp-active-active', 'us-east1');
  new ActiveActiveMcpService(aa, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL, region: 'us-east1', server, capacity: { baseline: 6 }, schedule,
    certificate, domain: domain('mcp-aa'), project: GCP_PROJECT, authorization, namePrefix: 'mcp-aa',
  });

  const ap = stack(app, 'gcp-active-passive', 'us-east1');
  new ActivePassiveMcpService(ap, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL, primaryRegion: 'us-east1', standbyRegion: 'us-central1',
    server, capacity: { baseline: 4 }, schedule, certificate, domain: domain('mcp-ap'), project: GCP_PROJECT, authorization, namePrefix: 'mcp-ap',
    // Cloud DNS checks every 30 s at the fastest: one failed check (not the tier's two) keeps the 60 s target
    // (30 s detection + 5 s timeout + 5 s aggregation + 15 s TTL = 55 s).
    overrides: { dnsHealthCheck: { failureThreshold: 1 } },
  });

  const mr = stack(app, 'gcp-multi-region', 'us-east1');
  new MultiRegionMcpService(mr, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL, regions: ['us-east1', 'europe-west1'], server, capacity: { baseline: 6 },
    schedule, certificate, domain: domain('mcp'), project: GCP_PROJECT, authorization, namePrefix: 'mcp-mr',
  });
  return { aa, ap, mr };
}
