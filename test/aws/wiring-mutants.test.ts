/**
 * The AWS failover wiring as behaviour, for the mutants of stryker.aws.config.json that survived the
 * semantic suite (docs/TESTING.md lists each with its resolution). Built from the building blocks
 * (McpDeployment, the caches, FailoverScaling, McpCachePromotion), not from a topology class, so the
 * tests hold while the topologies are restructured.
 *
 * - what a server does with the cache environment its deployment renders: the reference server's own
 *   `readConfig` reads the rendered user data (cluster client or not, the ACL user it AUTHs as);
 * - FailoverScaling's scale-back (`restore`) evaluated the way CloudWatch evaluates its metric math, and
 *   what its alarm tells the operator;
 * - the metric-math length limit at its boundary;
 * - the promotion trigger's description: every figure it prints is the one the alarm renders.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { readConfig } from '../../examples/mcp-server/src/config';
import { McpCache, McpMultiRegionCache, MultiRegionClusterRole } from '../../lib/aws/cache';
import { McpCachePromotion } from '../../lib/aws/cache-promotion';
import { DeploymentCache, McpDeployment } from '../../lib/aws/topologies/deployment';
import { FailoverScaling } from '../../lib/aws/topologies/failover-scaling';
import { AvailabilityTier, McpServerSource } from '../../lib/core';
import { TEST_ACCOUNT, testApp } from '../support/app';
import { alarmExpression, evaluateMetricMath, stepFor } from '../support/failover-sim';
import { CfnModel, fleets } from '../support/semantic';

// GIVEN three deployments in one region, each on another kind of cache
const app = testApp();
const stack = new Stack(app, 'Wiring', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x');
const deploy = (id: string, cache: DeploymentCache) => new McpDeployment(stack, id, {
  tier: AvailabilityTier.BUSINESS_CRITICAL, vpc, cache, capacity: { baseline: 3 }, certificate,
  server: McpServerSource.container('public.ecr.aws/acme/mcp:1'),
});
const plainCache = new McpCache(stack, 'PlainCache', { vpc, tier: AvailabilityTier.BUSINESS_CRITICAL });
const clusterCache = new McpCache(stack, 'ClusterCache', { vpc, tier: AvailabilityTier.BUSINESS_CRITICAL, numNodeGroups: 2 });
const memoryDb = new McpMultiRegionCache(stack, 'MemoryDb', { vpc, role: MultiRegionClusterRole.CREATE, multiRegionClusterNameSuffix: 'mcp', name: 'mcp' });
const plain = deploy('Plain', plainCache);
const cluster = deploy('Cluster', clusterCache);
const member = deploy('Member', memoryDb);

// GIVEN a standby group raised by FailoverScaling and put back by its restore
const group = new autoscaling.AutoScalingGroup(stack, 'Standby', {
  vpc, instanceType: new ec2.InstanceType('m7i.large'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), minCapacity: 2, maxCapacity: 12,
});
const serving = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Serving', period: Duration.minutes(1) });
const up = new FailoverScaling(stack, 'Up', {
  autoScalingGroup: group, servingSignal: serving, signalDescription: 'the primary',
  keyMetrics: { mn: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Min' }) }, keyExpression: 'mn',
  targets: [{ window: 'night', key: 2, capacity: 4 }, { window: 'day', key: 3, capacity: 6 }],
  evaluationPeriods: 2, description: 'raises the standby to the primary\'s capacity',
});
const back = FailoverScaling.restore(stack, 'Back', {
  autoScalingGroup: group, servingSignal: serving, signalDescription: 'the primary', minimums: [2, 3, 2], periods: 15,
});

// GIVEN the Global Datastore promotion in a secondary region, triggered after 7 minutes at 2-minute periods
const secondary = new Stack(app, 'Secondary', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
const promotion = new McpCachePromotion(secondary, 'Promotion', {
  globalReplicationGroupId: 'ldgnf-mcp-global', primaryRegion: 'us-east-1',
  primaryHealthUrl: 'https://mcp-us-east-1.example.com/health/ready',
  candidates: { 'eu-west-1': { replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.mcp.example.com/health/ready' } },
  primarySuccessMetric: new cloudwatch.Metric({ namespace: 'McpHa/Probe', metricName: 'Success', statistic: 'Minimum', period: Duration.minutes(2) }),
  extendedOutageSeconds: 7 * 60,
});

const assembly = app.synth();
const model = new CfnModel('Wiring', assembly.getStackArtifact(stack.artifactId).template, 'us-east-1');
const secondaryModel = new CfnModel('Secondary', assembly.getStackArtifact(secondary.artifactId).template, 'eu-west-1');
const logical = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
const resource = (c: { node: { defaultChild?: unknown } }) => model.resource(logical(c))!;

/** The boot script of a deployment's servers, references rendered as `${LogicalId}`. */
function userData(d: McpDeployment): string {
  const cfn = d.fleet.node.findAll().find((c): c is ec2.CfnLaunchTemplate => c instanceof ec2.CfnLaunchTemplate)!;
  return String(model.render((model.resource(stack.getLogicalId(cfn))!.Properties!.LaunchTemplateData as { UserData: unknown }).UserData));
}

/** The secret (logical id) whose value the boot script reads into REDIS_AUTH_TOKEN and hands to the server container. */
function tokenSecret(d: McpDeployment): string | undefined {
  const script = userData(d);
  if (!/docker run [^\n]* -e REDIS_AUTH_TOKEN(?=\s)/.test(script) || !/^export REDIS_AUTH_TOKEN$/m.test(script)) return undefined;
  return script.match(/^REDIS_AUTH_TOKEN="\$\(aws secretsmanager get-secret-value [^\n]*--secret-id '\$\{(\w+)\}'/m)?.[1];
}

/** The environment the servers of a deployment boot with, as the reference server reads it. */
function serverConfig(d: McpDeployment) {
  const cfn = d.fleet.node.findAll().find((c): c is ec2.CfnLaunchTemplate => c instanceof ec2.CfnLaunchTemplate);
  const launchTemplate = stack.getLogicalId(cfn!);
  const env = fleets(model).find((f) => f.id === launchTemplate)?.env;
  if (!env) throw new Error(`no launch template ${launchTemplate}`);
  return { env, config: readConfig(env) };
}

describe('the cache environment, as the server reads it', () => {
  test('a cluster-mode ElastiCache: the server runs a cluster client against the configuration endpoint', () => {
    const { env, config } = serverConfig(cluster);
    // A plain client on a sharded cache meets MOVED on every other shard: writes fail (test/examples/store-cluster.test.ts).
    expect(config.redisCluster).toBe(true);
    expect(env.REDIS_URL).toBe(`rediss://\${${stack.getLogicalId(clusterCache.replicationGroup)}.ConfigurationEndPoint.Address}:${clusterCache.endpointPort}`);
    expect(config.redisUsername).toBeUndefined();
  });

  test('a MemoryDB member: a cluster client that AUTHs as the ACL user the cluster grants, with that user\'s password', () => {
    const { env, config } = serverConfig(member);
    expect(config.redisCluster).toBe(true);
    // The ACL the cluster uses lists exactly this user: AUTH as anyone else (the default user) is refused.
    const acl = model.resources('AWS::MemoryDB::ACL')[0][1].Properties as { UserNames: unknown[] };
    const users = acl.UserNames.map((u) => model.render(u));
    expect(users).toContain(config.redisUsername);
    expect(config.redisUsername).toBe(memoryDb.userName);
    const user = model.resources('AWS::MemoryDB::User').map(([, r]) => r.Properties as { UserName: unknown; AuthenticationMode: unknown })
      .find((u) => model.render(u.UserName) === config.redisUsername);
    expect(user).toBeDefined();
    // The password the server sends is the secret the user's password resolves from.
    const password = JSON.stringify(user!.AuthenticationMode).match(/resolve:secretsmanager:","?\{"Ref":"(\w+)"\}/)?.[1];
    expect(password).toBe(stack.getLogicalId(memoryDb.authSecret.node.defaultChild as never));
    expect(tokenSecret(member)).toBe(password);
    expect(readConfig({ ...env, REDIS_AUTH_TOKEN: 'the-password' }).redisPassword).toBe('the-password');
  });

  test('a single-shard ElastiCache with AUTH: a plain client and no user (the token authenticates the default user)', () => {
    const { env, config } = serverConfig(plain);
    expect(config.redisCluster).toBe(false);
    expect(config.redisUsername).toBeUndefined();
    expect(env.REDIS_URL).toMatch(new RegExp(`^rediss://\\$\\{${stack.getLogicalId(plainCache.replicationGroup)}\\.PrimaryEndPoint\\.Address\\}:`));
    // The token is the replication group's AUTH token secret, read at boot and handed to the container.
    expect(tokenSecret(plain)).toBe(stack.getLogicalId(plainCache.authSecret.node.defaultChild as never));
    expect(config.redisPassword).toBeUndefined(); // not in the template: only the boot script's read fills it
  });
});

describe('FailoverScaling.restore: the standby goes back to its own minimum once the primary serves again', () => {
  const alarm = resource(back.alarm);
  const policy = resource(back.action);
  const value = (v: { serving: number; desired: number; mn: number }) => evaluateMetricMath(alarmExpression(alarm), v);

  test('primary serving, standby above its minimum: set to exactly that minimum, in every window', () => {
    for (const mn of [2, 3]) {
      expect(stepFor(alarm, policy, value({ serving: 1, desired: 12, mn }))).toBe(mn);
      expect(stepFor(alarm, policy, value({ serving: 1, desired: mn + 1, mn }))).toBe(mn);
    }
  });

  test('primary still down, or the standby already at its minimum: nothing happens', () => {
    expect(value({ serving: 0, desired: 12, mn: 2 })).toBe(0);
    expect(stepFor(alarm, policy, value({ serving: 0, desired: 12, mn: 2 }))).toBeUndefined();
    expect(stepFor(alarm, policy, value({ serving: 1, desired: 3, mn: 3 }))).toBeUndefined();
    expect(stepFor(alarm, policy, value({ serving: 1, desired: 2, mn: 3 }))).toBeUndefined();
  });

  test('it waits the given minutes of serving, and a gap in the data scales nothing', () => {
    expect(alarm.Properties).toMatchObject({ EvaluationPeriods: 15, DatapointsToAlarm: 15, TreatMissingData: 'notBreaching' });
    expect(back.targets.map((t) => [t.key, t.capacity])).toEqual([[2, 2], [3, 3]]);
  });

  test('the raise, by contrast, acts only while the primary does not serve', () => {
    const raise = resource(up.alarm);
    const raisePolicy = resource(up.action);
    const v = (x: { serving: number; desired: number; mn: number }) => evaluateMetricMath(alarmExpression(raise), x);
    expect(stepFor(raise, raisePolicy, v({ serving: 0, desired: 2, mn: 3 }))).toBe(6);
    expect(stepFor(raise, raisePolicy, v({ serving: 1, desired: 2, mn: 3 }))).toBeUndefined();
  });
});

describe('every name the metric math reads is bound to the metric it stands for', () => {
  type Query = { Id: string; Expression?: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] } } };
  const bindings = (c: FailoverScaling) => {
    const metrics = resource(c.alarm).Properties!.Metrics as Query[];
    const ids = new Set((alarmExpression(resource(c.alarm)).match(/[a-z][a-zA-Z0-9_]*/g) ?? []));
    return { ids: [...ids].sort(), byId: Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat!.Metric])) };
  };

  test.each([['raise', () => up], ['restore', () => back]] as const)('%s: serving, desired and the key each read their own metric (CloudWatch refuses unknown ids)', (_name, of) => {
    const { ids, byId } = bindings(of());
    expect(ids).toEqual(['desired', 'mn', 'serving']);
    for (const id of ids) expect(byId[id]).toBeDefined();
    expect(byId.serving).toMatchObject({ Namespace: 'Test', MetricName: 'Serving' });
    expect(byId.desired).toMatchObject({ Namespace: 'AWS/AutoScaling', MetricName: 'GroupDesiredCapacity',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: { Ref: stack.getLogicalId(group.node.defaultChild as never) } }] });
  });
});

describe('what the failover alarms tell the operator', () => {
  const metricLabel = (a: ReturnType<typeof resource>) => (a.Properties!.Metrics as { Label?: string; ReturnData?: boolean }[])
    .find((m) => m.ReturnData !== false)?.Label;

  test('each alarm names the construct it belongs to and what it does', () => {
    expect(resource(up.alarm).Properties!.AlarmDescription).toBe(`${up.node.path}: raises the standby to the primary's capacity`);
    expect(resource(back.alarm).Properties!.AlarmDescription).toBe(
      `${back.node.path}: the primary serves again for 15 minute(s): the standby goes back to its own scheduled minimum`);
  });

  test('the graphed value says what it is and that 0 means nothing to do (raise and restore differ)', () => {
    expect(metricLabel(resource(up.alarm))).toBe('failover target capacity (0: nothing to do)');
    expect(metricLabel(resource(back.alarm))).toBe('restore capacity (0: nothing to do)');
  });
});

describe('the metric-math length limit (1024 characters) at its boundary', () => {
  // The target table appears twice in the expression, so its length moves in steps of 2 and a raise
  // (`serving < 1 AND desired < t`) always has an odd length: 1024 is reached with a restore
  // (`serving >= 1 AND desired > t`), whose identity table over 20 minimums is sized by their digits:
  // 40 + 32 x 20 + 4 x (digits of all but the largest) + 6 x (digits of the largest) characters.
  const restore = (id: string, minimums: number[]) => FailoverScaling.restore(stack, id, {
    autoScalingGroup: group, servingSignal: serving, signalDescription: 'x', minimums, periods: 1,
  });
  const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

  test('exactly 1024 is accepted, 1028 refused with the count and the way out', () => {
    // 18 x 4 digits + 1 x 5 digits = 77 below the largest (6 digits): 40 + 640 + 4 x 77 + 6 x 6 = 1024.
    expect(restore('At1024', [...range(1001, 18), 10001, 100000]).expression).toHaveLength(1024);
    // One more digit below the largest: 1028.
    expect(() => restore('Over1024', [...range(1001, 17), 10001, 10002, 100000])).toThrow(
      /Wiring\/Over1024: 1 invalid setting\n {2}- targets: got "1028 characters of metric math"; allowed: at most 1024 characters \(CloudWatch metric math\): fewer distinct schedule windows/);
  });
});

describe('FailoverScaling refuses evaluation periods CloudWatch does not take, by name', () => {
  test.each([0, 61, 1.5])('%p', (evaluationPeriods) => {
    expect(() => new FailoverScaling(stack, `Periods${String(evaluationPeriods).replace('.', '_')}`, {
      autoScalingGroup: group, servingSignal: serving, signalDescription: 'x', keyMetrics: { mn: serving }, keyExpression: 'mn',
      targets: [{ window: 'w', key: 1, capacity: 2 }], evaluationPeriods, description: 'x',
    })).toThrow(new RegExp(`evaluationPeriods: got ${evaluationPeriods}; allowed: an integer from 1 to 60`));
  });
});

describe('the promotion trigger\'s description prints the figures the alarm renders', () => {
  const trigger = secondaryModel.resource(secondary.getLogicalId((promotion.trigger as cloudwatch.Alarm).node.defaultChild as never))!.Properties!;

  test('periods x period seconds = the outage it waits for (7 min at 2-minute periods: 4 x 120 s)', () => {
    expect(trigger).toMatchObject({ EvaluationPeriods: 4, DatapointsToAlarm: 4, Period: 120, TreatMissingData: 'notBreaching', ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
    expect(promotion.triggerSeconds).toBe(480);
    expect(trigger.AlarmDescription).toBe(`us-east-1 has failed its health check for ${trigger.EvaluationPeriods} period(s) of ${trigger.Period} s (extended outage): `
      + 'promotes a secondary of Global Datastore ldgnf-mcp-global. Missing data is not breaching: a watcher that did not run promotes nothing.');
  });
});
