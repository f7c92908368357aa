/**
 * Changing capacity, schedule or thresholds must not replace state: the cache,
 * its Global Datastore, its secret, log buckets, log groups and keys keep their
 * logical ids and every property whose change would replace them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ActiveActiveMcpService } from '../../../lib/aws/topologies/active-active';
import { ActivePassiveMcpService } from '../../../lib/aws/topologies/active-passive';
import { McpCertificate, McpServiceProps } from '../../../lib/aws/topologies/common';
import { MultiRegionMcpService, MultiRegionMcpStage } from '../../../lib/aws/topologies/multi-region';
import { AvailabilityTier, McpAuthorization, McpServerSource, ScalingSchedule } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

/** Stateful resource types and the properties whose change replaces them (CloudFormation "Update requires: Replacement"). */
const STATEFUL: Record<string, string[]> = {
  'AWS::ElastiCache::ReplicationGroup': [
    'ReplicationGroupId', 'Engine', 'CacheSubnetGroupName', 'AtRestEncryptionEnabled', 'KmsKeyId', 'Port', 'GlobalReplicationGroupId',
    'NumNodeGroups', 'SnapshotArns', 'SnapshotName', 'PreferredCacheClusterAZs',
  ],
  'AWS::ElastiCache::GlobalReplicationGroup': ['GlobalReplicationGroupIdSuffix'],
  'AWS::ElastiCache::SubnetGroup': ['CacheSubnetGroupName'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage'],
};

function stateOf(stacks: Stack[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const stack of stacks) {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    for (const [id, r] of Object.entries(resources)) {
      const props = STATEFUL[r.Type];
      if (!props) continue;
      out[`${stack.stackName}/${id}`] = Object.fromEntries(props.map((p) => [p, r.Properties?.[p]]));
    }
  }
  return out;
}

const base = (): McpServiceProps => ({
  tier: AvailabilityTier.MISSION_CRITICAL,
  server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
  capacity: { baseline: 6 },
  schedule: ScalingSchedule.guidePreset('America/New_York'),
  certificate: McpCertificate.dnsValidated(),
  domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' },
  authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
  // Mission-critical DNS active-passive with the CALCULATED record check fits 30 s only with a TTL of 4 s or less.
  overrides: { recordTtlSeconds: 4 },
});
/** Capacity, schedule and thresholds changed; nothing about state. */
const changed = (): McpServiceProps => ({
  ...base(),
  capacity: { baseline: 10, max: 30 },
  schedule: ScalingSchedule.guidePreset('Europe/Berlin', { holidays: [{ month: 5, day: 1 }] }),
  overrides: {
    alarms: { p95LatencyMs: 800, targetCpuPercent: 60, cpuPercent: 75 },
    healthCheck: { healthyThreshold: 3 },
    dnsHealthCheck: { failureThreshold: 1 },
    recordTtlSeconds: 4,
  },
});

const build = {
  'active-active': (p: McpServiceProps) => {
    const app = testApp();
    const stack = new Stack(app, 'AA', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    new ActiveActiveMcpService(stack, 'Mcp', p);
    return [stack];
  },
  'active-passive': (p: McpServiceProps) => {
    const app = testApp();
    const stack = new Stack(app, 'AP', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    new ActivePassiveMcpService(stack, 'Mcp', p);
    return [stack];
  },
  'multi-region': (p: McpServiceProps) => {
    const app: App = testApp();
    const svc = new MultiRegionMcpStage(app, 'MR', { ...p, regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT });
    return Object.values(svc.regionStacks);
  },
};

// The multi-region Stage with the base props, built once: the stateful-ids check and the migration check share it.
const multiRegionBase = new MultiRegionMcpStage(testApp(), 'MR', { ...base(), regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT });

describe.each(Object.keys(build) as (keyof typeof build)[])('%s', (topology) => {
  test('stateful logical ids and replacement-causing properties survive capacity, schedule and threshold changes', () => {
    const before = stateOf(topology === 'multi-region' ? Object.values(multiRegionBase.regionStacks) : build[topology](base()));
    const after = stateOf(build[topology](changed()));
    expect(Object.keys(before).some((k) => k.includes('Cache'))).toBe(true);
    expect(after).toEqual(before);
  });
});

describe('migration from the deprecated MultiRegionMcpService to MultiRegionMcpStage (CHANGELOG.md)', () => {
  // The Stage takes the service's id in the same scope: the same CloudFormation stacks, and no stateful resource
  // (cache, Global Datastore, secrets, buckets, log groups, keys) changes a logical id or a replacement-causing property.
  const app = testApp();
  const legacy = new MultiRegionMcpService(app, 'MR', { ...base(), regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT });
  const stage = multiRegionBase;

  test('the same stack names; the deprecated service still creates its stacks beside itself', () => {
    expect(Object.values(legacy.regionStacks).map((s) => s.stackName)).toEqual(['MR-us-east-1', 'MR-eu-west-1']);
    expect(Object.values(stage.regionStacks).map((s) => s.stackName)).toEqual(['MR-us-east-1', 'MR-eu-west-1']);
    expect(legacy.regionStacks['us-east-1'].node.scope).toBe(app);
    expect(Object.values(stage.regionStacks).every((s) => s.node.scope === stage)).toBe(true);
  });

  test('every stateful resource keeps its logical id and replacement-causing properties', () => {
    const before = stateOf(Object.values(legacy.regionStacks));
    expect(Object.keys(before).filter((k) => k.includes('Cache')).length).toBeGreaterThan(0);
    expect(stateOf(Object.values(stage.regionStacks))).toEqual(before);
  });

  test('the deprecated service says so where cdk synth prints it', () => {
    const warnings = app.synth().stacks.flatMap((st) => st.messages).filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings).toContainEqual(expect.stringMatching(/^MR: MultiRegionMcpService is deprecated; use MultiRegionMcpStage/));
  });
});

test('control: a change that does replace state (the cache port) is seen', () => {
  const before = stateOf(build['active-active'](base()));
  const after = stateOf(build['active-active']({ ...base(), cache: { port: 6390 } }));
  expect(after).not.toEqual(before);
});
