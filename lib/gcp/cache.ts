/**
 * Shared state for the MCP servers on Google Cloud: Memorystore for Valkey
 * (`google_memorystore_instance`), highly available by default.
 *
 * The provider's defaults are not what an HA service wants, so every one is set:
 * `replica_count` (default 0: no failover at all) comes from the tier and is at
 * least 1, spread over other zones (`zone_distribution_config` MULTI_ZONE);
 * `mode` (default CLUSTER) is CLUSTER_DISABLED unless asked (one shard, any Redis
 * client); deletion protection on; in-transit encryption (SERVER_AUTHENTICATION);
 * IAM authentication (the servers' service account gets
 * roles/memorystore.dbConnectionUser); AOF persistence for the critical tiers (RDB
 * snapshots otherwise); endpoints created through a service connection policy
 * (`desired_psc_auto_connections` is deprecated; `desired_auto_created_endpoints`
 * replaces it).
 *
 * Cross-region: a cache made with `primary` is a secondary instance of the
 * primary's cross-region replication (single writer: read-only until switched
 * over). https://cloud.google.com/memorystore/docs/valkey/about-cross-region-replication
 *
 * Memorystore for Redis STANDARD_HA (`CacheService.REDIS_STANDARD_HA`) stays
 * available for one-region users: it spans two zones only, so it is refused for
 * a tier that needs three.
 */
import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { MemorystoreInstance } from '@cdktf/provider-google/lib/memorystore-instance';
import { NetworkConnectivityServiceConnectionPolicy } from '@cdktf/provider-google/lib/network-connectivity-service-connection-policy';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { RedisInstance } from '@cdktf/provider-google/lib/redis-instance';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { Construct } from 'constructs';
import { AvailabilityTier, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { McpNetwork } from './network';
import { defaultPrefix, resourceName } from './private/names';
import { checkRegion, validatorFor } from './validation';

/** Which managed service holds the cache. */
export enum CacheService {
  /** Memorystore for Valkey: multi-zone replicas, cross-region replication. */
  VALKEY = 'valkey',
  /** Memorystore for Redis STANDARD_HA: a primary and replicas over two zones; one region only. */
  REDIS_STANDARD_HA = 'redis-standard-ha',
}

/** Memorystore for Valkey instance mode. */
export enum CacheMode {
  /** One shard, any Redis client (the default here). */
  CLUSTER_DISABLED = 'CLUSTER_DISABLED',
  /** Several shards; clients must speak the cluster protocol. */
  CLUSTER = 'CLUSTER',
}

/** Persistence of a Valkey instance. */
export enum CachePersistence {
  /** Append-only file, fsync every second: at most about a second of writes lost. */
  AOF = 'AOF',
  /** Periodic snapshots (hourly here): up to an hour lost. */
  RDB = 'RDB',
  DISABLED = 'DISABLED',
}

/** Roles a server needs to connect with IAM authentication. */
export const CACHE_CLIENT_ROLE = 'roles/memorystore.dbConnectionUser';
/** Service class of Memorystore's service connection policies. */
export const MEMORYSTORE_SERVICE_CLASS = 'gcp-memorystore';
/** Role a server needs to read the Memorystore for Redis AUTH string from its secret. */
export const AUTH_SECRET_READER_ROLE = 'roles/secretmanager.secretAccessor';

/** Zones Memorystore for Redis STANDARD_HA spans (primary and replicas in two zones). */
export const REDIS_STANDARD_HA_ZONES = 2;

/** Props of `McpCache`: a Memorystore instance (Valkey, or Redis STANDARD_HA for one region) for the servers' shared state. */
export interface McpCacheProps {
  /** The network whose subnet in `region` holds the endpoints. */
  readonly network: McpNetwork;
  /** Region of the instance. */
  readonly region: string;
  /** Availability tier: replicas per shard, zones, persistence and snapshot retention follow it. @default AvailabilityTier.BUSINESS_CRITICAL (one replica per shard in another zone, AOF persistence) */
  readonly tier?: AvailabilityTier;
  /** Overrides of the tier (cacheReplicasPerShard, cacheSnapshotRetentionDays...). @default - the tier's values */
  readonly tierOverrides?: TierOverrides;
  /** Which Memorystore service. @default CacheService.VALKEY (Memorystore for Valkey: replicas in other zones, IAM authentication, cross-region replication) */
  readonly service?: CacheService;
  /** Valkey mode: one shard behind one endpoint, or a sharded cluster (clients must follow the slot map). @default CacheMode.CLUSTER_DISABLED (one shard; any Redis client works) */
  readonly mode?: CacheMode;
  /** Shards (CLUSTER mode only). @default 1 */
  readonly shardCount?: number;
  /** Node type of every node (memory and throughput per node). @default 'HIGHMEM_MEDIUM' (about 13 GB per node) */
  readonly nodeType?: string;
  /** Engine version. @default 'VALKEY_8_0' */
  readonly engineVersion?: string;
  /** Replicas per shard, in other zones. @default - the tier's cacheReplicasPerShard (at least 1) */
  readonly replicaCount?: number;
  /** Persistence of the data on disk. @default - AOF (every write logged) for mission- and business-critical tiers, RDB snapshots otherwise */
  readonly persistence?: CachePersistence;
  /** Deletion protection (and Terraform prevent_destroy): set false, deploy, then destroy. @default true (the instance cannot be deleted) */
  readonly deletionProtection?: boolean;
  /** Makes this cache a secondary (read-only replica region) of `primary`'s cross-region replication. @default - none: this instance is the writer (or stands alone) */
  readonly primary?: McpCache;
  /**
   * Create the network's service connection policy for Memorystore in this region
   * (one per network, region and service class). `false` when it exists already.
   * @default true
   */
  readonly createServiceConnectionPolicy?: boolean;
  /** Service accounts (emails) of the servers: they get CACHE_CLIENT_ROLE. @default - none (grant later with `grantClient`) */
  readonly clientServiceAccounts?: string[];
  /** Customer-managed key for data at rest. @default - Google-managed encryption */
  readonly kmsKey?: string;
  /** Project. @default - the provider's project */
  readonly project?: string;
  /** Prefix of the instance id (`<prefix>-<region>`). @default - derived from the construct path */
  readonly namePrefix?: string;
}

export class McpCache extends Construct {
  public readonly profile: TierProfile;
  public readonly region: string;
  public readonly service: CacheService;
  public readonly valkey?: MemorystoreInstance;
  public readonly redis?: RedisInstance;
  public readonly serviceConnectionPolicy?: NetworkConnectivityServiceConnectionPolicy;
  /** Replicas per shard as rendered. */
  public readonly replicaCount: number;
  public readonly persistence: CachePersistence;
  /** Zones the cache spans (3 for a multi-zone Valkey instance, 2 for STANDARD_HA). */
  public readonly zoneCount: number;
  /** Host of the endpoint the servers connect to. */
  public readonly host: string;
  public readonly port: string;
  /**
   * PEM of the CA(s) that sign the instance's server certificates (a Terraform reference, resolved at
   * apply): no public root signs them, so a TLS client must trust these. Valkey: every certificate of
   * `managed_server_ca`, the per-instance CA, every CA listed so a CA rotation is trusted ahead of time
   * (https://cloud.google.com/memorystore/docs/valkey/manage-in-transit-encryption);
   * Redis: `server_ca_certs[0].cert`.
   */
  public readonly tlsCaPem: string;
  /**
   * Memorystore for Redis: the Secret Manager secret holding the instance's AUTH string (one replica, in
   * the cache's region), which the servers read at start (`REDIS_AUTH_SECRET`); `grantClient` grants
   * `roles/secretmanager.secretAccessor` on it. Undefined for Valkey (IAM authentication, no password).
   */
  public readonly authSecret?: SecretManagerSecret;
  /** The secret version with the current AUTH string (`projects/<number>/secrets/<id>/versions/<n>`, resolved at apply). */
  public readonly authSecretVersion?: SecretManagerSecretVersion;
  /** True when this instance is a cross-region secondary (read-only until switched over). */
  public readonly secondary: boolean;
  public readonly instanceId: string;
  public readonly project: string;
  private clients = 0;

  constructor(scope: Construct, id: string, props: McpCacheProps) {
    super(scope, id);
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    checkRegion(v, 'region', props.region);
    v.check(props.network.regions[props.region] !== undefined, 'region', props.region,
      `a region of the network (${Object.keys(props.network.regions).join(', ')})`);
    const service = props.service ?? CacheService.VALKEY;
    v.oneOf('service', service, Object.values(CacheService));
    const replicaCount = props.replicaCount ?? profile.cacheReplicasPerShard;
    v.integerInRange('replicaCount', replicaCount, { min: 1, max: 5 },
      `${profile.tier} needs automatic failover, which needs at least 1 replica per shard (Memorystore for Valkey allows 0 to 5; the provider defaults to 0): https://cloud.google.com/memorystore/docs/valkey/ha-and-replicas`);
    const critical = profile.tier !== AvailabilityTier.STANDARD;
    const persistence = props.persistence ?? (critical ? CachePersistence.AOF : CachePersistence.RDB);
    v.oneOf('persistence', persistence, Object.values(CachePersistence));
    if (critical) {
      v.check(persistence !== CachePersistence.DISABLED, 'persistence', persistence,
        `${CachePersistence.AOF} or ${CachePersistence.RDB}: ${profile.tier} keeps its state through a full restart`);
    }
    const mode = props.mode ?? CacheMode.CLUSTER_DISABLED;
    v.oneOf('mode', mode, Object.values(CacheMode));
    const shardCount = props.shardCount ?? 1;
    v.integerInRange('shardCount', shardCount, { min: 1, max: mode === CacheMode.CLUSTER ? 250 : 1 },
      mode === CacheMode.CLUSTER ? 'Memorystore for Valkey cluster shards' : 'CLUSTER_DISABLED has exactly one shard');
    if (service === CacheService.REDIS_STANDARD_HA) {
      v.check(profile.minZones <= REDIS_STANDARD_HA_ZONES, 'service', service,
        `${CacheService.VALKEY}: Memorystore for Redis STANDARD_HA spans ${REDIS_STANDARD_HA_ZONES} zones and ${profile.tier} requires ${profile.minZones} (https://cloud.google.com/memorystore/docs/redis/high-availability-for-memorystore-for-redis)`);
      v.check(props.primary === undefined, 'primary', props.primary?.node.path,
        `undefined: cross-region replication is a Memorystore for Valkey feature here (use ${CacheService.VALKEY})`);
    }
    if (props.primary) {
      v.check(props.primary.region !== props.region, 'region', props.region,
        `a region other than the primary's (${props.primary.region}): cross-region replication`);
      v.check(props.primary.service === CacheService.VALKEY, 'primary', props.primary.node.path, 'a Memorystore for Valkey cache');
    }
    v.throwIfInvalid();

    this.profile = profile;
    this.region = props.region;
    this.service = service;
    this.replicaCount = replicaCount;
    this.persistence = persistence;
    this.secondary = props.primary !== undefined;
    const prefix = props.namePrefix ?? defaultPrefix(this);
    this.instanceId = resourceName(prefix, props.region);
    this.project = props.project ?? new DataGoogleClientConfig(this, 'Client').project;
    const deletionProtection = props.deletionProtection ?? true;

    if (service === CacheService.REDIS_STANDARD_HA) {
      this.zoneCount = REDIS_STANDARD_HA_ZONES;
      this.redis = new RedisInstance(this, 'Redis', {
        name: this.instanceId,
        region: props.region,
        tier: 'STANDARD_HA',
        memorySizeGb: 5,
        replicaCount,
        readReplicasMode: 'READ_REPLICAS_ENABLED',
        authorizedNetwork: props.network.networkId,
        connectMode: 'DIRECT_PEERING',
        transitEncryptionMode: 'SERVER_AUTHENTICATION',
        authEnabled: true,
        redisVersion: 'REDIS_7_2',
        persistenceConfig: persistence === CachePersistence.DISABLED
          ? { persistenceMode: 'DISABLED' }
          : { persistenceMode: 'RDB', rdbSnapshotPeriod: 'ONE_HOUR' },
        customerManagedKey: props.kmsKey,
        lifecycle: { preventDestroy: deletionProtection },
      });
      this.host = this.redis.host;
      this.port = '6378';
      this.tlsCaPem = `\${google_redis_instance.${this.redis.friendlyUniqueId}.server_ca_certs[0].cert}`;
      // The AUTH string is the password of the default user: the servers read it from Secret Manager at start
      // with their service account, so it is in neither the instance metadata nor the startup script
      // (https://cloud.google.com/memorystore/docs/redis/about-redis-auth; it is also in Terraform state,
      // as an attribute of the instance: keep the state encrypted, docs/GCP.md).
      this.authSecret = new SecretManagerSecret(this, 'AuthSecret', {
        secretId: resourceName(prefix, `${props.region}-auth`),
        project: this.project,
        replication: { userManaged: { replicas: [{ location: props.region }] } },
        labels: { purpose: 'memorystore-auth-string' },
        deletionProtection: deletionProtection,
      });
      this.authSecretVersion = new SecretManagerSecretVersion(this, 'AuthSecretVersion', {
        secret: this.authSecret.id,
        secretData: this.redis.authString,
      });
      // Direct peering puts the instance in a reserved range outside the subnets: let the servers reach it (TLS port 6378).
      new ComputeFirewall(this, 'AllowRedisEgress', {
        name: resourceName(prefix, 'allow-redis'),
        network: props.network.network,
        direction: 'EGRESS',
        priority: 1000,
        destinationRanges: [this.redis.reservedIpRange],
        targetTags: [props.network.serverTag],
        allow: [{ protocol: 'tcp', ports: ['6378'] }],
      });
    } else {
      this.zoneCount = 3;
      if (props.createServiceConnectionPolicy ?? true) {
        this.serviceConnectionPolicy = new NetworkConnectivityServiceConnectionPolicy(this, 'ConnectionPolicy', {
          name: resourceName(prefix, `${props.region}-psc`),
          location: props.region,
          network: props.network.networkId,
          serviceClass: MEMORYSTORE_SERVICE_CLASS,
          description: 'Lets Memorystore create the cache endpoints (Private Service Connect) in the servers\' subnet',
          pscConfig: { subnetworks: [props.network.region(props.region).subnet] },
        });
      }
      this.valkey = new MemorystoreInstance(this, 'Valkey', {
        instanceId: this.instanceId,
        location: props.region,
        mode,
        shardCount,
        replicaCount,
        nodeType: props.nodeType ?? 'HIGHMEM_MEDIUM',
        engineVersion: props.engineVersion ?? 'VALKEY_8_0',
        transitEncryptionMode: 'SERVER_AUTHENTICATION',
        authorizationMode: 'IAM_AUTH',
        deletionProtectionEnabled: deletionProtection,
        zoneDistributionConfig: { mode: 'MULTI_ZONE' },
        kmsKey: props.kmsKey,
        desiredAutoCreatedEndpoints: [{ network: props.network.networkId, projectId: this.project }],
        persistenceConfig: persistence === CachePersistence.AOF
          ? { mode: 'AOF', aofConfig: { appendFsync: 'EVERY_SEC' } }
          : persistence === CachePersistence.RDB
            ? { mode: 'RDB', rdbConfig: { rdbSnapshotPeriod: 'ONE_HOUR' } }
            : { mode: 'DISABLED' },
        automatedBackupConfig: {
          retention: `${profile.cacheSnapshotRetentionDays * 86400}s`,
          fixedFrequencySchedule: { startTime: { hours: 3 } },
        },
        maintenancePolicy: { weeklyMaintenanceWindow: [{ day: 'SUNDAY', startTime: { hours: 4, minutes: 0 } }] },
        crossInstanceReplicationConfig: props.primary
          ? { instanceRole: 'SECONDARY', primaryInstance: { instance: props.primary.valkey!.id } }
          : undefined,
        dependsOn: this.serviceConnectionPolicy ? [this.serviceConnectionPolicy] : undefined,
        // After an automated switchover the roles differ from this configuration: Terraform must not switch back.
        lifecycle: { preventDestroy: deletionProtection, ignoreChanges: ['cross_instance_replication_config'] },
      });
      // The first endpoint's first connection: the discovery (cluster) or primary (cluster disabled) address.
      this.host = `\${google_memorystore_instance.${this.valkey.friendlyUniqueId}.endpoints[0].connections[0].psc_auto_connection[0].ip_address}`;
      this.port = '6379';
      this.tlsCaPem = `\${join("\\n", flatten([for ca in google_memorystore_instance.${this.valkey.friendlyUniqueId}.managed_server_ca : [for c in ca.ca_certs : c.certificates]]))}`;
    }

    (props.clientServiceAccounts ?? []).forEach((email) => this.grantClient(email));
  }

  /**
   * Lets a service account connect: IAM authentication (CACHE_CLIENT_ROLE) on Valkey; on Memorystore for
   * Redis, which authenticates with an AUTH string, read access to the secret that holds it
   * (`roles/secretmanager.secretAccessor` on that secret only).
   */
  public grantClient(serviceAccountEmail: string): void {
    if (this.authSecret) {
      new SecretManagerSecretIamMember(this, `Client${this.clients++}`, {
        project: this.project,
        secretId: this.authSecret.id,
        role: AUTH_SECRET_READER_ROLE,
        member: `serviceAccount:${serviceAccountEmail}`,
      });
      return;
    }
    if (!this.valkey) return;
    new ProjectIamMember(this, `Client${this.clients++}`, {
      project: this.project,
      role: CACHE_CLIENT_ROLE,
      member: `serviceAccount:${serviceAccountEmail}`,
    });
  }
}
