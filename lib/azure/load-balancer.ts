/**
 * The regional load balancer: Application Gateway v2 (Standard_v2, or WAF_v2
 * with a WAF policy carrying a rate-limit rule), zone-redundant across zones
 * 1-3, autoscaling, an HTTPS listener with a TLS 1.2+ policy and a Key Vault
 * certificate read through a user-assigned identity, the tier's probe on the
 * readiness path, connection draining and a backend request timeout from the
 * timeout chain (the gateway's default, 30 s, cuts streamed MCP responses).
 *
 * Probe semantics differ from an ALB: there is no healthy threshold (one
 * success restores a backend) and every gateway instance probes on its own;
 * the failover budget (budget.ts) states both.
 */
import { ApplicationGateway } from '@cdktf/provider-azurerm/lib/application-gateway';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { WebApplicationFirewallPolicy } from '@cdktf/provider-azurerm/lib/web-application-firewall-policy';
import { Construct } from 'constructs';
import { McpServerSource } from '../core/server-source';
import { AvailabilityTier, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { AZURE_FACTS, AZURE_ZONES } from './facts';
import { validatorFor } from './validation';

/** The web application firewall in front of the servers. */
export interface McpWafOptions {
  /** Requests per client IP per minute before the rate-limit rule blocks. @default 2000 */
  readonly rateLimitPerMinute?: number;
  /** Detection only logs; prevention blocks. @default 'Prevention' */
  readonly mode?: 'Prevention' | 'Detection';
}

/** The gateway's TLS certificate: a Key Vault secret read with a user-assigned identity. */
export interface GatewayCertificate {
  /** Versionless secret id (`https://<vault>.vault.azure.net/secrets/<name>`): rotation needs no gateway change. */
  readonly keyVaultSecretId: string;
  /** The user-assigned identity allowed to read it (Key Vault Secrets User). */
  readonly identityId: string;
}

/** Application Gateway instance bounds. */
export interface GatewayCapacity {
  /**
   * Instances that always run (0-125).
   * @default - the tier's minZones (one instance per zone)
   */
  readonly min?: number;
  /**
   * Instances autoscaling may reach (2-125).
   * @default 10 (at least min)
   */
  readonly max?: number;
}

/** Props of `McpLoadBalancer`: one region's Application Gateway v2. */
export interface McpLoadBalancerProps {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region (with availability zones). */
  readonly location: string;
  /** A subnet dedicated to the gateway. */
  readonly subnetId: string;
  /**
   * The availability tier: its probe, timeouts and minimum zones.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Changes to the tier's defaults.
   * @default - the tier's values unchanged
   */
  readonly tierOverrides?: TierOverrides;
  /** The server behind the gateway: its port and health paths. */
  readonly server: McpServerSource;
  /** The TLS certificate of the HTTPS listener. */
  readonly certificate: GatewayCertificate;
  /** `false`: Standard_v2 without a WAF. @default - WAF_v2 with OWASP 3.2 and a rate-limit rule */
  readonly waf?: McpWafOptions | false;
  /**
   * Listen on port 80 and redirect to HTTPS. Off by default: an MCP client that
   * follows a 301 on a POST may re-send it as a GET, and may have sent its bearer
   * token in clear text first.
   * @default false
   */
  readonly httpRedirect?: boolean;
  /** DNS label of the public IP (`<label>.<region>.cloudapp.azure.com`, Traffic Manager needs one). */
  readonly domainNameLabel: string;
  /**
   * Gateway instances.
   * @default - min: the tier's minZones, max: 10
   */
  readonly capacity?: GatewayCapacity;
  /** Host header of the probe. @default '127.0.0.1' */
  readonly probeHost?: string;
}

/** The rate-limit rule every WAF policy carries. */
function rateLimitRule(perMinute: number) {
  return {
    name: 'ratelimitperclient', priority: 10, ruleType: 'RateLimitRule', action: 'Block', rateLimitDuration: 'OneMin',
    rateLimitThreshold: perMinute, groupRateLimitBy: 'ClientAddr',
    // Matches every client: the rule counts all requests per client address.
    matchConditions: [{ matchVariables: [{ variableName: 'RemoteAddr' }], operator: 'IPMatch', negationCondition: true, matchValues: ['255.255.255.255/32'] }],
  };
}

/** The names the gateway's sub-resources get (the fleet joins `backendPoolName`). */
const GATEWAY_NAMES = {
  backendPool: 'mcp-servers',
  httpSettings: 'mcp-http',
  probe: 'mcp-ready',
  listener: 'mcp-https',
  certificate: 'mcp-certificate',
  frontendIp: 'public',
} as const;

/** One region's Application Gateway v2 across zones 1-3: HTTPS listener, readiness probe, WAF. */
export class McpLoadBalancer extends Construct {
  /** The Application Gateway. */
  public readonly gateway: ApplicationGateway;
  /** Its zone-redundant public IP (with the DNS label Traffic Manager targets). */
  public readonly publicIp: PublicIp;
  /** The WAF policy (absent with `waf: false`). */
  public readonly wafPolicy?: WebApplicationFirewallPolicy;
  /** The resolved tier profile. */
  public readonly profile: TierProfile;
  /** Id of the backend pool the scale set's NICs join. */
  public readonly backendPoolId: string;

  constructor(scope: Construct, id: string, props: McpLoadBalancerProps) {
    super(scope, id);
    const v = validatorFor(this);
    this.profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    v.throwIfInvalid();
    const p = this.profile;
    const chain = p.timeouts;
    const probe = p.healthProbe;
    props.server.validateHealthPath(probe.path, 'healthCheck.path', v);
    const f = AZURE_FACTS;
    v.integerInRange('timeouts.originReadTimeoutSeconds', chain.originReadTimeoutSeconds, f.appGatewayRequestTimeoutSeconds,
      `Application Gateway request timeout, ${f.appGatewayRequestTimeoutSeconds.docUrl}`);
    v.integerInRange('timeouts.drainSeconds', chain.drainSeconds, f.appGatewayDrainSeconds,
      `Application Gateway connection draining, ${f.appGatewayDrainSeconds.docUrl}`);
    const min = props.capacity?.min ?? p.minZones;
    const max = props.capacity?.max ?? Math.max(10, min);
    v.integerInRange('capacity.min', min, f.appGatewayAutoscale.min, `Application Gateway autoscaling, ${f.appGatewayAutoscale.docUrl}`);
    v.integerInRange('capacity.max', max, f.appGatewayAutoscale.max, `Application Gateway autoscaling, ${f.appGatewayAutoscale.docUrl}`);
    v.check(min <= max, 'capacity.min', min, `at most capacity.max (${max})`);
    const waf = props.waf === false ? undefined : (props.waf ?? {});
    if (waf) v.integerInRange('waf.rateLimitPerMinute', waf.rateLimitPerMinute, { min: 1, max: 1_000_000 });
    v.throwIfInvalid();

    const common = { resourceGroupName: props.resourceGroupName, location: props.location };
    this.publicIp = new PublicIp(this, 'PublicIp', {
      ...common, name: 'mcp-gateway-ip', allocationMethod: 'Static', sku: 'Standard', zones: [...AZURE_ZONES],
      domainNameLabel: props.domainNameLabel,
    });
    if (waf) {
      this.wafPolicy = new WebApplicationFirewallPolicy(this, 'WafPolicy', {
        ...common,
        name: 'mcp-waf',
        policySettings: { enabled: true, mode: waf.mode ?? 'Prevention', requestBodyCheck: true },
        managedRules: { managedRuleSet: [{ type: 'OWASP', version: '3.2' }] },
        customRules: [rateLimitRule(waf.rateLimitPerMinute ?? 2000)],
      });
    }
    const n = GATEWAY_NAMES;
    const redirect = props.httpRedirect === true;
    this.gateway = new ApplicationGateway(this, 'Gateway', {
      ...common,
      name: 'mcp-gateway',
      zones: [...AZURE_ZONES],
      sku: { name: waf ? 'WAF_v2' : 'Standard_v2', tier: waf ? 'WAF_v2' : 'Standard_v2' },
      autoscaleConfiguration: { minCapacity: min, maxCapacity: max },
      firewallPolicyId: this.wafPolicy?.id,
      forceFirewallPolicyAssociation: waf ? true : undefined,
      identity: { type: 'UserAssigned', identityIds: [props.certificate.identityId] },
      gatewayIpConfiguration: [{ name: 'gateway', subnetId: props.subnetId }],
      frontendIpConfiguration: [{ name: n.frontendIp, publicIpAddressId: this.publicIp.id }],
      frontendPort: [{ name: 'https', port: 443 }, ...(redirect ? [{ name: 'http', port: 80 }] : [])],
      // TLS 1.2 minimum, strong ciphers only.
      sslPolicy: { policyType: 'Predefined', policyName: 'AppGwSslPolicy20220101S' },
      sslCertificate: [{ name: n.certificate, keyVaultSecretId: props.certificate.keyVaultSecretId }],
      httpListener: [
        { name: n.listener, frontendIpConfigurationName: n.frontendIp, frontendPortName: 'https', protocol: 'Https', sslCertificateName: n.certificate },
        ...(redirect ? [{ name: 'mcp-http', frontendIpConfigurationName: n.frontendIp, frontendPortName: 'http', protocol: 'Http' }] : []),
      ],
      backendAddressPool: [{ name: n.backendPool }],
      probe: [{
        name: n.probe,
        protocol: 'Http',
        host: props.probeHost ?? '127.0.0.1',
        port: props.server.port,
        path: probe.path,
        interval: probe.intervalSeconds,
        timeout: probe.timeoutSeconds,
        unhealthyThreshold: probe.unhealthyThreshold,
        match: { statusCode: [String(probe.healthyHttpStatus)] },
      }],
      backendHttpSettings: [{
        name: n.httpSettings,
        protocol: 'Http',
        port: props.server.port,
        cookieBasedAffinity: 'Disabled',
        probeName: n.probe,
        // The gateway's wait for the backend: the chain's origin read timeout, not the 30 s default.
        requestTimeout: chain.originReadTimeoutSeconds,
        connectionDraining: { enabled: true, drainTimeoutSec: chain.drainSeconds },
      }],
      requestRoutingRule: [
        { name: 'mcp', ruleType: 'Basic', priority: 100, httpListenerName: n.listener, backendAddressPoolName: n.backendPool, backendHttpSettingsName: n.httpSettings },
        ...(redirect ? [{ name: 'mcp-redirect', ruleType: 'Basic', priority: 110, httpListenerName: 'mcp-http', redirectConfigurationName: 'to-https' }] : []),
      ],
      redirectConfiguration: redirect
        ? [{ name: 'to-https', redirectType: 'Permanent', targetListenerName: n.listener, includePath: true, includeQueryString: true }]
        : undefined,
    });
    this.backendPoolId = `${this.gateway.id}/backendAddressPools/${n.backendPool}`;
  }

  /**
   * Accept only requests that came through this Front Door profile: the WAF blocks
   * any request whose `X-Azure-FDID` header is not the profile's id (the network
   * already admits only the Front Door service tag, shared by every Front Door).
   * Needs the WAF (refused on a gateway without one).
   */
  public restrictToFrontDoor(frontDoorId: string): void {
    if (!this.wafPolicy) {
      validatorFor(this).add('waf', false, 'a WAF policy: Front Door routing checks the X-Azure-FDID header in the WAF').throwIfInvalid();
    }
    const snake = (o: unknown): unknown => (Array.isArray(o) ? o.map(snake) : o && typeof o === 'object'
      ? Object.fromEntries(Object.entries(o).map(([k, val]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(val)])) : o);
    // CDKTF appends an array override to the rendered list: the rate-limit rule stays, this one is added.
    this.wafPolicy!.addOverride('custom_rules', snake([{
      name: 'onlyfromfrontdoor', priority: 5, ruleType: 'MatchRule', action: 'Block',
      matchConditions: [{ matchVariables: [{ variableName: 'RequestHeaders', selector: 'X-Azure-FDID' }], operator: 'Equal', negationCondition: true, matchValues: [frontDoorId] }],
    }]));
  }
}
