/**
 * The shared cache: Azure Managed Redis (Azure Cache for Redis is retiring) with
 * high availability, TLS only, public access off and a private endpoint; active
 * geo-replication for multi-region (multi-writer: every region writes locally,
 * eventually consistent; nothing is promoted).
 *
 * What is rendered, and why:
 * - `clustering_policy = "EnterpriseCluster"`: one endpoint for any Redis client;
 *   the provider's default, OSSCluster, needs a cluster-aware client and the
 *   reference server uses a plain one.
 * - Access keys on, and the key stored in Key Vault for the servers' identity:
 *   Entra-only authentication (the provider's default) needs an access policy
 *   assignment that azurerm 4.55 cannot render (`azurerm_managed_redis_access_policy_assignment`
 *   arrived in 4.61). The key is in Terraform state either way: keep state encrypted.
 * - Geo-replication needs Balanced_B3 or larger (B0 and B1 excluded) and no
 *   persistence; the group name is set at creation (changing it recreates the
 *   database); azurerm 4.55 cannot create groups of 3+ members (fixed in 4.61),
 *   so 3+ regions are refused.
 * - A lost region is not failed over (there is no failover): the surviving
 *   regions keep writing; the lost member is force-unlinked (`az redisenterprise
 *   database force-unlink`) as the escalation ladder's extended-outage step,
 *   documented in docs/AZURE.md, then re-added by a later apply.
 */
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { ManagedRedis } from '@cdktf/provider-azurerm/lib/managed-redis';
import { ManagedRedisGeoReplication } from '@cdktf/provider-azurerm/lib/managed-redis-geo-replication';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';
import { AvailabilityTier } from '../core/tiers';
import { MANAGED_REDIS_PORT } from './facts';
import { validateCacheOptions } from './private/cache-options';
import { privateEndpoint } from './private/private-endpoint';
import { validatorFor } from './validation';

/** Cache options the topologies take (the tier decides the rest). */
export interface McpServiceCacheOptions {
  /**
   * The Managed Redis SKU.
   * @default 'Balanced_B3' (the smallest SKU active geo-replication accepts)
   */
  readonly skuName?: string;
  /**
   * High availability (replica shards on other nodes, zone-redundant where the region has zones).
   * Required for mission- and business-critical tiers. @default true
   */
  readonly highAvailability?: boolean;
  /** RDB persistence frequency (`1h`, `6h`, `12h`); single region only (geo-replication excludes it). @default - none */
  readonly persistenceFrequency?: '1h' | '6h' | '12h';
}

/** Props of `McpCache`: one region's Azure Managed Redis behind a private endpoint. */
export interface McpCacheProps extends McpServiceCacheOptions {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region (with availability zones). */
  readonly location: string;
  /** Globally unique cache name (3-63 letters, digits and hyphens). */
  readonly name: string;
  /** The availability tier (mission- and business-critical require high availability). */
  readonly tier: AvailabilityTier;
  /** Subnet of the private endpoint. */
  readonly subnetId: string;
  /** The virtual network the private DNS zone is linked to. */
  readonly virtualNetworkId: string;
  /** Where the access key is stored for the servers. */
  readonly keyVaultId: string;
  /** The active geo-replication group this cache joins at creation. @default - none (single region) */
  readonly geoReplicationGroupName?: string;
}

/** One region's Azure Managed Redis: TLS only, private endpoint, access key in Key Vault. */
export class McpCache extends Construct {
  /** The Managed Redis resource. */
  public readonly redis: ManagedRedis;
  /** Its private endpoint in the data subnet. */
  public readonly privateEndpoint: PrivateEndpoint;
  /** The Key Vault secret holding the access key (versionless id for the servers). */
  public readonly accessKeySecret: KeyVaultSecret;
  /** `rediss://<host>:10000` */
  public readonly url: string;
  /** The cache's host name. */
  public readonly hostname: string;

  constructor(scope: Construct, id: string, props: McpCacheProps) {
    super(scope, id);
    const v = validatorFor(this);
    validateCacheOptions(v, props, { tier: props.tier, geoReplicated: props.geoReplicationGroupName !== undefined });
    v.check(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{1,61})[a-zA-Z0-9]$/.test(props.name), 'name', props.name,
      '3-63 letters, digits and hyphens, starting and ending with a letter or digit (it becomes <name>.<region>.redis.azure.net)');
    v.throwIfInvalid();
    this.redis = new ManagedRedis(this, 'Redis', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName: props.skuName ?? 'Balanced_B3',
      highAvailabilityEnabled: props.highAvailability ?? true,
      publicNetworkAccess: 'Disabled',
      defaultDatabase: {
        accessKeysAuthenticationEnabled: true,
        clientProtocol: 'Encrypted',
        clusteringPolicy: 'EnterpriseCluster',
        evictionPolicy: 'NoEviction',
        geoReplicationGroupName: props.geoReplicationGroupName,
        persistenceRedisDatabaseBackupFrequency: props.persistenceFrequency,
      },
      // Stateful: a plan that would destroy the cache fails instead.
      lifecycle: { preventDestroy: true },
    });
    this.hostname = this.redis.hostname;
    this.url = `rediss://${this.redis.hostname}:${MANAGED_REDIS_PORT}`;
    this.privateEndpoint = privateEndpoint(this, 'Endpoint', {
      resourceGroupName: props.resourceGroupName, location: props.location, subnetId: props.subnetId,
      virtualNetworkId: props.virtualNetworkId, resourceId: this.redis.id, subresource: 'redisEnterprise',
      zoneName: 'privatelink.redis.azure.net',
    });
    this.accessKeySecret = new KeyVaultSecret(this, 'AccessKey', {
      name: 'mcp-cache-access-key',
      keyVaultId: props.keyVaultId,
      value: this.redis.defaultDatabase.primaryAccessKey,
      contentType: 'Managed Redis access key',
    });
  }
}

/** Props of `McpCacheGeoReplication`. */
export interface McpCacheGeoReplicationProps {
  /** The members, first one carrying the link resource. All joined the same group at creation. */
  readonly caches: McpCache[];
}

/** Links the regional caches of one geo-replication group. */
export class McpCacheGeoReplication extends Construct {
  /** The geo-replication link resource. */
  public readonly link: ManagedRedisGeoReplication;
  constructor(scope: Construct, id: string, props: McpCacheGeoReplicationProps) {
    super(scope, id);
    const [first, ...others] = props.caches;
    this.link = new ManagedRedisGeoReplication(this, 'Link', {
      managedRedisId: first.redis.id,
      linkedManagedRedisIds: others.map((c) => c.redis.id),
    });
  }
}
