/**
 * What the three Azure topologies share: the same props vocabulary as on AWS
 * (tier, server, capacity, schedule, cache, certificate, domain, routing,
 * overrides, waf, alarmTopic, mcpProbe, authorization) plus what Azure needs (namePrefix for
 * globally unique names, sshPublicKey, deployerIpRanges, holidayYears,
 * frontDoor), and the summary each stack writes as a Terraform output.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { McpAuthorization, ResolvedAuthorization } from '../../core/authorization';
import { Validator } from '../../core/errors';
import { McpServerSource } from '../../core/server-source';
import { ScalingSchedule } from '../../core/schedule';
import { SUMMARY_KEY, StackSummary } from '../../core/summary';
import { AvailabilityTier, RoutingMechanism, TierOverrides } from '../../core/tiers';
import { AzureServicePlan, FrontDoorOptions } from '../budget';
import { McpServiceCacheOptions } from '../cache';
import { McpCertificate } from '../certificate';
import { FleetCapacity } from '../fleet';
import { McpWafOptions } from '../load-balancer';
import { McpAlarmTopic } from '../monitoring';
import { ExistingNetwork } from '../network';

/** How traffic reaches the regional deployments. */
export class TrafficRouting {
  /** Traffic Manager: priority routing (active-passive), performance or weighted routing (multi-region). */
  public static dns(options: { readonly routingMethod?: 'Performance' | 'Weighted' } = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.DNS, options.routingMethod);
  }

  /** Azure Front Door Standard/Premium (anycast): its own probe and response timeout. */
  public static frontDoor(options: FrontDoorOptions & { readonly skuName?: 'Standard_AzureFrontDoor' | 'Premium_AzureFrontDoor' } = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.ANYCAST, undefined, options);
  }

  /** Nothing in front of the gateway (active-active only). */
  public static loadBalancer(): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.LOAD_BALANCER);
  }

  private constructor(
    public readonly mechanism: RoutingMechanism,
    public readonly routingMethod?: 'Performance' | 'Weighted',
    public readonly frontDoor?: FrontDoorOptions & { readonly skuName?: 'Standard_AzureFrontDoor' | 'Premium_AzureFrontDoor' },
  ) {}
}

/** The DNS name a service answers on. */
export interface McpDomain {
  /** The zone, e.g. `example.com`. */
  readonly zoneName: string;
  /** The record below the zone, e.g. `mcp` for mcp.example.com. */
  readonly recordName: string;
  /**
   * An Azure DNS zone to write the service and regional records into.
   * @default - no records: point `serviceName` at the Traffic Manager / Front Door / gateway name yourself
   */
  readonly azureDnsZone?: { readonly resourceGroupName: string };
}

/** The props every Azure topology takes. */
export interface AzureMcpServiceProps {
  /** @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  readonly server: McpServerSource;
  readonly capacity: FleetCapacity;
  /** @default - no schedule */
  readonly schedule?: ScalingSchedule;
  /** Years the schedule's holidays are rendered for (Azure fixed-date profiles carry a year). */
  readonly holidayYears?: number[];
  readonly certificate: McpCertificate;
  /** The service's name (certificates, probes, Traffic Manager host header). */
  readonly domain: McpDomain;
  /** @default - from the tier: Front Door for mission-critical, Traffic Manager otherwise (active-active: the gateway) */
  readonly routing?: TrafficRouting;
  /** Azure Managed Redis. `false`: no cache. @default - Balanced_B3, high availability */
  readonly cache?: McpServiceCacheOptions | false;
  readonly overrides?: TierOverrides;
  /** @default 'Standard_D2s_v5' */
  readonly vmSize?: string;
  /** @default - WAF_v2 with OWASP 3.2 and a rate limit */
  readonly waf?: McpWafOptions | false;
  readonly alarmTopic?: McpAlarmTopic;
  /** The MCP-level availability test. @default true */
  readonly mcpProbe?: boolean;
  /**
   * Prefix of globally unique names (Key Vaults, caches, Traffic Manager, Front Door):
   * 3-11 lowercase letters and digits, starting with a letter.
   */
  readonly namePrefix: string;
  /** OpenSSH public key of the scale sets' admin user (no SSH port is opened). */
  readonly sshPublicKey: string;
  /** CIDR ranges of whatever runs `cdktf deploy` (Key Vault denies every other public address). @default - none */
  readonly deployerIpRanges?: string[];
  /** Listen on port 80 and redirect to HTTPS. @default false */
  readonly httpRedirect?: boolean;
  /**
   * Your own virtual networks, by region (a dedicated gateway subnet, the application subnet with outbound
   * internet, the data subnet for private endpoints; no NSG is created or changed).
   * @default - a new network per region (10.20.0.0/16), with NSGs and a NAT gateway
   */
  readonly networks?: Record<string, ExistingNetwork>;
  /**
   * Who may call the service (MCP authorization: the servers are OAuth 2.1 resource servers
   * of this issuer; the audience is `https://<recordName>.<zoneName><mcpPath>`). Every Azure
   * gateway has a public IP (internet-facing), so there is no silent default: give an issuer
   * (Microsoft Entra ID: see docs/AZURE.md for the app registration), or opt out with
   * `McpAuthorization.allowUnauthenticated(reason)` (a synth warning, and the summary says so).
   * @default - none: synthesis is refused
   */
  readonly authorization?: McpAuthorization;
}

/** A topology's plan: the Azure plan and the authorization resolved against the service. */
export interface AzureTopologyPlan extends AzureServicePlan {
  /** Who may call (undefined only when synthesis was refused). */
  readonly authorization?: ResolvedAuthorization;
}

/** The fully qualified service name. */
export function serviceName(domain: McpDomain): string {
  return domain.recordName === '' ? domain.zoneName : `${domain.recordName}.${domain.zoneName}`;
}

/** The name of one region's deployment (`mcp-westeurope.example.com`). */
export function regionalName(domain: McpDomain, region: string): string {
  const label = domain.recordName === '' ? region : `${domain.recordName}-${region}`;
  return `${label}.${domain.zoneName}`;
}

/** Validates what every topology shares (before anything is built). */
export function validateServiceProps(v: Validator, props: AzureMcpServiceProps, regions: readonly string[]): void {
  v.check(typeof props.namePrefix === 'string' && /^[a-z][a-z0-9]{2,10}$/.test(props.namePrefix), 'namePrefix', props.namePrefix,
    '3-11 lowercase letters and digits starting with a letter (Key Vault names are at most 24 characters and global)');
  const d = props.domain;
  v.check(!!d && typeof d.zoneName === 'string' && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/.test(d.zoneName), 'domain.zoneName', d?.zoneName,
    'a DNS zone name such as "example.com"');
  v.check(!!d && typeof d.recordName === 'string' && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/.test(d.recordName), 'domain.recordName', d?.recordName,
    'one DNS label ("mcp") or "" for the zone apex');
  (props.deployerIpRanges ?? []).forEach((r, i) => v.check(/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(r), `deployerIpRanges[${i}]`, r, 'an IPv4 address or CIDR range'));
  for (const r of Object.keys(props.networks ?? {})) {
    v.check(regions.includes(r), `networks.${r}`, r, `a region of the service (${regions.join(', ')})`);
  }
  const dup = regions.filter((r, i) => regions.indexOf(r) !== i);
  v.check(dup.length === 0, 'regions', regions, `distinct regions (${[...new Set(dup)].join(', ')} given twice): two deployments in one region fail together`);
}

/** Short, stable suffix of a region for global names (`westeurope` -> 6 characters). */
export function regionSuffix(region: string): string {
  let h = 5381;
  for (const ch of region) h = ((h * 33) ^ ch.charCodeAt(0)) >>> 0;
  return h.toString(36).slice(0, 6).padStart(6, '0');
}

/** Writes the summary as the stack's Terraform output `McpHa_Summary` (`npm run synth` reads it). */
export function recordSummary(scope: Construct, summary: StackSummary): TerraformOutput {
  const stack = TerraformStack.of(scope);
  const name = SUMMARY_KEY.replace(/\W+/g, '_');
  const output = new TerraformOutput(stack, name, { value: JSON.stringify(summary), description: 'mcp-ha-constructs stack summary' });
  output.overrideLogicalId(name);
  return output;
}
