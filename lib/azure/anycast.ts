/**
 * The anycast option: Azure Front Door Standard/Premium in front of the
 * regional gateways. Front Door detects with its own probe (interval, sample
 * size, successful samples required; only a 200 counts) from every edge
 * location, and waits for an origin's response up to its own response timeout
 * (default 120 s, below the default 150 s origin read timeout: the library
 * renders at least the origin read timeout). Its budget terms come from these
 * rendered values (budget.ts), not from the gateway's probe.
 *
 * Front Door validates each origin's certificate chain against public CAs: the
 * origins' certificates must be publicly trusted (a private Vault CA is refused
 * with Front Door routing, see McpCertificate).
 */
import { CdnFrontdoorEndpoint } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-endpoint';
import { CdnFrontdoorOrigin } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin';
import { CdnFrontdoorOriginGroup } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-origin-group';
import { CdnFrontdoorProfile } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-profile';
import { CdnFrontdoorRoute } from '@cdktf/provider-azurerm/lib/cdn-frontdoor-route';
import { Construct } from 'constructs';
import { FrontDoorSettings } from './plan';

/** One regional gateway behind Front Door. */
export interface FrontDoorOrigin {
  /** Origin name (the region): the failover signal's dimension value. */
  readonly name: string;
  /** The host name the origin's certificate covers (the regional name). */
  readonly hostName: string;
  /** Priority (active-passive: 1 primary, 2 standby). @default 1 */
  readonly priority?: number;
  /**
   * Share of traffic among origins of the same priority (1-1000).
   * @default 1000
   */
  readonly weight?: number;
}

/** Props of `McpFrontDoor`. */
export interface McpFrontDoorProps {
  /** The resource group of the global resources. */
  readonly resourceGroupName: string;
  /** Profile and endpoint name (the endpoint's host is `<name>-<hash>.z01.azurefd.net`). */
  readonly name: string;
  /** The probe and response timeout as planned (`AzureServicePlan.frontDoor`). */
  readonly settings: FrontDoorSettings;
  /** The region-health (readiness) path the origin group probes. */
  readonly healthPath: string;
  /** The regional gateways. */
  readonly origins: FrontDoorOrigin[];
  /**
   * The Front Door SKU.
   * @default 'Standard_AzureFrontDoor'
   */
  readonly skuName?: 'Standard_AzureFrontDoor' | 'Premium_AzureFrontDoor';
}

/** Azure Front Door Standard/Premium in front of the regional gateways (the anycast routing). */
export class McpFrontDoor extends Construct {
  /** The Front Door profile (its resource GUID is the `X-Azure-FDID` the gateways' WAF requires). */
  public readonly profile: CdnFrontdoorProfile;
  /** The endpoint clients (or the service's CNAME) reach. */
  public readonly endpoint: CdnFrontdoorEndpoint;
  /** The origin group: probe and load-balancing settings. */
  public readonly originGroup: CdnFrontdoorOriginGroup;
  /** One origin per region. */
  public readonly origins: CdnFrontdoorOrigin[];
  /** The endpoint's host name. */
  public readonly hostName: string;

  constructor(scope: Construct, id: string, props: McpFrontDoorProps) {
    super(scope, id);
    const s = props.settings;
    this.profile = new CdnFrontdoorProfile(this, 'Profile', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      skuName: props.skuName ?? 'Standard_AzureFrontDoor',
      responseTimeoutSeconds: s.responseTimeoutSeconds,
    });
    this.endpoint = new CdnFrontdoorEndpoint(this, 'Endpoint', { name: props.name, cdnFrontdoorProfileId: this.profile.id });
    this.hostName = this.endpoint.hostName;
    this.originGroup = new CdnFrontdoorOriginGroup(this, 'Origins', {
      name: 'mcp-regions',
      cdnFrontdoorProfileId: this.profile.id,
      sessionAffinityEnabled: false,
      // Traffic returns to a recovered origin at once (the gateway's own probe already gates it).
      restoreTrafficTimeToHealedOrNewEndpointInMinutes: 0,
      healthProbe: { protocol: 'Https', requestType: 'GET', intervalInSeconds: s.probeIntervalSeconds, path: props.healthPath },
      loadBalancing: { sampleSize: s.sampleSize, successfulSamplesRequired: s.successfulSamplesRequired, additionalLatencyInMilliseconds: 50 },
    });
    this.origins = props.origins.map((o) => new CdnFrontdoorOrigin(this, `Origin-${o.name}`, {
      name: o.name,
      cdnFrontdoorOriginGroupId: this.originGroup.id,
      hostName: o.hostName,
      originHostHeader: o.hostName,
      httpsPort: 443,
      certificateNameCheckEnabled: true,
      priority: o.priority ?? 1,
      weight: o.weight ?? 1000,
      enabled: true,
    }));
    new CdnFrontdoorRoute(this, 'Route', {
      name: 'mcp',
      cdnFrontdoorEndpointId: this.endpoint.id,
      cdnFrontdoorOriginGroupId: this.originGroup.id,
      cdnFrontdoorOriginIds: this.origins.map((o) => o.id),
      patternsToMatch: ['/*'],
      supportedProtocols: ['Https'],
      forwardingProtocol: 'HttpsOnly',
      httpsRedirectEnabled: false,
      linkToDefaultDomain: true,
    });
  }
}
