/**
 * Assertions for the mutants of the AWS failover wiring that survived (or were not
 * covered by) the mutation run of stryker.aws.config.json; docs/TESTING.md lists
 * each with its resolution. Read through the semantic library, as behaviour.
 */
import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { FailoverScaling } from '../../lib/aws/topologies/failover-scaling';
import { testApp } from '../support/app';
import { CfnModel, stepScalingCoverage } from '../support/semantic';

const app = testApp();
const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
const group = new autoscaling.AutoScalingGroup(stack, 'Group', {
  vpc, instanceType: new ec2.InstanceType('m7i.large'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), minCapacity: 2, maxCapacity: 12,
});
// GIVEN a table where one key is read in two windows with different capacities (the group's minimum 4 in both)
const scaling = new FailoverScaling(stack, 'Up', {
  autoScalingGroup: group, servingSignal: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Serving' }), signalDescription: 'the primary',
  keyMetrics: { mn: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Min' }) }, keyExpression: 'mn',
  targets: [{ window: 'weekend', key: 4, capacity: 6 }, { window: 'business', key: 4, capacity: 9 }, { window: 'night', key: 3, capacity: 10 }],
  evaluationPeriods: 2, description: 'test',
});
const model = new CfnModel('S', app.synth().getStackArtifact(stack.artifactId).template, 'us-east-1');

describe('FailoverScaling: a key read in several windows', () => {
  test('takes the largest capacity of those windows (a standby raised too little is a failover that does not hold)', () => {
    // Keys ascending; capacities ascending (here in the other order than their keys), one step each.
    expect(scaling.targets.map((t) => [t.key, t.capacity])).toEqual([[3, 10], [4, 9]]);
    expect(scaling.expression).toContain('IF((mn) == 4, 9,');
    expect(scaling.expression).not.toContain(', 6,');
    expect(scaling.stepCapacities).toEqual([9, 10]);
  });

  test('and its alarm still has a step for every value of its breach side', () => {
    const { checked, violations } = stepScalingCoverage(model);
    expect(checked).toHaveLength(1);
    expect(violations).toEqual([]);
  });
});

describe('FailoverScaling refuses a table it cannot render', () => {
  const build = (id: string, capacities: number[]) => () => new FailoverScaling(stack, id, {
    autoScalingGroup: group, servingSignal: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Serving' }), signalDescription: 'the primary',
    keyMetrics: { mn: new cloudwatch.Metric({ namespace: 'Test', metricName: 'Min' }) }, keyExpression: 'mn',
    targets: capacities.map((capacity, i) => ({ window: `w${i}`, key: i + 1, capacity })), evaluationPeriods: 2, description: 'test',
  });
  test.each([['no target', []], ['a zero capacity', [3, 0]], ['a fractional capacity', [2.5, 4]]] as const)('%s', (_name, capacities) => {
    expect(build(`Bad${capacities.join('-') || 'Empty'}`.replace('.', '_'), [...capacities])).toThrow(
      /targets: got \[[0-9., ]*\]; allowed: at least one target, each a positive whole number of instances/);
  });
});
