import { testApp } from '../support/app';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AUTH_TOKEN_EXCLUDED_CHARACTERS, CacheEngine, GlobalDatastoreRole, McpCache, McpCacheProps,
} from '../../lib/aws/cache';
import { AvailabilityTier } from '../../lib/core/tiers';

const env = { account: '111111111111', region: 'us-east-1' };

// Shared stacks: synthesis is slow, so each is built once (one app each: Template.fromStack synthesizes the app).
const app = testApp();

// GIVEN a stack with only the default cache (snapshot and cdk-nag)
const defaultStack = new Stack(app, 'Test', { env });
const defaultVpc = new ec2.Vpc(defaultStack, 'Vpc', { maxAzs: 3 });
const defaultCache = new McpCache(defaultStack, 'Cache', { vpc: defaultVpc });
const client = new ec2.SecurityGroup(defaultStack, 'ClientSg', { vpc: defaultVpc, description: 'client' });
const clientRole = new iam.Role(defaultStack, 'ClientRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
const grantee: ec2.IConnectable & iam.IGrantable = {
  connections: new ec2.Connections({ securityGroups: [client] }),
  grantPrincipal: clientRole,
};
defaultCache.grantConnect(grantee);
const defaultTemplate = Template.fromStack(defaultStack);

// GIVEN a stack with overridden caches (cluster mode, Redis OSS, customer key, Global Datastore primary)
const overrideStack = new Stack(testApp(), 'Overrides', { env });
const overrideVpc = new ec2.Vpc(overrideStack, 'Vpc', { maxAzs: 3 });
const key = new kms.Key(overrideStack, 'Key', { enableKeyRotation: true });
const clustered = new McpCache(overrideStack, 'Clustered', {
  vpc: overrideVpc,
  tier: AvailabilityTier.MISSION_CRITICAL,
  engine: CacheEngine.REDIS,
  numNodeGroups: 3,
  port: 7000,
  dataEncryptionKey: key,
  replicationGroupId: 'mcp-sessions',
  snapshotWindow: '01:00-02:00',
  preferredMaintenanceWindow: 'tue:03:00-tue:04:00',
  cacheSnapshotRetentionDays: 14,
  removalPolicy: RemovalPolicy.RETAIN,
});
const primary = new McpCache(overrideStack, 'GlobalPrimary', {
  vpc: overrideVpc,
  globalDatastore: { role: GlobalDatastoreRole.PRIMARY, globalReplicationGroupIdSuffix: 'mcp-sessions' },
});
const overrideTemplate = Template.fromStack(overrideStack);

// GIVEN a secondary in another region joining the Global Datastore
const secondaryStack = new Stack(testApp(), 'Secondary', { env: { account: '111111111111', region: 'eu-west-1' } });
const secondaryVpc = new ec2.Vpc(secondaryStack, 'Vpc', { maxAzs: 3 });
const sharedSecret = secretsmanager.Secret.fromSecretNameV2(secondaryStack, 'Shared', 'mcp/cache-auth');
const secondary = new McpCache(secondaryStack, 'Cache', {
  vpc: secondaryVpc,
  authSecret: sharedSecret,
  cacheReplicasPerShard: 2,
  globalDatastore: { role: GlobalDatastoreRole.SECONDARY, globalReplicationGroupId: 'ldgnf-mcp-sessions' },
});
const secondaryTemplate = Template.fromStack(secondaryStack);

// Bad inputs are built (never synthesized) in one stack.
const errorStack = new Stack(testApp(), 'Errors', { env });
const errorVpc = new ec2.Vpc(errorStack, 'Vpc', { maxAzs: 3 });
let errorId = 0;
function build(props: Partial<McpCacheProps>): () => McpCache {
  return () => new McpCache(errorStack, `Bad${errorId++}`, { vpc: errorVpc, ...props });
}

function replicationGroup(t: Template, logicalIdPrefix: string): Record<string, unknown> {
  const all = t.findResources('AWS::ElastiCache::ReplicationGroup');
  const id = Object.keys(all).find((k) => k.startsWith(logicalIdPrefix));
  if (!id) throw new Error(`no replication group ${logicalIdPrefix}`);
  return all[id] as Record<string, unknown>;
}

describe('McpCache defaults', () => {
  test('snapshot of the default configuration', () => {
    // THEN
    expect(defaultTemplate.toJSON()).toMatchSnapshot();
  });

  test('Valkey 8.2, Multi-AZ with automatic failover and the tier\'s replica count', () => {
    // THEN: business-critical keeps 1 replica (2 nodes), cluster mode off
    defaultTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.2',
      CacheNodeType: 'cache.r7g.large',
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      NumCacheClusters: 2,
      ClusterMode: 'disabled',
      Port: 6380,
    });
  });

  test('encrypted at rest and in transit (required), AUTH token by dynamic reference', () => {
    // THEN
    defaultTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AuthToken: {
        'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^CacheAuthToken') }, ':SecretString:::}}']],
      },
      KmsKeyId: Match.absent(),
    });
    const json = JSON.stringify(defaultTemplate.toJSON());
    expect(json).not.toMatch(/"AuthToken":"[^{]/);
  });

  test('the generated AUTH token avoids every character ElastiCache refuses', () => {
    // THEN
    defaultTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludeCharacters: AUTH_TOKEN_EXCLUDED_CHARACTERS, IncludeSpace: false },
    });
    for (const c of ['@', '"', '/']) expect(AUTH_TOKEN_EXCLUDED_CHARACTERS).toContain(c);
    for (const c of ['!', '&', '#', '$', '^', '<', '>', '-']) expect(AUTH_TOKEN_EXCLUDED_CHARACTERS).not.toContain(c);
  });

  test('snapshots: tier retention, a window, and a final snapshot on delete', () => {
    // THEN
    const rg = replicationGroup(defaultTemplate, 'Cache');
    expect(rg.DeletionPolicy).toBe('Snapshot');
    expect(rg.UpdateReplacePolicy).toBe('Snapshot');
    expect(rg.Properties).toMatchObject({
      SnapshotRetentionLimit: 7,
      SnapshotWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:05:00-sun:06:00',
    });
  });

  test('private subnet group across the tier\'s three zones', () => {
    // THEN
    const groups = defaultTemplate.findResources('AWS::ElastiCache::SubnetGroup');
    const [group] = Object.values(groups) as { Properties: { SubnetIds: { Ref: string }[] } }[];
    expect(group.Properties.SubnetIds).toHaveLength(3);
    for (const s of group.Properties.SubnetIds) expect(s.Ref).toMatch(/PrivateSubnet/);
  });

  test('slow and engine logs go to KMS-encrypted log groups', () => {
    // THEN
    defaultTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      LogDeliveryConfigurations: [
        Match.objectLike({ LogType: 'slow-log', DestinationType: 'cloudwatch-logs', LogFormat: 'json' }),
        Match.objectLike({ LogType: 'engine-log', DestinationType: 'cloudwatch-logs', LogFormat: 'json' }),
      ],
    });
    defaultTemplate.resourcePropertiesCountIs('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CacheLogKey'), 'Arn'] },
      RetentionInDays: 365,
    }, 2);
    defaultTemplate.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' } })]) },
    });
  });

  test('grantConnect opens the cache port to the grantee only and lets it read the token', () => {
    // THEN
    defaultTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 6380,
      ToPort: 6380,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClientSg'), 'GroupId'] },
    });
    defaultTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Test/Cache'),
      SecurityGroupIngress: Match.absent(),
    });
    defaultTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: { Ref: Match.stringLikeRegexp('^CacheAuthToken') },
        })],
      },
    });
  });

  test('exposes the primary endpoint and a regional failover input', () => {
    // THEN
    expect(defaultStack.resolve(defaultCache.endpointAddress)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Cache/), 'PrimaryEndPoint.Address'],
    });
    expect(defaultCache.endpointPort).toBe(6380);
    // The reader endpoint is exposed apart, and it is not the address servers write to.
    const writer = defaultStack.resolve(defaultCache.endpointAddress)['Fn::GetAtt'][0];
    expect(defaultStack.resolve(defaultCache.readerEndpointAddress)).toEqual({ 'Fn::GetAtt': [writer, 'ReaderEndPoint.Address'] });
    expect(defaultCache.clusterModeEnabled).toBe(false);
    expect(defaultCache.failoverInput).toEqual({ crossRegion: false });
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    // WHEN
    const report = new AwsSolutionsChecks(app).validateScope(defaultStack.node.findChild('Cache'));
    // THEN
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('McpCache overrides', () => {
  test('cluster mode: shards, replicas per shard, cluster parameter group, configuration endpoint', () => {
    // THEN
    expect(replicationGroup(overrideTemplate, 'Clustered').Properties).toMatchObject({
      Engine: 'redis',
      EngineVersion: '7.1',
      ClusterMode: 'enabled',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 2,
      CacheParameterGroupName: 'default.redis7.cluster.on',
      Port: 7000,
      ReplicationGroupId: 'mcp-sessions',
      SnapshotRetentionLimit: 14,
      SnapshotWindow: '01:00-02:00',
      PreferredMaintenanceWindow: 'tue:03:00-tue:04:00',
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] },
    });
    expect(replicationGroup(overrideTemplate, 'Clustered').Properties).not.toHaveProperty('NumCacheClusters');
    expect(overrideStack.resolve(clustered.endpointAddress)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^Clustered/), 'ConfigurationEndPoint.Address'],
    });
    expect(clustered.readerEndpointAddress).toBeUndefined();
  });

  test('removal policy override and customer key on the secret', () => {
    // THEN
    expect(replicationGroup(overrideTemplate, 'Clustered').DeletionPolicy).toBe('Retain');
    overrideTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  test('Global Datastore primary creates the global replication group around it', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', {
      GlobalReplicationGroupIdSuffix: 'mcp-sessions',
      Members: [{
        ReplicationGroupId: { Ref: Match.stringLikeRegexp('^GlobalPrimary') },
        ReplicationGroupRegion: 'us-east-1',
        Role: 'PRIMARY',
      }],
    });
    // The exposed group is the rendered one, and the id secondaries join by is its attribute (not a guessed name).
    const globalId = overrideStack.getLogicalId(primary.globalReplicationGroup!);
    expect(Object.keys(overrideTemplate.findResources('AWS::ElastiCache::GlobalReplicationGroup'))).toEqual([globalId]);
    expect(overrideStack.resolve(primary.globalReplicationGroupId)).toEqual({ 'Fn::GetAtt': [globalId, 'GlobalReplicationGroupId'] });
    expect(primary.failoverInput).toEqual({ crossRegion: true, promotionTriggerSeconds: 300 });
  });

  test('Global Datastore secondary emits only what a secondary may set', () => {
    // THEN
    const p = secondaryTemplate.findResources('AWS::ElastiCache::ReplicationGroup');
    const [rg] = Object.values(p) as { Properties: Record<string, unknown> }[];
    for (const forbidden of [
      'Engine', 'EngineVersion', 'CacheNodeType', 'CacheParameterGroupName', 'NumNodeGroups',
      'AutomaticFailoverEnabled', 'TransitEncryptionEnabled', 'TransitEncryptionMode', 'AtRestEncryptionEnabled',
      'SnapshotArns', 'SnapshotName', 'PrimaryClusterId', 'CacheSecurityGroupNames', 'ClusterMode',
    ]) {
      expect(rg.Properties).not.toHaveProperty(forbidden);
    }
    expect(rg.Properties).toMatchObject({
      GlobalReplicationGroupId: 'ldgnf-mcp-sessions',
      Port: 6380,
      NumCacheClusters: 3,
      SnapshotRetentionLimit: 7,
    });
    const token = JSON.stringify(rg.Properties.AuthToken);
    expect(token).toContain('{{resolve:secretsmanager:arn:');
    expect(token).toContain(':secret:mcp/cache-auth:SecretString:::}}');
    secondaryTemplate.resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
    secondaryTemplate.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(secondary.globalReplicationGroupId).toBe('ldgnf-mcp-sessions');
    expect(secondary.failoverInput.crossRegion).toBe(true);
  });

  test('cdk-nag AwsSolutions: the secondary and the overridden caches have no unacknowledged findings', () => {
    // WHEN
    const checks = new AwsSolutionsChecks();
    const reports = [secondary, clustered, primary].map((c) => checks.validateScope(c));
    // THEN: the secondary's AEC3 (encryption flags it must not pass) is acknowledged with its reason
    for (const r of reports) expect(r.violations).toEqual([]);
  });

  test('fromCacheAttributes imports a cache that grantConnect can open', () => {
    // GIVEN
    const stack = new Stack(testApp(), 'Import', { env });
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678', { mutable: true });
    const peer = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Peer', 'sg-87654321');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', 'mcp/cache');
    // WHEN
    const cache = McpCache.fromCacheAttributes(stack, 'Cache', {
      replicationGroupId: 'mcp-sessions',
      endpointAddress: 'master.mcp-sessions.abc123.use1.cache.amazonaws.com',
      endpointPort: 6380,
      securityGroups: [sg],
      authSecret: secret,
    });
    const grant = cache.grantConnect({ connections: new ec2.Connections({ securityGroups: [peer] }), grantPrincipal: role });
    // THEN
    expect(grant.success).toBe(true);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-12345678', FromPort: 6380, SourceSecurityGroupId: 'sg-87654321' });
    expect(cache.endpointPort).toBe(6380);
  });
});

describe('McpCache bad input', () => {
  test('replication group ID rules', () => {
    for (const id of ['1abc', 'a--b', 'abc-', 'a'.repeat(41), 'has_underscore', '']) {
      expect(build({ replicationGroupId: id })).toThrow(/replicationGroupId: got .*; allowed: 1-40 letters, digits or hyphens, starting with a letter/);
    }
  });

  test('zero replicas (Multi-AZ needs one)', () => {
    expect(build({ cacheReplicasPerShard: 0 })).toThrow(/cacheReplicasPerShard: got 0; allowed: an integer from 1 to 5 \(Multi-AZ automatic failover needs at least 1 replica/);
  });

  test('public subnets', () => {
    expect(build({ vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })).toThrow(/vpcSubnets: got "Public"; allowed: private or isolated subnets only/);
  });

  test('too few zones for the tier', () => {
    const [a, b] = errorVpc.availabilityZones;
    expect(build({ vpcSubnets: { availabilityZones: [a, b], subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow(/vpcSubnets: got \["us-east-1a","us-east-1b"\]; allowed: subnets in at least 3 availability zones \(the tier's minZones\)/);
  });

  test('engine versions that cannot carry required TLS', () => {
    expect(build({ engine: CacheEngine.REDIS, engineVersion: '6.2' })).toThrow(/engineVersion: got "6.2"; allowed: Redis OSS 7.0 or later/);
    expect(build({ engineVersion: '7.0' })).toThrow(/engineVersion: got "7.0"; allowed: Valkey 7.2 or later/);
    expect(build({ engineVersion: 'latest' })).toThrow(/engineVersion: got "latest"; allowed: major.minor/);
  });

  test('windows: format, length and overlap', () => {
    expect(build({ snapshotWindow: '3am' })).toThrow(/snapshotWindow: got "3am"; allowed: a daily UTC range/);
    expect(build({ snapshotWindow: '03:00-03:30' })).toThrow(/snapshotWindow: got "03:00-03:30"; allowed: a range of at least 60 minutes/);
    expect(build({ preferredMaintenanceWindow: 'sunday 5am' })).toThrow(/preferredMaintenanceWindow: got "sunday 5am"; allowed: a weekly UTC range/);
    expect(build({ snapshotWindow: '05:30-06:30' })).toThrow(/snapshotWindow: got "05:30-06:30"; allowed: a window that does not overlap preferredMaintenanceWindow \(sun:05:00-sun:06:00\)/);
  });

  test('shard count and node limit', () => {
    expect(build({ numNodeGroups: 0 })).toThrow(/numNodeGroups: got 0; allowed: an integer from 1 to 500/);
    expect(build({ numNodeGroups: 300 })).toThrow(/numNodeGroups: got 300; allowed: at most 250 shards with 1 replicas each/);
  });

  test('Global Datastore: burstable nodes, missing IDs, inherited props on a secondary', () => {
    expect(build({ cacheNodeType: 'cache.t4g.medium', globalDatastore: { role: GlobalDatastoreRole.PRIMARY, globalReplicationGroupIdSuffix: 'x' } }))
      .toThrow(/cacheNodeType: got "cache.t4g.medium"; allowed: an M5\/R5 or newer node type/);
    expect(build({ globalDatastore: { role: GlobalDatastoreRole.PRIMARY } }))
      .toThrow(/globalDatastore.globalReplicationGroupIdSuffix: got undefined; allowed: letters, digits and hyphens, required for the PRIMARY role/);
    expect(build({ globalDatastore: { role: GlobalDatastoreRole.SECONDARY, globalReplicationGroupId: 'mcp' } }))
      .toThrow(/globalDatastore.globalReplicationGroupId: got "mcp"; allowed: the full Global Datastore ID/);
    expect(build({ engine: CacheEngine.REDIS, cacheNodeType: 'cache.r7g.xlarge', globalDatastore: { role: GlobalDatastoreRole.SECONDARY, globalReplicationGroupId: 'ldgnf-mcp' } }))
      .toThrow(/2 invalid settings\n {2}- engine: got "redis"; allowed: no value on a Global Datastore secondary: ElastiCache inherits it from the primary; change the engine, its version or the node type on the primary's global group \(AWS::ElastiCache::GlobalReplicationGroup, ModifyGlobalReplicationGroup\)[^\n]*\n {2}- cacheNodeType: got "cache.r7g.xlarge"/);
  });

  test('all problems are reported together, naming the construct path', () => {
    expect(build({ port: 70000, cacheNodeType: 'r7g.large', replicationGroupId: 'a--' }))
      .toThrow(/^Errors\/Bad\d+: 3 invalid settings\n {2}- cacheNodeType: .*\n {2}- port: got 70000.*\n {2}- replicationGroupId: got "a--"/);
  });
});
