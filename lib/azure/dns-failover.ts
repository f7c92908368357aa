/**
 * DNS failover with Azure Traffic Manager: priority routing for active-passive,
 * performance (or weighted) routing for multi-region; an HTTPS monitor on the
 * region-health (readiness) path of every regional gateway; the interval, the
 * explicit timeout (5-9 s with a 10 s interval: the provider's default of 10 s
 * is refused there), tolerated failures (0-9) and TTL come from the plan.
 */
import { TrafficManagerAzureEndpoint } from '@cdktf/provider-azurerm/lib/traffic-manager-azure-endpoint';
import { TrafficManagerProfile } from '@cdktf/provider-azurerm/lib/traffic-manager-profile';
import { Construct } from 'constructs';
import { TrafficManagerSettings } from './plan';
import { AZURE_FACTS } from './facts';
import { validatorFor } from './validation';

/** One regional deployment behind Traffic Manager. */
export interface TrafficManagerTarget {
  /** Endpoint name (the region): the failover signal's dimension value. */
  readonly name: string;
  /** The gateway's public IP (it must carry a DNS label). */
  readonly publicIpId: string;
  /**
   * Priority routing: 1 is served first.
   * @default - none: only priority routing reads it (the topologies number the regions in order)
   */
  readonly priority?: number;
  /** Weighted routing. @default 1 */
  readonly weight?: number;
}

/** Props of `McpTrafficManager`. */
export interface McpTrafficManagerProps {
  /** The resource group of the global resources. */
  readonly resourceGroupName: string;
  /** The profile's DNS label (`<label>.trafficmanager.net`), globally unique. */
  readonly relativeName: string;
  /** Priority (active-passive), Performance or Weighted (multi-region). */
  readonly routingMethod: 'Priority' | 'Performance' | 'Weighted';
  /** The monitor and TTL as planned (`AzureServicePlan.trafficManager`). */
  readonly settings: TrafficManagerSettings;
  /** The region-health path (the server's readiness path). */
  readonly healthPath: string;
  /** Host header of the probes (the service name the certificate covers). */
  readonly hostHeader: string;
  /** The regional gateways, two or more. */
  readonly targets: TrafficManagerTarget[];
}

/** Azure Traffic Manager in front of the regional gateways (the DNS routing). */
export class McpTrafficManager extends Construct {
  /** The Traffic Manager profile. */
  public readonly profile: TrafficManagerProfile;
  /** One endpoint per region. */
  public readonly endpoints: TrafficManagerAzureEndpoint[];
  /** `<label>.trafficmanager.net` */
  public readonly fqdn: string;

  constructor(scope: Construct, id: string, props: McpTrafficManagerProps) {
    super(scope, id);
    const v = validatorFor(this);
    const s = props.settings;
    v.oneOf('settings.intervalSeconds', s.intervalSeconds, [10, 30], AZURE_FACTS.trafficManager.docUrl);
    v.integerInRange('settings.timeoutSeconds', s.timeoutSeconds, s.intervalSeconds === 10 ? { min: 5, max: 9 } : { min: 5, max: 10 },
      `Traffic Manager with a ${s.intervalSeconds} s interval, ${AZURE_FACTS.trafficManager.docUrl}`);
    v.integerInRange('settings.toleratedFailures', s.toleratedFailures, AZURE_FACTS.trafficManager.toleratedFailures, AZURE_FACTS.trafficManager.docUrl);
    v.integerInRange('settings.ttlSeconds', s.ttlSeconds, { min: 0, max: 2147483647 });
    v.check(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]$/.test(props.relativeName), 'relativeName', props.relativeName,
      'a DNS label of 2-63 letters, digits and hyphens (globally unique under trafficmanager.net)');
    const names = props.targets.map((t) => t.name);
    v.check(new Set(names).size === names.length && names.length >= 2, 'targets', names, 'two or more endpoints with distinct names');
    v.throwIfInvalid();
    this.profile = new TrafficManagerProfile(this, 'Profile', {
      name: props.relativeName,
      resourceGroupName: props.resourceGroupName,
      trafficRoutingMethod: props.routingMethod,
      dnsConfig: { relativeName: props.relativeName, ttl: s.ttlSeconds },
      monitorConfig: {
        protocol: 'HTTPS',
        port: 443,
        path: props.healthPath,
        intervalInSeconds: s.intervalSeconds,
        timeoutInSeconds: s.timeoutSeconds,
        toleratedNumberOfFailures: s.toleratedFailures,
        expectedStatusCodeRanges: ['200-200'],
        customHeader: [{ name: 'host', value: props.hostHeader }],
      },
    });
    this.fqdn = this.profile.fqdn;
    this.endpoints = props.targets.map((t) => new TrafficManagerAzureEndpoint(this, `Endpoint-${t.name}`, {
      name: t.name,
      profileId: this.profile.id,
      targetResourceId: t.publicIpId,
      priority: props.routingMethod === 'Priority' ? t.priority : undefined,
      weight: props.routingMethod === 'Weighted' ? (t.weight ?? 1) : undefined,
      // Never answer with an unhealthy endpoint.
      alwaysServeEnabled: false,
    }));
  }
}
