/**
 * The front of an MCP service on Google Cloud: an external Application Load
 * Balancer with `load_balancing_scheme = EXTERNAL_MANAGED` on the backend service
 * AND the forwarding rule (the provider's default, EXTERNAL, is the classic
 * balancer), in one of two scopes:
 *
 * - GLOBAL: the global external Application Load Balancer (anycast address, Google
 *   Front Ends). With managed instance groups in several regions behind one backend
 *   service it sends each request to the nearest region with healthy capacity
 *   (WATERFALL_BY_REGION): Google's active-active and multi-region front.
 * - REGIONAL: the regional external Application Load Balancer (proxies in the
 *   region's proxy-only subnet), the building block of DNS failover between regions.
 *
 * Both: a health check from the tier on the readiness path, connection draining
 * from the timeout chain, outlier detection, an HTTPS proxy with an SSL policy of
 * MODERN or RESTRICTED profile and TLS 1.2 minimum, a Cloud Armor policy with a
 * per-client rate-based rule (and the default rule every policy with inline rules
 * needs), HTTP -> HTTPS redirect only on request. The backend service's
 * `timeout_sec` (provider default 30 s) bounds a whole response, streamed or not:
 * it is the timeout chain's origin read timeout and must exceed the longest tool call.
 */
import { ComputeAddress } from '@cdktf/provider-google/lib/compute-address';
import { ComputeBackendService, ComputeBackendServiceBackend } from '@cdktf/provider-google/lib/compute-backend-service';
import { ComputeForwardingRule } from '@cdktf/provider-google/lib/compute-forwarding-rule';
import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ComputeGlobalForwardingRule } from '@cdktf/provider-google/lib/compute-global-forwarding-rule';
import { ComputeHealthCheck } from '@cdktf/provider-google/lib/compute-health-check';
import { ComputeRegionBackendService, ComputeRegionBackendServiceBackend } from '@cdktf/provider-google/lib/compute-region-backend-service';
import { ComputeRegionHealthCheck } from '@cdktf/provider-google/lib/compute-region-health-check';
import { ComputeRegionSecurityPolicy } from '@cdktf/provider-google/lib/compute-region-security-policy';
import { ComputeRegionSslPolicy } from '@cdktf/provider-google/lib/compute-region-ssl-policy';
import { ComputeRegionTargetHttpProxy } from '@cdktf/provider-google/lib/compute-region-target-http-proxy';
import { ComputeRegionTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-region-target-https-proxy';
import { ComputeRegionUrlMap } from '@cdktf/provider-google/lib/compute-region-url-map';
import { ComputeSecurityPolicy } from '@cdktf/provider-google/lib/compute-security-policy';
import { ComputeSslPolicy } from '@cdktf/provider-google/lib/compute-ssl-policy';
import { ComputeTargetHttpProxy } from '@cdktf/provider-google/lib/compute-target-http-proxy';
import { ComputeTargetHttpsProxy } from '@cdktf/provider-google/lib/compute-target-https-proxy';
import { ComputeUrlMap } from '@cdktf/provider-google/lib/compute-url-map';
import { Construct } from 'constructs';
import { ProbeMechanism } from '../core/cloud-limits';
import { HealthProbe } from '../core/health-probe';
import { McpServerSource } from '../core/server-source';
import { AvailabilityTier, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { McpNetwork } from './network';
import { defaultPrefix, resourceName } from './private/names';
import { checkRegion, validatorFor } from './validation';

/** Where the load balancer lives. */
export enum LoadBalancerScope {
  /** Global external Application Load Balancer (anycast; backends in any region). */
  GLOBAL = 'global',
  /** Regional external Application Load Balancer (one region; DNS failover between regions). */
  REGIONAL = 'regional',
}

/** Pre-configured SSL policy profiles that keep TLS 1.2 as the minimum and only modern suites. */
export enum SslPolicyProfile {
  /** https://cloud.google.com/load-balancing/docs/ssl-policies-concepts#defining_an_ssl_policy */
  MODERN = 'MODERN',
  /** Only the suites RESTRICTED allows (compliance regimes such as PCI DSS). */
  RESTRICTED = 'RESTRICTED',
}

/**
 * Cloud Armor rate-limit intervals (`rate_limit_threshold.interval_sec`):
 * https://cloud.google.com/armor/docs/rate-limiting-overview
 */
export const CLOUD_ARMOR_INTERVALS: readonly number[] = [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1800, 2700, 3600];

/** Cloud Armor in front of the backend service. */
export interface McpWafOptions {
  /**
   * Requests one client IP may send per interval before it gets 429.
   * @default 600 (10 per second, ample for an MCP client's calls)
   */
  readonly rateLimitRequests?: number;
  /** Seconds over which `rateLimitRequests` is counted (one of Cloud Armor's intervals). @default 60 */
  readonly rateLimitIntervalSeconds?: number;
}

/** Outlier detection on the backend service (ejects instances that keep failing requests). */
export interface McpOutlierDetectionOptions {
  /** Consecutive 5xx before an instance is ejected. @default 5 */
  readonly consecutiveErrors?: number;
  /** Seconds between ejection sweeps. @default 10 */
  readonly intervalSeconds?: number;
  /** Base ejection time. @default 30 */
  readonly baseEjectionSeconds?: number;
  /** At most this share of instances ejected at once. @default 50 */
  readonly maxEjectionPercent?: number;
}

/** Props of `McpLoadBalancer`: an external Application Load Balancer (global or regional) in front of the servers. */
export interface McpLoadBalancerProps {
  /** The network (firewall rules; proxy-only subnet for REGIONAL). */
  readonly network: McpNetwork;
  /** The server the backends run (port and health paths). */
  readonly server: McpServerSource;
  /** Global (anycast, backends in any region) or regional (one region, for DNS failover). @default LoadBalancerScope.GLOBAL (the global external Application Load Balancer) */
  readonly scope?: LoadBalancerScope;
  /** The region of a REGIONAL load balancer (required then; refused for GLOBAL). @default - none (GLOBAL); required for REGIONAL */
  readonly region?: string;
  /** Self links of the SSL certificates the HTTPS proxy presents (at least one). */
  readonly sslCertificates: string[];
  /** Availability tier: the health check, timeouts and draining follow it. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** Overrides of the tier (health check, timeouts...). @default - the tier's values */
  readonly tierOverrides?: TierOverrides;
  /** TLS profile of the HTTPS proxy's SSL policy (TLS 1.2 minimum either way). @default SslPolicyProfile.MODERN */
  readonly sslPolicyProfile?: SslPolicyProfile;
  /**
   * Also listen on port 80 and answer 301 to HTTPS. Off by default: an MCP client
   * that follows a 301 on a POST re-sends it as a GET and may have sent its bearer
   * token in clear text first.
   * @default false
   */
  readonly httpRedirect?: boolean;
  /** Cloud Armor. `false`: none. @default - a per-IP rate limit of 600 requests a minute */
  readonly waf?: McpWafOptions | false;
  /** Outlier detection of the backend service (ejects instances that keep answering 5xx). @default - 5 consecutive errors, 10 s sweeps, 30 s ejection, at most 50 % */
  readonly outlierDetection?: McpOutlierDetectionOptions;
  /** Prefix of every resource name. @default - derived from the construct path */
  readonly namePrefix?: string;
}

/** A host name served by its own backend service (one region's group only). */
export interface McpHostBackendOptions {
  /** The host name (`mcp-us-east1.example.com`): the URL map sends its requests to this backend service only. */
  readonly host: string;
  /** Self link or id of the instance group that alone serves the host. */
  readonly instanceGroup: string;
  /** Suffix of the backend service's name and construct id (e.g. the region). */
  readonly id: string;
}

/** One backend: a regional managed instance group. */
export interface McpBackendOptions {
  /** Self link or id of the instance group (`instance_group` of the MIG manager). */
  readonly instanceGroup: string;
  /** Share of the group's capacity in use (0 drains it). @default 1 */
  readonly capacityScaler?: number;
  /** Target CPU utilization of the UTILIZATION balancing mode. @default 0.8 */
  readonly maxUtilization?: number;
}

export class McpLoadBalancer extends Construct {
  public readonly scope: LoadBalancerScope;
  public readonly region?: string;
  public readonly profile: TierProfile;
  /** The health check as rendered (interval, timeout, thresholds, path). */
  public readonly probe: HealthProbe;
  public readonly healthCheck: ComputeHealthCheck | ComputeRegionHealthCheck;
  public readonly backendService: ComputeBackendService | ComputeRegionBackendService;
  public readonly httpsProxy: ComputeTargetHttpsProxy | ComputeRegionTargetHttpsProxy;
  public readonly forwardingRule: ComputeGlobalForwardingRule | ComputeForwardingRule;
  public readonly sslPolicy: ComputeSslPolicy | ComputeRegionSslPolicy;
  public readonly securityPolicy?: ComputeSecurityPolicy | ComputeRegionSecurityPolicy;
  /** The public IPv4 address clients reach. */
  public readonly ipAddress: string;
  /** Backend service `timeout_sec` as rendered. */
  public readonly backendTimeoutSeconds: number;
  /** Connection draining as rendered. */
  public readonly drainSeconds: number;
  public readonly namePrefix: string;
  public readonly server: McpServerSource;
  /** The URL map of the HTTPS proxy. */
  public readonly urlMap: ComputeUrlMap | ComputeRegionUrlMap;
  /** Backend services that serve one host name each (`addHostBackend`), by host. */
  public readonly hostBackends: Record<string, ComputeBackendService> = {};
  private readonly backends: McpBackendOptions[] = [];
  private readonly backendServiceConfig: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: McpLoadBalancerProps) {
    super(scope, id);
    const v = validatorFor(this);
    const lbScope = props.scope ?? LoadBalancerScope.GLOBAL;
    v.oneOf('scope', lbScope, Object.values(LoadBalancerScope));
    const regional = lbScope === LoadBalancerScope.REGIONAL;
    if (regional) {
      v.check(props.region !== undefined, 'region', props.region, 'the region of a regional load balancer');
      if (props.region !== undefined) {
        checkRegion(v, 'region', props.region);
        v.check(props.network.regions[props.region]?.proxyOnlyCidr !== undefined, 'region', props.region,
          'a region whose network has a proxy-only subnet (McpNetwork regionalLoadBalancerRegions): the regional load balancer\'s proxies live in it');
      }
    } else {
      v.check(props.region === undefined, 'region', props.region, 'undefined: a global load balancer has no region');
    }
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    profile.healthProbe.validateFor(ProbeMechanism.GCP_HEALTH_CHECK, v.nested('healthCheck'));
    props.server.validateHealthPath(profile.healthProbe.path, 'healthCheck.path', v);
    v.check(props.sslCertificates.length >= 1 && props.sslCertificates.length <= 15, 'sslCertificates', props.sslCertificates,
      '1 to 15 certificates (https://cloud.google.com/load-balancing/docs/quotas#ssl_certificates)');
    const sslProfile = props.sslPolicyProfile ?? SslPolicyProfile.MODERN;
    v.oneOf('sslPolicyProfile', sslProfile, Object.values(SslPolicyProfile),
      'COMPATIBLE would admit legacy suites; CUSTOM is not offered');
    const timeouts = profile.timeouts;
    // https://cloud.google.com/load-balancing/docs/backend-service#timeout-setting: for external
    // Application Load Balancers the backend service timeout is a request/response timeout (the
    // whole streamed response); 1 to 2,147,483,647 s.
    // It is rendered as the backend service timeout_sec: the core chain already refuses an origin read timeout
    // that is not above the longest tool call (timeouts.originReadTimeoutSeconds).
    // Connection draining: 0 to 3600 s (https://cloud.google.com/load-balancing/docs/enabling-connection-draining).
    v.integerInRange('tierOverrides.timeouts.drainSeconds', timeouts.drainSeconds, { min: 0, max: 3600 },
      'connection_draining_timeout_sec, https://cloud.google.com/load-balancing/docs/enabling-connection-draining');
    const waf = props.waf === false ? undefined : props.waf ?? {};
    if (waf) {
      v.integerInRange('waf.rateLimitRequests', waf.rateLimitRequests, { min: 1, max: 1_000_000 });
      v.oneOf('waf.rateLimitIntervalSeconds', waf.rateLimitIntervalSeconds, CLOUD_ARMOR_INTERVALS,
        'https://cloud.google.com/armor/docs/rate-limiting-overview');
    }
    const od = props.outlierDetection ?? {};
    v.integerInRange('outlierDetection.consecutiveErrors', od.consecutiveErrors, { min: 1, max: 1000 });
    v.integerInRange('outlierDetection.maxEjectionPercent', od.maxEjectionPercent, { min: 0, max: 100 });
    v.integerInRange('outlierDetection.intervalSeconds', od.intervalSeconds, { min: 1, max: 300 });
    v.integerInRange('outlierDetection.baseEjectionSeconds', od.baseEjectionSeconds, { min: 1, max: 3600 });
    v.throwIfInvalid();

    this.scope = lbScope;
    this.region = props.region;
    this.profile = profile;
    this.probe = profile.healthProbe;
    this.server = props.server;
    this.backendTimeoutSeconds = timeouts.originReadTimeoutSeconds;
    this.drainSeconds = timeouts.drainSeconds;
    const prefix = props.namePrefix ?? defaultPrefix(this);
    this.namePrefix = prefix;
    const name = (s: string) => resourceName(prefix, s);
    const p = this.probe;

    const hcCommon = {
      name: name('ready'),
      description: `Readiness of the MCP servers (${p.path}); tier ${profile.tier}`,
      checkIntervalSec: p.intervalSeconds,
      timeoutSec: p.timeoutSeconds,
      healthyThreshold: p.healthyThreshold,
      unhealthyThreshold: p.unhealthyThreshold,
      httpHealthCheck: { port: props.server.port, requestPath: p.path },
      logConfig: { enable: true },
    };
    this.healthCheck = regional
      ? new ComputeRegionHealthCheck(this, 'HealthCheck', { ...hcCommon, region: props.region })
      : new ComputeHealthCheck(this, 'HealthCheck', hcCommon);

    if (waf) {
      const rateRule = {
        action: 'throttle',
        priority: 1000,
        description: 'Per-client rate limit: 429 above the threshold',
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
        rateLimitOptions: {
          conformAction: 'allow',
          exceedAction: 'deny(429)',
          enforceOnKey: 'IP',
          rateLimitThreshold: { count: waf.rateLimitRequests ?? 600, intervalSec: waf.rateLimitIntervalSeconds ?? 60 },
        },
      };
      // A policy with inline rules must carry the default rule (priority 2147483647).
      const defaultRule = {
        action: 'allow',
        priority: 2147483647,
        description: 'Default rule',
        match: { versionedExpr: 'SRC_IPS_V1', config: { srcIpRanges: ['*'] } },
      };
      this.securityPolicy = regional
        ? new ComputeRegionSecurityPolicy(this, 'SecurityPolicy', {
          name: name('armor'), region: props.region, type: 'CLOUD_ARMOR', rules: [rateRule, defaultRule],
        })
        : new ComputeSecurityPolicy(this, 'SecurityPolicy', {
          name: name('armor'), type: 'CLOUD_ARMOR', rule: [rateRule, defaultRule],
        });
    }

    const outlier = {
      consecutiveErrors: od.consecutiveErrors ?? 5,
      interval: { seconds: od.intervalSeconds ?? 10 },
      baseEjectionTime: { seconds: od.baseEjectionSeconds ?? 30 },
      maxEjectionPercent: od.maxEjectionPercent ?? 50,
    };
    const bsCommon = {
      name: name('backend'),
      description: 'MCP servers',
      protocol: 'HTTP',
      portName: 'mcp',
      loadBalancingScheme: 'EXTERNAL_MANAGED',
      timeoutSec: this.backendTimeoutSeconds,
      connectionDrainingTimeoutSec: this.drainSeconds,
      healthChecks: [this.healthCheck.id],
      outlierDetection: outlier,
      logConfig: { enable: true, sampleRate: 1 },
      securityPolicy: this.securityPolicy?.id,
    };
    this.backendServiceConfig = bsCommon;
    this.backendService = regional
      ? new ComputeRegionBackendService(this, 'Backend', { ...bsCommon, region: props.region })
      : new ComputeBackendService(this, 'Backend', { ...bsCommon, localityLbPolicy: 'ROUND_ROBIN' });

    const sslCommon = { name: name('tls'), profile: sslProfile, minTlsVersion: 'TLS_1_2' };
    this.sslPolicy = regional
      ? new ComputeRegionSslPolicy(this, 'SslPolicy', { ...sslCommon, region: props.region })
      : new ComputeSslPolicy(this, 'SslPolicy', sslCommon);

    if (regional) {
      const proxyOnly = props.network.proxyOnlySubnets[props.region!];
      const urlMap = new ComputeRegionUrlMap(this, 'UrlMap', {
        name: name('urls'), region: props.region, defaultService: this.backendService.id,
      });
      this.urlMap = urlMap;
      this.httpsProxy = new ComputeRegionTargetHttpsProxy(this, 'HttpsProxy', {
        name: name('https'), region: props.region, urlMap: urlMap.id,
        sslCertificates: props.sslCertificates, sslPolicy: this.sslPolicy.id,
      });
      const address = new ComputeAddress(this, 'Address', {
        name: name('ip'), region: props.region, addressType: 'EXTERNAL', networkTier: 'PREMIUM',
      });
      this.ipAddress = address.address;
      this.forwardingRule = new ComputeForwardingRule(this, 'Https', {
        name: name('https'), region: props.region, network: props.network.network,
        loadBalancingScheme: 'EXTERNAL_MANAGED', networkTier: 'PREMIUM', ipProtocol: 'TCP', portRange: '443',
        ipAddress: address.id, target: this.httpsProxy.id,
        // "An active proxy-only subnetwork is required" before a regional EXTERNAL_MANAGED forwarding rule.
        dependsOn: proxyOnly ? [proxyOnly] : undefined,
      });
      if (props.httpRedirect) {
        const redirect = new ComputeRegionUrlMap(this, 'RedirectMap', {
          name: name('redirect'), region: props.region,
          defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: 'MOVED_PERMANENTLY_DEFAULT' },
        });
        const httpProxy = new ComputeRegionTargetHttpProxy(this, 'HttpProxy', { name: name('http'), region: props.region, urlMap: redirect.id });
        new ComputeForwardingRule(this, 'Http', {
          name: name('http'), region: props.region, network: props.network.network,
          loadBalancingScheme: 'EXTERNAL_MANAGED', networkTier: 'PREMIUM', ipProtocol: 'TCP', portRange: '80',
          ipAddress: address.id, target: httpProxy.id, dependsOn: proxyOnly ? [proxyOnly] : undefined,
        });
      }
    } else {
      const urlMap = new ComputeUrlMap(this, 'UrlMap', { name: name('urls'), defaultService: this.backendService.id });
      this.urlMap = urlMap;
      this.httpsProxy = new ComputeTargetHttpsProxy(this, 'HttpsProxy', {
        name: name('https'), urlMap: urlMap.id, sslCertificates: props.sslCertificates, sslPolicy: this.sslPolicy.id,
      });
      const address = new ComputeGlobalAddress(this, 'Address', { name: name('ip'), addressType: 'EXTERNAL', ipVersion: 'IPV4' });
      this.ipAddress = address.address;
      this.forwardingRule = new ComputeGlobalForwardingRule(this, 'Https', {
        name: name('https'), loadBalancingScheme: 'EXTERNAL_MANAGED', ipProtocol: 'TCP', portRange: '443',
        ipAddress: address.id, target: this.httpsProxy.id,
      });
      if (props.httpRedirect) {
        const redirect = new ComputeUrlMap(this, 'RedirectMap', {
          name: name('redirect'),
          defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: 'MOVED_PERMANENTLY_DEFAULT' },
        });
        const httpProxy = new ComputeTargetHttpProxy(this, 'HttpProxy', { name: name('http'), urlMap: redirect.id });
        new ComputeGlobalForwardingRule(this, 'Http', {
          name: name('http'), loadBalancingScheme: 'EXTERNAL_MANAGED', ipProtocol: 'TCP', portRange: '80',
          ipAddress: address.id, target: httpProxy.id,
        });
      }
    }
  }

  /** Adds a regional managed instance group as a backend (UTILIZATION balancing). */
  public addBackend(options: McpBackendOptions): void {
    const v = validatorFor(this);
    v.numberInRange('capacityScaler', options.capacityScaler, { min: 0, max: 1 });
    v.numberInRange('maxUtilization', options.maxUtilization, { min: 0, max: 1 });
    v.throwIfInvalid();
    this.backends.push(options);
    const rendered: (ComputeBackendServiceBackend & ComputeRegionBackendServiceBackend)[] = this.backends.map((b) => ({
      group: b.instanceGroup,
      balancingMode: 'UTILIZATION',
      maxUtilization: b.maxUtilization ?? 0.8,
      capacityScaler: b.capacityScaler ?? 1,
    }));
    this.backendService.putBackend(rendered);
  }

  /**
   * Serves `host` from its own backend service holding only `instanceGroup` (global scope): a URL-map
   * host rule sends that name's requests there and nowhere else, so a region has a name of its own
   * behind the global load balancer (the cache promotion re-checks and probes regions by it). The
   * backend service is the main one's twin: the same health check, Cloud Armor policy, timeout,
   * draining and outlier detection. The group stays a backend of the main service too; both use
   * UTILIZATION balancing (backend services sharing an instance group need compatible balancing
   * modes: https://cloud.google.com/load-balancing/docs/backend-service#restrictions_and_guidance).
   * UTILIZATION measures the instances' CPU, the same in both services, so the autoscaler's
   * load-balancing signal does not depend on which service a request came through (the host backend
   * carries only the promotion's probes and requests for the region's own name).
   */
  public addHostBackend(options: McpHostBackendOptions): ComputeBackendService {
    const v = validatorFor(this);
    v.check(this.scope === LoadBalancerScope.GLOBAL, 'scope', this.scope, 'global: host backends route names behind the global load balancer');
    v.check(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(options.host) && options.host.includes('.'), 'host', options.host, 'a lowercase DNS name');
    v.check(this.hostBackends[options.host] === undefined, 'host', options.host, 'a host not already routed');
    v.throwIfInvalid();
    const backend = new ComputeBackendService(this, `Backend-${options.id}`, {
      ...this.backendServiceConfig,
      name: resourceName(this.namePrefix, `backend-${options.id}`),
      description: `MCP servers reached as ${options.host} only`,
      localityLbPolicy: 'ROUND_ROBIN',
      backend: [{ group: options.instanceGroup, balancingMode: 'UTILIZATION', maxUtilization: 0.8, capacityScaler: 1 }],
    });
    this.hostBackends[options.host] = backend;
    const hosts = Object.keys(this.hostBackends);
    const matcher = (i: number) => `host-${i}`;
    const urlMap = this.urlMap as ComputeUrlMap;
    urlMap.putHostRule(hosts.map((host, i) => ({ hosts: [host], pathMatcher: matcher(i) })));
    urlMap.putPathMatcher(hosts.map((host, i) => ({ name: matcher(i), defaultService: this.hostBackends[host].id })));
    return backend;
  }

  /** Backends added so far. */
  public get backendCount(): number {
    return this.backends.length;
  }
}
