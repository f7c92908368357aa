/**
 * What the three Azure topologies share: the same props vocabulary as on AWS
 * (tier, server, capacity, schedule, cache, certificate, domain, routing,
 * tierOverrides, waf, alarmTopic, mcpProbe, authorization) plus what Azure needs (namePrefix for
 * globally unique names, sshPublicKey, deployerIpRanges, holidayYears,
 * frontDoor). The summary writer and the name helpers live in ../private/service-names.ts.
 */
import { McpAuthorization, ResolvedAuthorization } from '../../core/authorization';
import { McpServerSource } from '../../core/server-source';
import { ScalingSchedule } from '../../core/schedule';
import { AvailabilityTier, RoutingMechanism, TierOverrides } from '../../core/tiers';
import { AzureServicePlan, FrontDoorOptions } from '../plan';
import { McpServiceCacheOptions } from '../cache';
import { McpCertificate } from '../certificate';
import { FleetCapacity } from '../fleet';
import { McpWafOptions } from '../load-balancer';
import { McpAlarmTopic } from '../monitoring';
import { ExistingNetwork } from '../network';

/** Options of `TrafficRouting.dns()`. */
export interface DnsRoutingOptions {
  /**
   * Traffic Manager's routing method for a multi-region service: `Performance` (each client to the closest
   * healthy region) or `Weighted` (equal shares). Active-passive always uses `Priority`.
   * @default 'Performance'
   */
  readonly routingMethod?: 'Performance' | 'Weighted';
}

/** Options of `TrafficRouting.frontDoor()`: the Front Door probe settings plus the SKU. */
export interface FrontDoorRoutingOptions extends FrontDoorOptions {
  /**
   * The Front Door SKU (Premium adds Private Link origins and managed WAF rule sets, neither used here).
   * @default 'Standard_AzureFrontDoor'
   */
  readonly skuName?: 'Standard_AzureFrontDoor' | 'Premium_AzureFrontDoor';
}

/** How traffic reaches the regional deployments. */
export class TrafficRouting {
  /** Traffic Manager: priority routing (active-passive), performance or weighted routing (multi-region). */
  public static dns(options: DnsRoutingOptions = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.DNS, options.routingMethod);
  }

  /** Azure Front Door Standard/Premium (anycast): its own probe and response timeout. */
  public static frontDoor(options: FrontDoorRoutingOptions = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.ANYCAST, undefined, options);
  }

  /** Nothing in front of the gateway (active-active only). */
  public static loadBalancer(): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.LOAD_BALANCER);
  }

  private constructor(
    /** The routing mechanism (DNS: Traffic Manager; anycast: Front Door; load balancer: the gateway alone). */
    public readonly mechanism: RoutingMechanism,
    /** Traffic Manager's routing method for a multi-region service (DNS routing only). */
    public readonly routingMethod?: 'Performance' | 'Weighted',
    /** The Front Door options given (anycast routing only). */
    public readonly frontDoorOptions?: FrontDoorRoutingOptions,
  ) {}
}

/** An Azure DNS zone the topology writes its records into. */
export interface AzureDnsZoneOptions {
  /** The resource group holding the zone (named by `McpDomain.zoneName`). */
  readonly resourceGroupName: string;
}

/** The DNS name a service answers on. */
export interface McpDomain {
  /** The zone, e.g. `example.com`. */
  readonly zoneName: string;
  /** The record below the zone, e.g. `mcp` for mcp.example.com; `""` for the zone apex. */
  readonly recordName: string;
  /**
   * An Azure DNS zone to write the service and regional records into.
   * @default - no records: point `serviceName` at the Traffic Manager / Front Door / gateway name yourself
   */
  readonly azureDnsZone?: AzureDnsZoneOptions;
}

/** The props every Azure topology takes. */
export interface AzureMcpServiceProps {
  /**
   * The availability tier: probe timing, minimum capacity and zones, failover targets and alarm thresholds.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /** The MCP server every instance runs (container or commands), its port and its health paths. */
  readonly server: McpServerSource;
  /** Instances per region: the baseline the schedule's percentages apply to, and the min/max autoscale keeps. */
  readonly capacity: FleetCapacity;
  /**
   * The scaling schedule, rendered as autoscale profiles in the schedule's time zone.
   * @default - no schedule: one default profile at the capacity's min, CPU scaling up to its max
   */
  readonly schedule?: ScalingSchedule;
  /**
   * Years the schedule's holidays are rendered for (an Azure fixed-date profile carries a year).
   * @default - the current year and the next one
   */
  readonly holidayYears?: number[];
  /** The gateways' TLS certificate: an existing Key Vault secret per region, or issued by Vault PKI. */
  readonly certificate: McpCertificate;
  /** The service's name (certificates, probes, Traffic Manager host header, the authorization audience). */
  readonly domain: McpDomain;
  /**
   * How traffic reaches the regions.
   * @default - from the tier: Front Door for mission-critical, Traffic Manager otherwise (active-active: the gateway alone)
   */
  readonly routing?: TrafficRouting;
  /**
   * Azure Managed Redis in every region (geo-replicated across regions); `false`: no cache.
   * @default - Balanced_B3 with high availability, in every region
   */
  readonly cache?: McpServiceCacheOptions | false;
  /**
   * Changes to the tier's defaults (probe, timeouts, alarm thresholds, failover targets, budget enforcement).
   * @default - the tier's values unchanged
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * The scale sets' VM size.
   * @default 'Standard_D2s_v5'
   */
  readonly vmSize?: string;
  /**
   * The gateways' web application firewall; `false`: Standard_v2 gateways without one (refused with Front Door routing).
   * @default - WAF_v2 with OWASP 3.2 in prevention mode and a 2000 requests/minute per-client rate limit
   */
  readonly waf?: McpWafOptions | false;
  /**
   * Where alerts go: an existing action group, or e-mail addresses for a new one.
   * @default - a new action group without receivers: alerts fire and show in the portal, nobody is notified
   */
  readonly alarmTopic?: McpAlarmTopic;
  /**
   * The MCP-level availability test (an Application Insights standard test posting `initialize`) and its alert.
   * @default true
   */
  readonly mcpProbe?: boolean;
  /**
   * Prefix of globally unique names (Key Vaults, caches, Traffic Manager, Front Door):
   * 3-11 lowercase letters and digits, starting with a letter.
   */
  readonly namePrefix: string;
  /** OpenSSH public key of the scale sets' admin user (no SSH port is opened). */
  readonly sshPublicKey: string;
  /**
   * CIDR ranges of whatever runs `cdktf deploy` (Key Vault denies every other public address).
   * @default - none: only the private endpoint reaches the Key Vaults, so a deploy from outside the network
   * cannot import the certificate
   */
  readonly deployerIpRanges?: string[];
  /**
   * Listen on port 80 and redirect to HTTPS.
   * @default false
   */
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
   * (Microsoft Entra ID: `McpAuthorization.entraIdIssuer(tenantId)`, see docs/AZURE.md for the app registration),
   * or opt out with `McpAuthorization.allowUnauthenticated(reason)` (a synth warning, and the summary says so).
   * @default - none: synthesis is refused
   */
  readonly authorization?: McpAuthorization;
}

/** A topology's plan: the Azure plan and the authorization resolved against the service. */
export interface AzureTopologyPlan extends AzureServicePlan {
  /**
   * Who may call, resolved against the service (issuer, audience, scopes, the environment the servers get).
   * @default - undefined only when synthesis was refused
   */
  readonly authorization?: ResolvedAuthorization;
}
