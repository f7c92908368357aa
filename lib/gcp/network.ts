/**
 * The network of an MCP service on Google Cloud: one global VPC (bring your own or
 * created here) with a subnet per region, Cloud NAT for egress (instances get no
 * external address), and firewall rules that let in only what must reach the
 * servers: Google's health-check and front-end ranges (and, for a regional load
 * balancer, its proxy-only subnet) on the server port. Egress from the servers is
 * denied except HTTPS (images, Google APIs, Vault) and the cache's ports inside
 * the VPC.
 */
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { Construct } from 'constructs';
import { defaultPrefix, resourceName } from './private/names';
import { NAME_ALLOWED, NAME_PATTERN, checkRegion, validatorFor } from './validation';

/**
 * Source ranges of Google Cloud health checks and of the global external
 * Application Load Balancer's Google Front Ends:
 * https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges and
 * https://cloud.google.com/load-balancing/docs/https#firewall-rules
 */
export const GOOGLE_HEALTH_CHECK_RANGES: readonly string[] = ['35.191.0.0/16', '130.211.0.0/22'];

/**
 * Ports a Memorystore for Valkey instance's Private Service Connect endpoints use:
 * "you must allow TCP port 6379, as well as TCP ports 11000 through 13047"
 * (https://cloud.google.com/memorystore/docs/valkey/connect-instance).
 */
export const MEMORYSTORE_PORTS: readonly string[] = ['6379', '11000-13047'];

/** An existing VPC and its subnets. */
export interface ExistingNetwork {
  /** Self link or id of the VPC (`projects/p/global/networks/n`). */
  readonly network: string;
  /** Subnet self link per region; every region of the service needs one. */
  readonly subnets: Record<string, string>;
  /** Proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) CIDR per region, for regional load balancers. @default - none (no regional load balancer) */
  readonly proxyOnlyRanges?: Record<string, string>;
  /** True when the VPC already has Cloud NAT in these regions. @default false (Cloud NAT is created) */
  readonly hasNat?: boolean;
}

/** Props of `McpNetwork`: a VPC (or yours) with a subnet per region, Cloud NAT and firewall rules. */
export interface McpNetworkProps {
  /** Regions the service runs in. */
  readonly regions: string[];
  /** The server port the load balancers reach. */
  readonly serverPort: number;
  /**
   * Regions with a regional external Application Load Balancer, which needs a
   * proxy-only subnet and admits traffic from it.
   * @default - none (a global load balancer needs none)
   */
  readonly regionalLoadBalancerRegions?: string[];
  /** Bring your own VPC. @default - a new custom-mode VPC with a subnet per region */
  readonly existing?: ExistingNetwork;
  /** Prefix of every resource name. @default - derived from the construct path */
  readonly namePrefix?: string;
  /**
   * Network tag of the server instances the firewall rules apply to.
   * @default `${namePrefix}-server`
   */
  readonly serverTag?: string;
}

/** A region's part of the network. */
export interface McpRegionNetwork {
  /** The region. */
  readonly region: string;
  /** Self link of the instances' subnet. */
  readonly subnet: string;
  /** The subnet's primary range (known when created here). @default - unknown for an existing subnet */
  readonly cidr?: string;
  /** Proxy-only subnet range (regional load balancers). @default - none (no regional load balancer in this region) */
  readonly proxyOnlyCidr?: string;
}

export class McpNetwork extends Construct {
  /** Self link of the VPC. */
  public readonly network: string;
  /** Id of the VPC (for resources that want `projects/.../global/networks/...`). */
  public readonly networkId: string;
  public readonly vpc?: ComputeNetwork;
  public readonly regions: Record<string, McpRegionNetwork>;
  public readonly serverTag: string;
  public readonly firewallRules: ComputeFirewall[] = [];
  public readonly nats: ComputeRouterNat[] = [];
  /** Proxy-only subnets created here, by region (regional load balancers must wait for them). */
  public readonly proxyOnlySubnets: Record<string, ComputeSubnetwork> = {};
  public readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: McpNetworkProps) {
    super(scope, id);
    const v = validatorFor(this);
    const prefix = props.namePrefix ?? defaultPrefix(this);
    v.check(NAME_PATTERN.test(prefix) && prefix.length <= 40, 'namePrefix', prefix, `${NAME_ALLOWED}; at most 40 here`);
    v.check(props.regions.length > 0, 'regions', props.regions, 'at least one region');
    props.regions.forEach((r, i) => checkRegion(v, `regions[${i}]`, r));
    const lbRegions = props.regionalLoadBalancerRegions ?? [];
    for (const r of lbRegions) {
      v.check(props.regions.includes(r), 'regionalLoadBalancerRegions', r, `one of the service's regions (${props.regions.join(', ')})`);
    }
    const ex = props.existing;
    if (ex) {
      for (const r of props.regions) {
        v.check(ex.subnets[r] !== undefined, `existing.subnets.${r}`, ex.subnets[r], `the subnet of ${r}: every region of the service needs one`);
      }
      for (const r of lbRegions) {
        v.check(ex.proxyOnlyRanges?.[r] !== undefined, `existing.proxyOnlyRanges.${r}`, ex.proxyOnlyRanges?.[r],
          `the proxy-only subnet range of ${r}: the regional load balancer's proxies reach the servers from it`);
      }
    }
    v.throwIfInvalid();
    this.namePrefix = prefix;
    this.serverTag = props.serverTag ?? resourceName(prefix, 'server');

    if (ex) {
      this.network = ex.network;
      this.networkId = ex.network;
    } else {
      this.vpc = new ComputeNetwork(this, 'Vpc', {
        name: resourceName(prefix, 'vpc'),
        autoCreateSubnetworks: false,
        // One VPC spans every region; GLOBAL dynamic routing lets Cloud Router routes reach every region.
        routingMode: 'GLOBAL',
        deleteDefaultRoutesOnCreate: false,
      });
      this.network = this.vpc.selfLink;
      this.networkId = this.vpc.id;
    }

    this.regions = {};
    props.regions.forEach((region, i) => {
      let subnet: string;
      let cidr: string | undefined;
      if (ex) {
        subnet = ex.subnets[region];
      } else {
        cidr = `10.${10 + i}.0.0/20`;
        subnet = new ComputeSubnetwork(this, `Subnet-${region}`, {
          name: resourceName(prefix, region),
          region,
          network: this.network,
          ipCidrRange: cidr,
          privateIpGoogleAccess: true,
          logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
        }).selfLink;
      }
      let proxyOnlyCidr: string | undefined;
      if (lbRegions.includes(region)) {
        if (ex) {
          proxyOnlyCidr = ex.proxyOnlyRanges![region];
        } else {
          proxyOnlyCidr = `10.${100 + i}.0.0/23`;
          this.proxyOnlySubnets[region] = new ComputeSubnetwork(this, `ProxyOnly-${region}`, {
            name: resourceName(prefix, `${region}-proxy`),
            region,
            network: this.network,
            ipCidrRange: proxyOnlyCidr,
            purpose: 'REGIONAL_MANAGED_PROXY',
            role: 'ACTIVE',
          });
        }
      }
      if (!ex?.hasNat) {
        const router = new ComputeRouter(this, `Router-${region}`, {
          name: resourceName(prefix, `${region}-router`),
          region,
          network: this.network,
        });
        this.nats.push(new ComputeRouterNat(this, `Nat-${region}`, {
          name: resourceName(prefix, `${region}-nat`),
          region,
          router: router.name,
          natIpAllocateOption: 'AUTO_ONLY',
          sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
          subnetwork: [{ name: subnet, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
          logConfig: { enable: true, filter: 'ERRORS_ONLY' },
        }));
      }
      this.regions[region] = { region, subnet, cidr, proxyOnlyCidr };
    });

    const proxyRanges = Object.values(this.regions).map((r) => r.proxyOnlyCidr).filter((c): c is string => c !== undefined);
    const port = String(props.serverPort);
    this.firewallRules.push(new ComputeFirewall(this, 'AllowLoadBalancer', {
      name: resourceName(prefix, 'allow-lb'),
      network: this.network,
      direction: 'INGRESS',
      priority: 1000,
      description: 'Google health checks, Google Front Ends and regional load balancer proxies to the MCP server port only',
      sourceRanges: [...GOOGLE_HEALTH_CHECK_RANGES, ...proxyRanges],
      targetTags: [this.serverTag],
      allow: [{ protocol: 'tcp', ports: [port] }],
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    }));
    const vpcRanges = Object.values(this.regions).map((r) => r.cidr).filter((c): c is string => c !== undefined);
    this.firewallRules.push(new ComputeFirewall(this, 'AllowCacheEgress', {
      name: resourceName(prefix, 'allow-cache'),
      network: this.network,
      direction: 'EGRESS',
      priority: 1000,
      description: 'Servers to the Memorystore endpoints (Private Service Connect) inside the VPC',
      destinationRanges: vpcRanges.length > 0 ? vpcRanges : ['10.0.0.0/8'],
      targetTags: [this.serverTag],
      allow: [{ protocol: 'tcp', ports: [...MEMORYSTORE_PORTS] }],
    }));
    this.firewallRules.push(new ComputeFirewall(this, 'AllowHttpsEgress', {
      name: resourceName(prefix, 'allow-https'),
      network: this.network,
      direction: 'EGRESS',
      priority: 1000,
      description: 'Servers to HTTPS only (container registry, Google APIs, Vault) through Cloud NAT',
      destinationRanges: ['0.0.0.0/0'],
      targetTags: [this.serverTag],
      allow: [{ protocol: 'tcp', ports: ['443'] }],
    }));
    this.firewallRules.push(new ComputeFirewall(this, 'DenyEgress', {
      name: resourceName(prefix, 'deny-egress'),
      network: this.network,
      direction: 'EGRESS',
      priority: 65000,
      description: 'Everything else the servers send is denied (the metadata server is always reachable)',
      destinationRanges: ['0.0.0.0/0'],
      targetTags: [this.serverTag],
      deny: [{ protocol: 'all' }],
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    }));
  }

  /** A region's part of the network. */
  public region(region: string): McpRegionNetwork {
    const r = this.regions[region];
    if (!r) throw new Error(`internal error: ${region} is not a region of ${this.node.path}`);
    return r;
  }
}
