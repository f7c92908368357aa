/**
 * FailoverScaling, the standby/survivor schedules and the MemoryDB member, tested as behaviour: the alarm a
 * CloudWatch evaluation would raise, the step Auto Scaling would apply, the capacity that results.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { McpMultiRegionCache, MultiRegionClusterRole } from '../../../lib/aws/cache';
import { McpScheduledScaling } from '../../../lib/aws/scheduled-scaling';
import { FailoverScaling, ownScheduleTable } from '../../../lib/aws/topologies/failover-scaling';
import { isAwsRegion } from '../../../lib/core/cloud-limits';
import { ScalingSchedule } from '../../../lib/core/schedule';
import { alarmExpression, evaluateMetricMath, stepFor } from '../../support/failover-sim';
import { testApp } from '../../support/app';

const app = testApp();
const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
const group = (id: string) => new autoscaling.AutoScalingGroup(stack, id, {
  vpc, instanceType: new ec2.InstanceType('m7i.large'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), minCapacity: 3, maxCapacity: 12,
});
const serving = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Serving' });

// GIVEN a standby that runs the guide's schedule at 50 % of each window's minimum, raised by the table
const standby = group('Standby');
const schedule = ScalingSchedule.guidePreset('America/New_York');
const standbySchedule = new McpScheduledScaling(stack, 'StandbySchedule', {
  autoScalingGroup: standby, schedule, baseline: 6, floor: 3, minCapacityPercent: 50,
});
const table = ownScheduleTable(standby, standbySchedule, { min: 3, max: 12 }, (scheduleMin) => scheduleMin);
const up = new FailoverScaling(stack, 'Up', {
  autoScalingGroup: standby, servingSignal: serving, signalDescription: 'the primary', ...table, evaluationPeriods: 2, description: 'test',
});
// GIVEN a survivor of two regions whose schedule carries the headroom (200 % of each max)
const survivor = group('Survivor');
const survivorSchedule = new McpScheduledScaling(stack, 'SurvivorSchedule', {
  autoScalingGroup: survivor, schedule, baseline: 6, floor: 3, maxCapacityPercent: 200,
});
const t = Template.fromStack(stack);
const resources = t.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const logical = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);

describe('FailoverScaling', () => {
  test('the defect it replaces is caught by the simulation: a LessThanThreshold alarm with a step at lowerBound 0 never scales', () => {
    // What active-passive rendered before (HealthyHostCount < 1, step MetricIntervalLowerBound 0).
    const oldAlarm = { Properties: { ComparisonOperator: 'LessThanThreshold', Threshold: 1 } };
    const oldPolicy = { Properties: { StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 6 }] } };
    expect(stepFor(oldAlarm, oldPolicy, 0)).toBeUndefined(); // "No step adjustment found"
  });

  test('in every window of the schedule, the primary not serving sets the standby to that window\'s full minimum', () => {
    const alarm = resources[logical(up.alarm)];
    const policy = resources[logical(up.action)];
    expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, TreatMissingData: 'notBreaching' });
    const full = schedule.capacityFor(6, 3);
    standbySchedule.capacities.forEach((w, i) => {
      // The standby's own schedule renders half the window minimum (at least the floor) and the full maximum.
      expect(w.minCapacity).toBe(Math.max(3, Math.ceil(full[i].minCapacity / 2)));
      expect(w.maxCapacity).toBe(full[i].maxCapacity);
      const value = evaluateMetricMath(alarmExpression(alarm), { serving: 0, desired: w.minCapacity, mn: w.minCapacity, mx: w.maxCapacity });
      expect(stepFor(alarm, policy, value)).toBe(full[i].minCapacity > w.minCapacity ? full[i].minCapacity : undefined);
      // Already at (or above) the target: nothing to do; serving: nothing to do.
      expect(stepFor(alarm, policy, evaluateMetricMath(alarmExpression(alarm), { serving: 0, desired: 99, mn: w.minCapacity, mx: w.maxCapacity }))).toBeUndefined();
      expect(stepFor(alarm, policy, evaluateMetricMath(alarmExpression(alarm), { serving: 1, desired: 0, mn: w.minCapacity, mx: w.maxCapacity }))).toBeUndefined();
    });
  });

  test('steps tile the breach side from 0 without gaps, one exact capacity per distinct target', () => {
    const steps = resources[logical(up.action)].Properties.StepAdjustments as { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }[];
    expect(steps[0].MetricIntervalLowerBound).toBe(0);
    expect(steps[steps.length - 1].MetricIntervalUpperBound).toBeUndefined();
    for (let i = 1; i < steps.length; i++) expect(steps[i].MetricIntervalLowerBound).toBe(steps[i - 1].MetricIntervalUpperBound);
    expect(steps.map((s) => s.ScalingAdjustment)).toEqual(up.stepCapacities);
  });

  test('an unknown key (the group changed by hand) takes the largest capacity', () => {
    const alarm = resources[logical(up.alarm)];
    const policy = resources[logical(up.action)];
    const value = evaluateMetricMath(alarmExpression(alarm), { serving: 0, desired: 0, mn: 77, mx: 78 });
    expect(stepFor(alarm, policy, value)).toBe(Math.max(...up.stepCapacities));
  });

  test('survivor schedule: each window\'s cap leaves room for twice its minimum (two regions)', () => {
    const s = survivorSchedule;
    s.capacities.forEach((w, i) => {
      expect(w.minCapacity).toBe(s.scheduleCapacities[i].minCapacity);
      expect(w.maxCapacity).toBe(Math.max(w.minCapacity, Math.ceil(s.scheduleCapacities[i].maxCapacity * 2)));
      expect(w.maxCapacity).toBeGreaterThanOrEqual(2 * w.minCapacity);
    });
  });

  test('weekly floor instance-hours follow the rendered minimums: the schedule\'s own figure at 100 %, less at the standby share', () => {
    expect(survivorSchedule.weeklyFloorInstanceHours()).toBe(schedule.weeklyInstanceHours(6, 3).floorInstanceHours);
    expect(standbySchedule.weeklyFloorInstanceHours()).toBeLessThan(schedule.weeklyInstanceHours(6, 3).floorInstanceHours);
    expect(standbySchedule.weeklyFloorInstanceHours()).toBeGreaterThanOrEqual(168 * 3); // never below the floor
  });

  test('bad input: no target, too many distinct capacities for one policy', () => {
    expect(() => new FailoverScaling(stack, 'Empty', {
      autoScalingGroup: standby, servingSignal: serving, signalDescription: 'x', keyMetrics: {}, keyExpression: 'mn', targets: [], evaluationPeriods: 1, description: 'x',
    })).toThrow(/S\/Empty: 1 invalid setting\n {2}- targets: got \[\]; allowed: at least one target, each a positive whole number of instances/);
    expect(() => new FailoverScaling(stack, 'Many', {
      autoScalingGroup: standby, servingSignal: serving, signalDescription: 'x', keyMetrics: {}, keyExpression: 'mn',
      targets: Array.from({ length: 21 }, (_, i) => ({ window: `w${i}`, key: i, capacity: i + 1 })), evaluationPeriods: 1, description: 'x',
    })).toThrow(/targets: got "21 distinct capacities"; allowed: at most 20: one step adjustment per capacity \(https:\/\/docs\.aws\.amazon\.com\/autoscaling\/ec2\/userguide\/ec2-auto-scaling-quotas\.html\)/);
  });
});

describe('region names', () => {
  test('documented names pass, typos do not', () => {
    expect(['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1'].every(isAwsRegion)).toBe(true);
    expect(['eu-westt-1', 'us-east-7', 'Europe', ''].some(isAwsRegion)).toBe(false);
  });
});

describe('McpMultiRegionCache (MemoryDB Multi-Region member)', () => {
  const memApp = testApp();
  const first = new Stack(memApp, 'First', { env: { account: '111111111111', region: 'us-east-1' } });
  const firstVpc = new ec2.Vpc(first, 'Vpc', { maxAzs: 3 });
  const cache = new McpMultiRegionCache(first, 'Cache', { vpc: firstVpc, role: MultiRegionClusterRole.CREATE, multiRegionClusterNameSuffix: 'mcp', name: 'mcp' });
  const mt = Template.fromStack(first);

  test('TLS, the multi-Region cluster, a password user in its own ACL, retained', () => {
    mt.hasResourceProperties('AWS::MemoryDB::MultiRegionCluster', { Engine: 'valkey', EngineVersion: '7.3', NodeType: 'db.r7g.xlarge', TLSEnabled: true });
    const cluster = Object.values(mt.findResources('AWS::MemoryDB::Cluster'))[0];
    expect(cluster.Properties).toMatchObject({ TLSEnabled: true, ACLName: 'mcp-acl', NodeType: 'db.r7g.xlarge' });
    expect(cluster.DeletionPolicy).toBe('Retain');
    const user = Object.values(mt.findResources('AWS::MemoryDB::User'))[0].Properties;
    expect(JSON.stringify(user.AuthenticationMode)).toContain('resolve:secretsmanager');
    expect(cache.userName).toBe('mcp-app');
  });

  test('refuses what MemoryDB Multi-Region does not run: node type, engine version, region', () => {
    const bad = new Stack(memApp, 'Bad', { env: { account: '111111111111', region: 'sa-east-1' } });
    const badVpc = new ec2.Vpc(bad, 'Vpc', { maxAzs: 3 });
    expect(() => new McpMultiRegionCache(bad, 'Cache', {
      vpc: badVpc, role: MultiRegionClusterRole.JOIN, multiRegionClusterName: 'abcde-mcp', name: 'mcp', nodeType: 'db.r6g.large', engineVersion: '7.1',
    })).toThrow(/Bad\/Cache: 3 invalid settings\n {2}- nodeType: got "db\.r6g\.large"; allowed: an R7g node of size xlarge or above.*\n {2}- engineVersion: got "7\.1"; allowed: Valkey 7\.3 or later.*\n {2}- region: got "sa-east-1"; allowed: one of us-east-1/);
  });
});
