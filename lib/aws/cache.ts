/**
 * The shared session cache: an ElastiCache replication group (Valkey or Redis
 * OSS) in private subnets, Multi-AZ with automatic failover, encrypted at rest
 * and in transit, AUTH token generated in Secrets Manager, snapshots kept and
 * taken on delete, slow and engine logs in encrypted log groups. Optionally a
 * member of a Global Datastore (the primary that creates it, or a secondary
 * that joins it in another region).
 *
 * ElastiCache has no L2 in aws-cdk-lib, so the replication group, subnet group
 * and Global Datastore are L1 resources; everything around them (security
 * group, secret, key, log groups) is L2.
 */
import { RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as memorydb from 'aws-cdk-lib/aws-memorydb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { CLOUD_FACTS, ELASTICACHE_GLOBAL_DATASTORE, MEMORYDB_MULTI_REGION } from '../core/cloud-limits';
import { Validator } from '../core/errors';
import { CacheFailoverInput } from '../core/failover-budget';
import { AvailabilityTier, TierProfile, extendedOutageSeconds, TierOverrides, mergeOverrides, resolveTier } from '../core/tiers';
import { CompliancePack, acknowledgePackRule, restrictGrantsToAwsServices } from './private/compliance';
import { createLogEncryptionKey } from './private/log-key';
import { checkKeyRegion, validatorFor } from './validation';

/** The cache engine. Both speak the Redis protocol. */
export enum CacheEngine {
  /** Valkey: the open-source continuation of Redis OSS 7.2, ElastiCache's recommended engine. */
  VALKEY = 'valkey',
  /** Redis OSS. */
  REDIS = 'redis',
}

/** The default engine version per engine (both listed on ElastiCache's "Engine versions and upgrading" page). */
export const DEFAULT_CACHE_ENGINE_VERSIONS: Readonly<Record<CacheEngine, string>> = {
  // Valkey 8.2 is documented in every partition's ElastiCache guide (9.x is newer but not yet everywhere).
  [CacheEngine.VALKEY]: '8.2',
  // 7.1 is the last Redis OSS line ElastiCache offers.
  [CacheEngine.REDIS]: '7.1',
};

/** The default (non-6379) port: port obfuscation keeps untargeted scans of 6379 away. */
export const DEFAULT_CACHE_PORT = 6380;

/**
 * Characters Secrets Manager may generate that ElastiCache refuses in an AUTH token:
 * "The only permitted printable special characters are !, &, #, $, ^, <, >, and -"
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html). This excludes
 * the documented "@", '"' and "/" and every other punctuation mark.
 */
export const AUTH_TOKEN_EXCLUDED_CHARACTERS = '"%\'()*+,./:;=?@[\\]_`{|}~';

/** The role of this replication group in a Global Datastore. */
export enum GlobalDatastoreRole {
  /** This group is the writer; the construct creates the Global Datastore around it. */
  PRIMARY = 'primary',
  /** This group joins an existing Global Datastore as a read-only secondary (promoted manually). */
  SECONDARY = 'secondary',
}

/** Membership of a Global Datastore (cross-region replication). */
export interface GlobalDatastoreOptions {
  /** PRIMARY creates the Global Datastore around this cache; SECONDARY joins an existing one. */
  readonly role: GlobalDatastoreRole;
  /**
   * PRIMARY only: the suffix of the Global Datastore ID. ElastiCache prefixes it with
   * a per-region code, so the full ID is `<prefix>-<suffix>`.
   * @default - none: required with PRIMARY, refused with SECONDARY (synth-time errors)
   */
  readonly globalReplicationGroupIdSuffix?: string;
  /**
   * SECONDARY only: the full ID of the Global Datastore to join (`<prefix>-<suffix>`).
   * @default - none: required with SECONDARY, refused with PRIMARY (synth-time errors)
   */
  readonly globalReplicationGroupId?: string;
  /**
   * PRIMARY only: description of the Global Datastore.
   * @default 'MCP session cache (Global Datastore)'
   */
  readonly description?: string;
}

/** A cache the MCP servers can connect to: created here or imported. */
export interface ICache extends IConstruct, ec2.IConnectable {
  /** The replication group ID. */
  readonly replicationGroupId: string;
  /** Address clients connect to (primary endpoint, or configuration endpoint in cluster mode). */
  readonly endpointAddress: string;
  /** Port clients connect to (TLS). */
  readonly endpointPort: number;
  /** The secret holding the AUTH token, when known. @default - unknown: `grantConnect` grants network access only */
  readonly authSecret?: secretsmanager.ISecret;
  /** Lets `grantee` reach the cache port and read the AUTH token. */
  grantConnect(grantee: ec2.IConnectable & iam.IGrantable): iam.Grant;
}

/** What identifies an existing cache. */
export interface CacheAttributes {
  /** The existing replication group's ID. */
  readonly replicationGroupId: string;
  /** Its primary endpoint (or configuration endpoint in cluster mode). */
  readonly endpointAddress: string;
  /** Its port (TLS). */
  readonly endpointPort: number;
  /** The cache's security groups (ingress rules are added to them by grantConnect). */
  readonly securityGroups: ec2.ISecurityGroup[];
  /** The secret holding its AUTH token, read by `grantConnect`'s grantees. @default - grantConnect grants network access only */
  readonly authSecret?: secretsmanager.ISecret;
}

abstract class CacheBase extends Construct implements ICache {
  public abstract readonly replicationGroupId: string;
  public abstract readonly endpointAddress: string;
  public abstract readonly endpointPort: number;
  public abstract readonly authSecret?: secretsmanager.ISecret;
  public abstract readonly connections: ec2.Connections;

  public grantConnect(grantee: ec2.IConnectable & iam.IGrantable): iam.Grant {
    this.connections.allowDefaultPortFrom(grantee, 'MCP servers to the session cache');
    if (this.authSecret) return this.authSecret.grantRead(grantee);
    return iam.Grant.drop(grantee, 'no AUTH token secret is known for this cache');
  }
}

/** Props of `McpCache`: a Multi-AZ ElastiCache (Redis OSS / Valkey) replication group sized by the tier. */
export interface McpCacheProps {
  /** The VPC of the cache. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the cache (private: never public).
   * @default - the VPC's private subnets with egress, else its isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The availability tier: zones, replicas per shard, snapshot retention. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /**
   * Overrides of the tier's defaults, field by field (a topology passes its own
   * here). This construct's specific props win over them.
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * Availability zones the subnet group must span.
   * @default - the tier's minZones
   */
  readonly minZones?: number;
  /**
   * Read replicas per shard (Multi-AZ automatic failover needs at least 1).
   * @default - the tier's cacheReplicasPerShard
   */
  readonly cacheReplicasPerShard?: number;
  /**
   * Days automatic snapshots are kept.
   * @default - the tier's cacheSnapshotRetentionDays
   */
  readonly cacheSnapshotRetentionDays?: number;
  /**
   * Engine. Not allowed on a Global Datastore secondary (inherited from the primary).
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;
  /**
   * Engine version (major.minor). Not allowed on a secondary.
   * @default - DEFAULT_CACHE_ENGINE_VERSIONS[engine]
   */
  readonly engineVersion?: string;
  /**
   * Node type. Not allowed on a secondary. Global Datastores need M5/R5 or newer.
   * @default 'cache.r7g.large'
   */
  readonly cacheNodeType?: string;
  /**
   * Shards: setting it turns cluster mode on (clients use the configuration endpoint).
   * On a secondary it must equal the primary's (it is inherited, not rendered) and
   * tells the construct which replica-count property to render.
   * @default - cluster mode disabled (one shard)
   */
  readonly numNodeGroups?: number;
  /**
   * Port; 6379 works but is what untargeted scans try first.
   * @default 6380
   */
  readonly port?: number;
  /**
   * Customer managed key encrypting the cache's data at rest (and its snapshots and the AUTH token secret).
   * @default - the AWS managed ElastiCache key for the data; a new rotating key for the AUTH token secret
   */
  readonly dataEncryptionKey?: kms.IKey;
  /**
   * An existing secret whose SecretString is the AUTH token (16-128 characters; only
   * ! & # $ ^ < > - as special characters). Use the same secret for a Global Datastore's
   * members so one token works everywhere.
   * @default - a new secret with a generated 64-character token
   */
  readonly authSecret?: secretsmanager.ISecret;
  /**
   * Security group of the cache.
   * @default - a new security group with no ingress; grantConnect adds peers
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * Daily snapshot window, UTC, `hh24:mi-hh24:mi`, at least 60 minutes, not overlapping maintenance.
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 60 minutes.
   * @default 'sun:05:00-sun:06:00'
   */
  readonly preferredMaintenanceWindow?: string;
  /**
   * What happens to the replication group when it leaves the stack.
   * @default RemovalPolicy.SNAPSHOT (a final snapshot is taken)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Replication group ID: 1-40 letters, digits or hyphens, starting with a letter,
   * no `--`, not ending with `-`.
   * @default - generated by CloudFormation
   */
  readonly replicationGroupId?: string;
  /** Description of the replication group. @default 'MCP session cache' */
  readonly description?: string;
  /**
   * Retention of the slow-log and engine-log log groups.
   * @default logs.RetentionDays.ONE_YEAR (AWS Control Tower CT.CLOUDWATCH.PR.2 asks for at least a year)
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Key that encrypts the log groups.
   * @default - a new customer managed key with rotation, usable by CloudWatch Logs of this region
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Global Datastore membership.
   * @default - a regional cache only
   */
  readonly globalDatastore?: GlobalDatastoreOptions;
}

const SNAPSHOT_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MAINTENANCE_WINDOW = /^(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)-(sun|mon|tue|wed|thu|fri|sat):([01]\d|2[0-3]):([0-5]\d)$/;
const WEEK_MINUTES = 7 * 24 * 60;

/**
 * An ElastiCache replication group for MCP session state, Multi-AZ with automatic
 * failover, secure by default.
 */
export class McpCache extends CacheBase {
  /** Imports an existing cache. */
  public static fromCacheAttributes(scope: Construct, id: string, attrs: CacheAttributes): ICache {
    class Import extends CacheBase {
      public readonly replicationGroupId = attrs.replicationGroupId;
      public readonly endpointAddress = attrs.endpointAddress;
      public readonly endpointPort = attrs.endpointPort;
      public readonly authSecret = attrs.authSecret;
      public readonly connections = new ec2.Connections({
        securityGroups: attrs.securityGroups,
        defaultPort: ec2.Port.tcp(attrs.endpointPort),
      });
    }
    return new Import(scope, id);
  }

  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  public readonly subnetGroup: elasticache.CfnSubnetGroup;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly authSecret: secretsmanager.ISecret;
  public readonly connections: ec2.Connections;
  /** Log groups receiving the slow log and the engine log. */
  public readonly slowLogGroup: logs.LogGroup;
  public readonly engineLogGroup: logs.LogGroup;
  /** The key encrypting the log groups. */
  public readonly logEncryptionKey: kms.IKey;
  /** The Global Datastore this construct created (PRIMARY role only). */
  public readonly globalReplicationGroup?: elasticache.CfnGlobalReplicationGroup;
  /** The Global Datastore ID (PRIMARY: as created; SECONDARY: as given). */
  public readonly globalReplicationGroupId?: string;
  public readonly replicationGroupId: string;
  public readonly endpointAddress: string;
  public readonly endpointPort: number;
  /** Reader endpoint (cluster mode disabled only). */
  public readonly readerEndpointAddress?: string;
  public readonly clusterModeEnabled: boolean;
  public readonly profile: TierProfile;
  /** How this cache recovers its writer, for the failover budget. */
  public readonly failoverInput: CacheFailoverInput;

  constructor(scope: Construct, id: string, props: McpCacheProps) {
    super(scope, id);
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, mergeOverrides(props.tierOverrides, {
      minZones: props.minZones,
      cacheReplicasPerShard: props.cacheReplicasPerShard,
      cacheSnapshotRetentionDays: props.cacheSnapshotRetentionDays,
    }), v);
    this.profile = profile;

    const gd = props.globalDatastore;
    const secondary = gd?.role === GlobalDatastoreRole.SECONDARY;
    const engine = props.engine ?? CacheEngine.VALKEY;
    const engineVersion = props.engineVersion ?? DEFAULT_CACHE_ENGINE_VERSIONS[engine];
    const cacheNodeType = props.cacheNodeType ?? 'cache.r7g.large';
    const port = props.port ?? DEFAULT_CACHE_PORT;
    const snapshotWindow = props.snapshotWindow ?? '03:00-04:00';
    const maintenanceWindow = props.preferredMaintenanceWindow ?? 'sun:05:00-sun:06:00';
    const replicas = profile.cacheReplicasPerShard;
    const clusterMode = props.numNodeGroups !== undefined;

    // ---- validate ----
    v.oneOf('engine', engine, Object.values(CacheEngine));
    validateEngineVersion(v, engine, engineVersion);
    v.check(/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(cacheNodeType), 'cacheNodeType', cacheNodeType,
      'an ElastiCache node type such as "cache.r7g.large"');
    if (gd) {
      v.check(!/^cache\.t\d/.test(cacheNodeType), 'cacheNodeType', cacheNodeType,
        'an M5/R5 or newer node type: Global Datastores do not support burstable (T) nodes');
    }
    v.integerInRange('port', port, { min: 1, max: 65535 });
    if (props.numNodeGroups !== undefined) {
      v.integerInRange('numNodeGroups', props.numNodeGroups, { min: 1, max: 500 },
        'ElastiCache cluster mode: 1 to 500 shards');
      v.check(props.numNodeGroups * (1 + replicas) <= 500, 'numNodeGroups', props.numNodeGroups,
        `at most ${Math.floor(500 / (1 + replicas))} shards with ${replicas} replicas each: a cluster has at most 500 nodes`);
    }
    if (props.replicationGroupId !== undefined) validateReplicationGroupId(v, props.replicationGroupId);
    validateWindows(v, snapshotWindow, maintenanceWindow);
    const subnets = this.selectSubnets(v, props, profile.minZones);
    if (gd) validateGlobalDatastore(v, gd, props);
    checkKeyRegion(v, this, 'dataEncryptionKey', props.dataEncryptionKey, 'the cache\'s data and its AUTH token secret');
    v.throwIfInvalid();

    // ---- build ----
    this.clusterModeEnabled = clusterMode;
    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `MCP session cache ${this.node.path}: ingress only from granted peers on port ${port}`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });

    this.subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `MCP session cache ${this.node.path}`,
      subnetIds: subnets!.subnetIds,
    });

    if (props.authSecret) {
      this.authSecret = props.authSecret;
    } else {
      // A customer-managed key (NIST SC-28, HIPAA 164.312(a)(2)(iv), PCI 3.4): the cache's key when given, else one of its own.
      let tokenKey = props.dataEncryptionKey;
      if (!tokenKey) {
        tokenKey = new kms.Key(this, 'AuthTokenKey', {
          description: `Encrypts the AUTH token secret of the MCP session cache ${this.node.path}`,
          enableKeyRotation: true,
        });
        restrictGrantsToAwsServices(tokenKey);
      }
      const secret = new secretsmanager.Secret(this, 'AuthToken', {
        description: `AUTH token of the MCP session cache ${this.node.path}`,
        encryptionKey: tokenKey,
        generateSecretString: {
          passwordLength: 64,
          excludeCharacters: AUTH_TOKEN_EXCLUDED_CHARACTERS,
          includeSpace: false,
          requireEachIncludedType: true,
        },
      });
      const noRotation = 'ElastiCache AUTH tokens have no Secrets Manager rotation function; rotating one is a '
        + 'ModifyReplicationGroup call with AuthTokenUpdateStrategy ROTATE then SET, run as an operational procedure.';
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: noRotation });
      acknowledgePackRule(secret, 'SecretsManagerRotationEnabled', noRotation,
        [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
      this.authSecret = secret;
    }

    this.logEncryptionKey = props.logEncryptionKey
      ?? createLogEncryptionKey(this, 'LogKey', `Encrypts the slow and engine logs of the MCP session cache ${this.node.path}`);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.slowLogGroup = new logs.LogGroup(this, 'SlowLog', {
      encryptionKey: this.logEncryptionKey,
      retention: logRetention,
    });
    this.engineLogGroup = new logs.LogGroup(this, 'EngineLog', {
      encryptionKey: this.logEncryptionKey,
      retention: logRetention,
    });
    const logDelivery = (logType: string, group: logs.ILogGroup): elasticache.CfnReplicationGroup.LogDeliveryConfigurationRequestProperty => ({
      destinationType: 'cloudwatch-logs',
      destinationDetails: { cloudWatchLogsDetails: { logGroup: group.logGroupName } },
      logFormat: 'json',
      logType,
    });

    // Properties a Global Datastore secondary may set (ElastiCache infers the rest from the primary).
    const common: elasticache.CfnReplicationGroupProps = {
      replicationGroupDescription: props.description ?? 'MCP session cache',
      replicationGroupId: props.replicationGroupId,
      cacheSubnetGroupName: this.subnetGroup.ref,
      securityGroupIds: this.connections.securityGroups.map((sg) => sg.securityGroupId),
      port,
      // A Global Datastore secondary inherits Multi-AZ and automatic failover from the primary
      // (ELASTICACHE_GLOBAL_DATASTORE.secondaryInherits): rendering MultiAZEnabled there without
      // AutomaticFailoverEnabled is refused, so the secondary renders neither.
      ...(secondary ? {} : { multiAzEnabled: true }),
      ...(clusterMode ? { replicasPerNodeGroup: replicas } : { numCacheClusters: 1 + replicas }),
      kmsKeyId: props.dataEncryptionKey?.keyArn,
      authToken: this.authSecret.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: profile.cacheSnapshotRetentionDays,
      snapshotWindow,
      preferredMaintenanceWindow: maintenanceWindow,
      // Members of a Global Datastore are upgraded through the global group (ModifyGlobalReplicationGroup),
      // not by the member's own automatic minor version upgrades: members do not render the flag.
      ...(gd ? {} : { autoMinorVersionUpgrade: true }),
      logDeliveryConfigurations: [logDelivery('slow-log', this.slowLogGroup), logDelivery('engine-log', this.engineLogGroup)],
    };
    const props2: elasticache.CfnReplicationGroupProps = secondary
      ? { ...common, globalReplicationGroupId: gd!.globalReplicationGroupId }
      : {
        ...common,
        engine,
        engineVersion,
        cacheNodeType,
        automaticFailoverEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: 'required',
        clusterMode: clusterMode ? 'enabled' : 'disabled',
        ...(clusterMode ? {
          numNodeGroups: props.numNodeGroups,
          cacheParameterGroupName: clusterParameterGroup(engine, engineVersion),
        } : {}),
      };
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', props2);
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.SNAPSHOT);
    if (!secondary && profile.cacheSnapshotRetentionDays < 15) {
      acknowledgePackRule(this.replicationGroup, 'ElastiCacheRedisClusterAutomaticBackup',
        `The tier keeps ${profile.cacheSnapshotRetentionDays} day(s) of daily snapshots (mission-critical keeps 35): the cache holds `
        + 'MCP session state and cached tool results that expire within hours, so an older snapshot restores nothing a client '
        + 'still uses, and the replication group is snapshotted on delete. Set cacheSnapshotRetentionDays to 15 or more where a framework requires it.',
        [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
    }
    if (secondary) {
      Validations.of(this.replicationGroup).acknowledge({
        id: 'AwsSolutions-AEC4',
        reason: 'A Global Datastore secondary inherits Multi-AZ and automatic failover from the primary (which this library '
          + 'creates with both enabled); ElastiCache refuses MultiAZEnabled on a secondary without AutomaticFailoverEnabled, so neither is rendered.',
      });
      Validations.of(this.replicationGroup).acknowledge({
        id: 'AwsSolutions-AEC3',
        reason: 'A Global Datastore secondary must not pass TransitEncryptionEnabled or AtRestEncryptionEnabled: '
          + 'ElastiCache inherits both from the primary, which this library creates with both enabled.',
      });
    }

    this.replicationGroupId = this.replicationGroup.ref;
    this.endpointPort = port;
    if (clusterMode) {
      this.endpointAddress = this.replicationGroup.attrConfigurationEndPointAddress;
    } else {
      this.endpointAddress = this.replicationGroup.attrPrimaryEndPointAddress;
      this.readerEndpointAddress = this.replicationGroup.attrReaderEndPointAddress;
    }

    if (gd?.role === GlobalDatastoreRole.PRIMARY) {
      this.globalReplicationGroup = new elasticache.CfnGlobalReplicationGroup(this, 'GlobalDatastore', {
        globalReplicationGroupIdSuffix: gd.globalReplicationGroupIdSuffix,
        globalReplicationGroupDescription: gd.description ?? 'MCP session cache (Global Datastore)',
        // Engine version and node type of every member change here (ModifyGlobalReplicationGroup), never on a member.
        engineVersion,
        cacheNodeType,
        members: [{
          replicationGroupId: this.replicationGroup.ref,
          replicationGroupRegion: Stack.of(this).region,
          role: 'PRIMARY',
        }],
      });
      this.globalReplicationGroupId = this.globalReplicationGroup.attrGlobalReplicationGroupId;
    } else if (secondary) {
      this.globalReplicationGroupId = gd!.globalReplicationGroupId;
    }

    this.failoverInput = gd
      ? { crossRegion: true, promotionTriggerSeconds: extendedOutageSeconds(profile) }
      : { crossRegion: false };
  }

  private selectSubnets(v: Validator, props: McpCacheProps, minZones: number): ec2.SelectedSubnets | undefined {
    const vpc = props.vpc;
    const selection = props.vpcSubnets ?? {
      subnetType: vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
    };
    let selected: ec2.SelectedSubnets;
    try {
      selected = vpc.selectSubnets(selection);
    } catch (e) {
      v.add('vpcSubnets', selection.subnetType ?? selection, `a selection that matches subnets of the VPC (${(e as Error).message})`);
      return undefined;
    }
    v.check(!selected.hasPublic, 'vpcSubnets', selection.subnetType ?? 'a selection with public subnets',
      'private or isolated subnets only: the cache must not be reachable from the internet');
    const zones = new Set(selected.availabilityZones.filter((z) => !Token.isUnresolved(z)));
    if (zones.size === selected.availabilityZones.length) {
      v.check(zones.size >= minZones, 'vpcSubnets', [...zones],
        `subnets in at least ${minZones} availability zones (the tier's minZones), so replicas survive a zone loss`);
    }
    return selected;
  }

}

function validateEngineVersion(v: Validator, engine: CacheEngine, version: string): void {
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  if (!m) {
    v.check(false, 'engineVersion', version, 'major.minor[.patch], for example "8.2"');
    return;
  }
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (engine === CacheEngine.VALKEY) {
    v.check(major > 7 || (major === 7 && minor >= 2), 'engineVersion', version,
      'Valkey 7.2 or later (the first Valkey release on ElastiCache)');
  } else {
    v.check(major >= 7, 'engineVersion', version,
      'Redis OSS 7.0 or later: TransitEncryptionMode "required" needs it');
  }
}

/** The default cluster-mode parameter group of an engine version (default.valkey8.cluster.on, default.redis7.cluster.on). */
function clusterParameterGroup(engine: CacheEngine, version: string): string {
  const major = version.split('.')[0];
  return `default.${engine}${major}.cluster.on`;
}

/** CreateReplicationGroup's documented naming rule. */
export function validateReplicationGroupId(v: Validator, id: string, prop = 'replicationGroupId'): void {
  const ok = id.length >= 1
    && id.length <= CLOUD_FACTS.awsElastiCacheReplicationGroupIdMaxLength.value
    && /^[A-Za-z][A-Za-z0-9-]*$/.test(id)
    && !id.includes('--')
    && !id.endsWith('-');
  v.check(ok, prop, id,
    '1-40 letters, digits or hyphens, starting with a letter, without "--" and not ending with "-" '
    + `(${CLOUD_FACTS.awsElastiCacheReplicationGroupIdMaxLength.docUrl})`);
}

function validateWindows(v: Validator, snapshot: string, maintenance: string): void {
  const s = SNAPSHOT_WINDOW.exec(snapshot);
  const m = MAINTENANCE_WINDOW.exec(maintenance);
  let snapshotRange: [number, number] | undefined;
  let maintenanceRange: [number, number] | undefined;
  if (!s) {
    v.check(false, 'snapshotWindow', snapshot, 'a daily UTC range "hh24:mi-hh24:mi", for example "03:00-04:00"');
  } else {
    const start = Number(s[1]) * 60 + Number(s[2]);
    const length = (Number(s[3]) * 60 + Number(s[4]) - start + 1440) % 1440;
    v.check(length >= 60, 'snapshotWindow', snapshot, 'a range of at least 60 minutes');
    snapshotRange = [start, length];
  }
  if (!m) {
    v.check(false, 'preferredMaintenanceWindow', maintenance,
      'a weekly UTC range "ddd:hh24:mi-ddd:hh24:mi" with ddd one of sun..sat, for example "sun:05:00-sun:06:00"');
  } else {
    const start = DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
    const end = DAYS.indexOf(m[4]) * 1440 + Number(m[5]) * 60 + Number(m[6]);
    const length = (end - start + WEEK_MINUTES) % WEEK_MINUTES;
    v.check(length >= 60 && length <= 24 * 60, 'preferredMaintenanceWindow', maintenance,
      'a range of 60 minutes to 24 hours');
    maintenanceRange = [start, length];
  }
  if (snapshotRange && maintenanceRange) {
    const [ms, ml] = maintenanceRange;
    const [ss, sl] = snapshotRange;
    let overlap = false;
    for (let i = 0; i < ml && !overlap; i++) {
      const minuteOfDay = (ms + i) % 1440;
      overlap = (minuteOfDay - ss + 1440) % 1440 < sl;
    }
    v.check(!overlap, 'snapshotWindow', snapshot,
      `a window that does not overlap preferredMaintenanceWindow (${maintenance})`);
  }
}

function validateGlobalDatastore(v: Validator, gd: GlobalDatastoreOptions, props: McpCacheProps): void {
  const gv = v.nested('globalDatastore');
  gv.oneOf('role', gd.role, Object.values(GlobalDatastoreRole));
  if (gd.role === GlobalDatastoreRole.PRIMARY) {
    const suffix = gd.globalReplicationGroupIdSuffix;
    gv.check(suffix !== undefined && /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(suffix) && !suffix.endsWith('-'),
      'globalReplicationGroupIdSuffix', suffix,
      'letters, digits and hyphens, required for the PRIMARY role (ElastiCache adds the regional prefix)');
    gv.check(gd.globalReplicationGroupId === undefined, 'globalReplicationGroupId', gd.globalReplicationGroupId,
      'no value for the PRIMARY role: the ID is assigned when the Global Datastore is created');
  } else if (gd.role === GlobalDatastoreRole.SECONDARY) {
    const id = gd.globalReplicationGroupId;
    gv.check(id !== undefined && /^[a-z]{5}-[A-Za-z0-9][A-Za-z0-9-]*$/.test(id), 'globalReplicationGroupId', id,
      'the full Global Datastore ID "<5-letter regional prefix>-<suffix>", required for the SECONDARY role');
    gv.check(gd.globalReplicationGroupIdSuffix === undefined, 'globalReplicationGroupIdSuffix',
      gd.globalReplicationGroupIdSuffix, 'no value for the SECONDARY role (it joins an existing Global Datastore)');
    gv.check(gd.description === undefined, 'description', gd.description,
      'no value for the SECONDARY role (the primary owns the Global Datastore)');
    const inherited = 'no value on a Global Datastore secondary: ElastiCache inherits it from the primary; change the engine, '
      + 'its version or the node type on the primary\'s global group (AWS::ElastiCache::GlobalReplicationGroup, ModifyGlobalReplicationGroup), '
      + `which applies it to every member (${ELASTICACHE_GLOBAL_DATASTORE.docUrl})`;
    for (const prop of ['engine', 'engineVersion', 'cacheNodeType'] as const) {
      v.check(props[prop] === undefined, prop, props[prop], inherited);
    }
  }
}

/** The role of a regional cluster in a MemoryDB Multi-Region cluster. */
export enum MultiRegionClusterRole {
  /** This stack creates the multi-Region cluster and its first regional cluster. */
  CREATE = 'create',
  /** This regional cluster joins an existing multi-Region cluster by its full name. */
  JOIN = 'join',
}

/** One regional cluster of a MemoryDB Multi-Region cluster. */
export interface McpMultiRegionCacheProps {
  /** The VPC whose private subnets hold the cluster. */
  readonly vpc: ec2.IVpc;
  /** The availability tier: snapshot retention and replicas. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** Overrides of the tier's defaults, field by field. @default - the tier's defaults */
  readonly tierOverrides?: TierOverrides;
  /** CREATE (first region) or JOIN (every other region). */
  readonly role: MultiRegionClusterRole;
  /**
   * CREATE: the multi-Region cluster name suffix (MemoryDB adds a per-region prefix).
   * @default - none; required with the CREATE role
   */
  readonly multiRegionClusterNameSuffix?: string;
  /**
   * JOIN: the full multi-Region cluster name.
   * @default - none; required with the JOIN role
   */
  readonly multiRegionClusterName?: string;
  /** Regional cluster, user and ACL names (lowercase letters, digits, hyphens; 1-40). */
  readonly name: string;
  /** MemoryDB node type. @default 'db.r7g.xlarge' (Multi-Region needs R7g xlarge or above) */
  readonly nodeType?: string;
  /** Valkey version (7.3 or later). @default '7.3' */
  readonly engineVersion?: string;
  /** Shards of the regional cluster (1-500). @default 1 */
  readonly numShards?: number;
  /** Port clients connect to (TLS). @default 6380 */
  readonly port?: number;
  /**
   * Customer managed key encrypting the cluster's data at rest (and its snapshots and the password secret).
   * @default - the AWS managed MemoryDB key for the data; a new rotating key for the password secret
   */
  readonly dataEncryptionKey?: kms.IKey;
}

/**
 * One regional cluster of an Amazon MemoryDB Multi-Region cluster (active-active, every region writes
 * locally, CRDT last-writer-wins): TLS required, encrypted at rest, a password user in its own ACL
 * (the password in Secrets Manager, never in the template), snapshots kept for the tier's days, the
 * cluster and the multi-Region cluster retained when removed from the stack.
 * Limits (regions, node types, engine): MEMORYDB_MULTI_REGION in core.
 */
export class McpMultiRegionCache extends Construct implements ec2.IConnectable {
  public readonly cluster: memorydb.CfnCluster;
  /** The multi-Region cluster (CREATE role only). */
  public readonly multiRegionCluster?: memorydb.CfnMultiRegionCluster;
  /** The full multi-Region cluster name. */
  public readonly multiRegionClusterName: string;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly connections: ec2.Connections;
  public readonly authSecret: secretsmanager.ISecret;
  /** The user the servers authenticate as (REDIS_USERNAME). */
  public readonly userName: string;
  public readonly endpointAddress: string;
  public readonly endpointPort: number;
  /** MemoryDB always runs in cluster mode: clients use the cluster endpoint. */
  public readonly clusterModeEnabled = true;

  constructor(scope: Construct, id: string, props: McpMultiRegionCacheProps) {
    super(scope, id);
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides ?? {}, v);
    const nodeType = props.nodeType ?? 'db.r7g.xlarge';
    const engineVersion = props.engineVersion ?? '7.3';
    const port = props.port ?? DEFAULT_CACHE_PORT;
    const numShards = props.numShards ?? 1;
    v.check(MEMORYDB_MULTI_REGION.nodeTypePattern.test(nodeType), 'nodeType', nodeType,
      `${MEMORYDB_MULTI_REGION.nodeTypeRule} (${MEMORYDB_MULTI_REGION.docUrl})`);
    v.check(valkeyAtLeast(engineVersion, MEMORYDB_MULTI_REGION.minEngineVersion), 'engineVersion', engineVersion,
      `Valkey ${MEMORYDB_MULTI_REGION.minEngineVersion.major}.${MEMORYDB_MULTI_REGION.minEngineVersion.minor} or later (${MEMORYDB_MULTI_REGION.docUrl})`);
    v.check(/^[a-z][a-z0-9-]{0,39}$/.test(props.name) && !props.name.endsWith('-') && !props.name.includes('--'), 'name', props.name,
      '1-40 lowercase letters, digits or hyphens, starting with a letter, without "--" and not ending with "-"');
    v.integerInRange('port', port, { min: 1, max: 65535 });
    v.integerInRange('numShards', numShards, { min: 1, max: 500 });
    if (props.role === MultiRegionClusterRole.CREATE) {
      v.check(props.multiRegionClusterNameSuffix !== undefined && /^[a-z0-9][a-z0-9-]*$/.test(props.multiRegionClusterNameSuffix),
        'multiRegionClusterNameSuffix', props.multiRegionClusterNameSuffix, 'lowercase letters, digits and hyphens, required with the CREATE role');
    } else {
      v.check(props.multiRegionClusterName !== undefined, 'multiRegionClusterName', props.multiRegionClusterName,
        'the full multi-Region cluster name, required with the JOIN role');
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      v.check(MEMORYDB_MULTI_REGION.regions.includes(region), 'region', region,
        `one of ${MEMORYDB_MULTI_REGION.regions.join(', ')} (MemoryDB Multi-Region, ${MEMORYDB_MULTI_REGION.docUrl})`);
    }
    const subnets = props.vpc.selectSubnets({
      subnetType: props.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
    });
    checkKeyRegion(v, this, 'dataEncryptionKey', props.dataEncryptionKey, 'the cluster\'s data and its password secret');
    v.throwIfInvalid();

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `MCP session cache ${this.node.path}: ingress only from granted peers on port ${port}`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });
    const subnetGroup = new memorydb.CfnSubnetGroup(this, 'SubnetGroup', {
      subnetGroupName: `${props.name}-subnets`,
      description: `MCP session cache ${this.node.path}`,
      subnetIds: subnets.subnetIds,
    });

    const tokenKey = props.dataEncryptionKey ?? new kms.Key(this, 'PasswordKey', {
      description: `Encrypts the password secret of the MCP session cache ${this.node.path}`,
      enableKeyRotation: true,
    });
    if (!props.dataEncryptionKey) restrictGrantsToAwsServices(tokenKey);
    const secret = new secretsmanager.Secret(this, 'Password', {
      description: `Password of the MemoryDB user of the MCP session cache ${this.node.path}`,
      encryptionKey: tokenKey,
      generateSecretString: { passwordLength: 64, excludeCharacters: AUTH_TOKEN_EXCLUDED_CHARACTERS, includeSpace: false, requireEachIncludedType: true },
    });
    const noRotation = 'A MemoryDB user password has no Secrets Manager rotation function; rotating it is an UpdateUser call '
      + '(a user holds two passwords during the change), run as an operational procedure.';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: noRotation });
    acknowledgePackRule(secret, 'SecretsManagerRotationEnabled', noRotation, [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
    this.authSecret = secret;
    this.userName = `${props.name}-app`;
    const user = new memorydb.CfnUser(this, 'User', {
      userName: this.userName,
      // The servers' own keys and commands; no administrative access beyond the data.
      accessString: 'on ~* &* +@all -@dangerous',
      authenticationMode: { Type: 'password', Passwords: [secret.secretValue.unsafeUnwrap()] },
    });
    const acl = new memorydb.CfnACL(this, 'Acl', { aclName: `${props.name}-acl`, userNames: [this.userName] });
    acl.node.addDependency(user);

    if (props.role === MultiRegionClusterRole.CREATE) {
      this.multiRegionCluster = new memorydb.CfnMultiRegionCluster(this, 'MultiRegionCluster', {
        multiRegionClusterNameSuffix: props.multiRegionClusterNameSuffix,
        description: 'MCP session cache (MemoryDB Multi-Region: every region writes locally)',
        engine: MEMORYDB_MULTI_REGION.engine,
        engineVersion,
        nodeType,
        numShards,
        tlsEnabled: true,
      });
      this.multiRegionCluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
      this.multiRegionClusterName = this.multiRegionCluster.attrMultiRegionClusterName;
    } else {
      this.multiRegionClusterName = props.multiRegionClusterName!;
    }
    this.cluster = new memorydb.CfnCluster(this, 'Resource', {
      clusterName: props.name,
      description: 'MCP session cache (regional cluster of a MemoryDB Multi-Region cluster)',
      multiRegionClusterName: this.multiRegionClusterName,
      engine: MEMORYDB_MULTI_REGION.engine,
      engineVersion,
      nodeType,
      numShards,
      numReplicasPerShard: profile.cacheReplicasPerShard,
      aclName: acl.aclName,
      subnetGroupName: subnetGroup.subnetGroupName,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port,
      tlsEnabled: true,
      kmsKeyId: props.dataEncryptionKey?.keyArn,
      snapshotRetentionLimit: profile.cacheSnapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });
    this.cluster.node.addDependency(acl);
    this.cluster.node.addDependency(subnetGroup);
    this.cluster.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.endpointAddress = this.cluster.attrClusterEndpointAddress;
    this.endpointPort = port;
  }

  /** Lets `grantee` reach the cache port and read the password. */
  public grantConnect(grantee: ec2.IConnectable & iam.IGrantable): iam.Grant {
    this.connections.allowDefaultPortFrom(grantee, 'MCP servers to the session cache');
    return this.authSecret.grantRead(grantee);
  }
}

function valkeyAtLeast(version: string, min: { major: number; minor: number }): boolean {
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > min.major || (major === min.major && minor >= min.minor);
}
