/**
 * One regional deployment, shared by the three topologies: resource group,
 * network, identities, Key Vault, certificate, gateway, cache member and fleet.
 * The topology adds the autoscale setting afterwards (its failover signals
 * come from the Traffic Manager / Front Door profile built after the regions).
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultCertificateContacts } from '@cdktf/provider-azurerm/lib/key-vault-certificate-contacts';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { RoutingMechanism } from '../../core/tiers';
import { McpCache } from '../cache';
import { BoundCertificate } from '../certificate';
import { McpFleet } from '../fleet';
import { McpLoadBalancer } from '../load-balancer';
import { McpNetwork } from '../network';
import { RegionalKeyVault } from '../private/key-vault';
import { FailoverSignal, McpScheduledScaling } from '../scheduled-scaling';
import { regionSuffix, regionalName, serviceName } from '../private/service-names';
import { AzureMcpServiceProps, AzureTopologyPlan } from './props';

/** Environment variables that point the server at its region's cache. */
export enum McpCacheEnv {
  /** `rediss://host:10000` (TLS). */
  URL = 'REDIS_URL',
  /** The access key, read from Key Vault at boot. */
  AUTH_TOKEN = 'REDIS_AUTH_TOKEN',
}

/** Host names the reference server accepts (examples/mcp-server: `MCP_ALLOWED_HOSTS`). */
const ALLOWED_HOSTS_ENV = 'MCP_ALLOWED_HOSTS';

/** Props of `McpRegion`: one region of a topology (the topologies create it; its fields expose what it built). */
export interface McpRegionProps {
  /** The region (with availability zones). */
  readonly region: string;
  /** The topology's plan (tier profile, routing, cache write plan, authorization). */
  readonly plan: AzureTopologyPlan;
  /** The service's props (the region's capacity may differ: a warm standby's min is the tier's floor). */
  readonly service: AzureMcpServiceProps;
  /** The identity `cdktf deploy` runs as (it gets write access to the region's Key Vault). */
  readonly client: DataAzurermClientConfig;
  /**
   * The geo-replication group (multi-writer), when the cache spans regions.
   * @default - the cache is not geo-replicated
   */
  readonly geoReplicationGroupName?: string;
}

/** One region of a topology, with everything it created. */
export class McpRegion extends Construct {
  /** The region. */
  public readonly region: string;
  /** The region's resource group (`<namePrefix>-mcp-<region>`). */
  public readonly resourceGroup: ResourceGroup;
  /** The virtual network and its subnets (created, or yours). */
  public readonly network: McpNetwork;
  /** The region's Key Vault (certificate, cache access key), reachable through its private endpoint. */
  public readonly keyVault: KeyVault;
  /** The gateway's certificate: the versionless Key Vault secret id, and the Vault policy when Vault issues it. */
  public readonly certificate: BoundCertificate;
  /** The Application Gateway. */
  public readonly loadBalancer: McpLoadBalancer;
  /** The region's Managed Redis (absent with `cache: false`). */
  public readonly cache?: McpCache;
  /** The scale set. */
  public readonly fleet: McpFleet;
  /** `mcp-<region>.<zone>`: the name the gateway's certificate covers besides the service name. */
  public readonly regionalName: string;
  private readonly props: McpRegionProps;
  private scalingSetting?: McpScheduledScaling;

  constructor(scope: Construct, id: string, props: McpRegionProps) {
    super(scope, id);
    this.props = props;
    const { region, plan, service } = props;
    this.region = region;
    const tier = plan.profile.tier;
    const overrides = service.tierOverrides;
    const suffix = regionSuffix(region);
    this.regionalName = regionalName(service.domain, region);
    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', { name: `${service.namePrefix}-mcp-${region}`, location: region });
    const common = { resourceGroupName: this.resourceGroup.name, location: region };
    // With Front Door in front, only Front Door's addresses reach the gateways (the WAF then checks the profile id).
    const viaFrontDoor = plan.routing === RoutingMechanism.ANYCAST && plan.frontDoor !== undefined;
    this.network = new McpNetwork(this, 'Network', {
      ...common, serverPort: service.server.port, httpRedirect: service.httpRedirect,
      ingressSource: viaFrontDoor ? 'AzureFrontDoor.Backend' : 'Internet', existing: service.networks?.[region],
    });
    const gatewayIdentity = new UserAssignedIdentity(this, 'GatewayIdentity', { ...common, name: 'mcp-gateway' });
    const fleetIdentity = new UserAssignedIdentity(this, 'FleetIdentity', { ...common, name: 'mcp-servers' });
    const keyVault = new RegionalKeyVault(this, 'KeyVault', {
      ...common, name: `${service.namePrefix}-kv-${suffix}`, subnetId: this.network.dataSubnetId,
      virtualNetworkId: this.network.virtualNetworkId, deployerIpRanges: service.deployerIpRanges ?? [],
      readers: [gatewayIdentity.principalId, fleetIdentity.principalId], client: props.client,
    });
    this.keyVault = keyVault.vault;
    // The certificate policy's 7-day lifetime action e-mails the vault's contacts: the alarm addresses.
    const emails = service.alarmTopic?.emails ?? [];
    if (emails.length > 0) {
      new KeyVaultCertificateContacts(this, 'CertificateContacts', {
        keyVaultId: keyVault.vault.id, contact: emails.map((email) => ({ email })), dependsOn: keyVault.writerAccess,
      });
    }
    this.certificate = service.certificate._bind(this, {
      region, keyVaultId: keyVault.vault.id, domainNames: [serviceName(service.domain), this.regionalName],
      dependsOn: keyVault.writerAccess,
    });
    this.loadBalancer = new McpLoadBalancer(this, 'LoadBalancer', {
      ...common, subnetId: this.network.gatewaySubnetId, tier, tierOverrides: overrides, server: service.server,
      certificate: { keyVaultSecretId: this.certificate.keyVaultSecretId, identityId: gatewayIdentity.id },
      waf: service.waf, httpRedirect: service.httpRedirect, domainNameLabel: `${service.namePrefix}-mcp-${suffix}`,
    });
    this.loadBalancer.gateway.dependsOn = keyVault.readerAccess.map(dependable);
    if (service.cache !== false && plan.writePlan) {
      this.cache = new McpCache(this, 'Cache', {
        ...(service.cache ?? {}), ...common, name: `${service.namePrefix}-mcp-${suffix}`, tier,
        subnetId: this.network.dataSubnetId, virtualNetworkId: this.network.virtualNetworkId, keyVaultId: keyVault.vault.id,
        geoReplicationGroupName: props.geoReplicationGroupName,
      });
      this.cache.accessKeySecret.dependsOn = keyVault.writerAccess.map(dependable);
    }
    const writeEnv = plan.writePlan && plan.regionHealth
      ? plan.writePlan.environmentFor(region, plan.regionHealth.cacheGraceSeconds) : {};
    this.fleet = new McpFleet(this, 'Fleet', {
      ...common, subnetId: this.network.applicationSubnetId, tier, tierOverrides: overrides, server: service.server,
      capacity: service.capacity, backendPoolId: this.loadBalancer.backendPoolId,
      identityId: fleetIdentity.id, identityClientId: fleetIdentity.clientId, sshPublicKey: service.sshPublicKey,
      vmSize: service.vmSize,
      environment: {
        ...writeEnv,
        // MCP authorization (core's model): issuer, audience, scopes, JWKS limits; none for the explicit opt-out.
        ...plan.authorization?.environment(),
        ...(this.cache ? { [McpCacheEnv.URL]: this.cache.url } : {}),
        // The reference server answers only these Host names (MCP transport security; health paths excepted):
        // the service name (Traffic Manager, clients) and the regional name (Front Door's origin host header).
        [ALLOWED_HOSTS_ENV]: [serviceName(service.domain), this.regionalName].join(','),
      },
      secretEnvironment: this.cache ? { [McpCacheEnv.AUTH_TOKEN]: this.cache.accessKeySecret.versionlessId } : undefined,
    });
  }

  /** The autoscale setting (schedule, CPU rules, failover signals); the topology adds it once routing exists. */
  public get scaling(): McpScheduledScaling | undefined {
    return this.scalingSetting;
  }

  /**
   * Adds the autoscale setting (schedule, CPU rules, failover signals).
   * @internal the topology calls it once the routing that emits the signals exists
   */
  public _addScaling(signals: FailoverSignal[] = [], warmStandby = false): McpScheduledScaling {
    const { plan, service } = this.props;
    this.scalingSetting = new McpScheduledScaling(this, 'Scaling', {
      resourceGroupName: this.resourceGroup.name, location: this.region, targetResourceId: this.fleet.scaleSet.id,
      tier: plan.profile.tier, tierOverrides: service.tierOverrides, capacity: this.fleet.capacity,
      schedule: service.schedule, holidayYears: service.holidayYears, failoverSignals: signals, warmStandby,
    });
    return this.scalingSetting;
  }
}

/** A resource as Terraform's depends_on lists it (`type.name`, no interpolation). */
function dependable(r: TerraformResource): string {
  return `${r.terraformResourceType}.${r.friendlyUniqueId}`;
}
