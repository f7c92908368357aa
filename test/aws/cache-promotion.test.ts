import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks } from 'cdk-nag';
import { McpCachePromotion, McpCachePromotionProps } from '../../lib/aws/cache-promotion';
import { testApp } from '../support/app';

function build(overrides: Partial<McpCachePromotionProps> = {}, region = 'eu-west-1') {
  const app = testApp();
  const stack = new Stack(app, 'Secondary', { env: { account: '111111111111', region } });
  const trigger = new cloudwatch.Alarm(stack, 'PrimaryDown', {
    metric: new cloudwatch.Metric({ namespace: 'McpHa/Probe', metricName: 'Success' }), threshold: 1, evaluationPeriods: 5,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  });
  const promotion = new McpCachePromotion(stack, 'Promotion', {
    globalReplicationGroupId: 'ldgnf-mcp-global',
    primaryRegion: 'us-east-1',
    candidates: {
      'eu-west-1': { replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.mcp.example.com/health/ready' },
      'ap-southeast-2': { replicationGroupId: 'mcp-ap', healthUrl: 'https://ap.mcp.example.com/health/ready' },
    },
    trigger,
    ...overrides,
  });
  return { app, stack, promotion, template: Template.fromStack(stack) };
}

const { app, stack, template } = build();

describe('McpCachePromotion', () => {
  test('snapshot of the default configuration', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('runs when the trigger alarm enters ALARM', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryDown'), 'Arn'] }],
        detail: { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
  });

  test('may only describe and fail over this datastore and its members', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const ec = statements.filter((s: { Action: string | string[] }) => String(s.Action).startsWith('elasticache:'));
    expect(ec.map((s: { Action: string }) => s.Action)).toEqual(['elasticache:DescribeGlobalReplicationGroups', 'elasticache:FailoverGlobalReplicationGroup']);
    expect(JSON.stringify(ec)).toContain(':elasticache::111111111111:globalreplicationgroup:ldgnf-mcp-global');
    expect(JSON.stringify(ec)).toContain(':elasticache:ap-southeast-2:111111111111:replicationgroup:mcp-ap');
    expect(statements.every((s: { Action: string | string[] }) => ![s.Action].flat().some((a) => a.includes('*')))).toBe(true);
  });

  test('the function knows the datastore, the failed region and the candidates in order', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))
      .find((f) => f.Properties.Environment?.Variables?.GLOBAL_REPLICATION_GROUP_ID)!;
    const env = fn.Properties.Environment.Variables;
    expect(env.PRIMARY_REGION).toBe('us-east-1');
    expect(JSON.parse(env.CANDIDATES).map((c: { region: string }) => c.region)).toEqual(['eu-west-1', 'ap-southeast-2']);
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  test('a failed promotion raises its own alarm', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors', Namespace: 'AWS/Lambda', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: Match.stringLikeRegexp('promote a secondary by hand'),
    });
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const result = new AwsSolutionsChecks(app).validateScope(stack);
    expect(result.violations).toEqual([]);
  });

  test.each<[string, Partial<McpCachePromotionProps>, string, RegExp]>([
    ['a stack in the primary region', {}, 'us-east-1', /scope: got "us-east-1"; allowed: a stack in a secondary region/],
    ['no candidate', { candidates: {} }, 'eu-west-1', /candidates: got \[\]; allowed: at least one secondary region/],
    ['an http health URL', { candidates: { 'eu-west-1': { replicationGroupId: 'x', healthUrl: 'http://eu/health' } } }, 'eu-west-1',
      /candidates\.eu-west-1\.healthUrl: got "http:\/\/eu\/health"; allowed: an https:\/\/ URL/],
    ['the primary as a candidate', { candidates: { 'us-east-1': { replicationGroupId: 'x', healthUrl: 'https://a/b' } } }, 'eu-west-1',
      /candidates\.us-east-1: got "us-east-1"; allowed: secondary regions only/],
  ])('refuses %s', (_name, overrides, region, message) => {
    expect(() => build(overrides, region)).toThrow(message);
  });
});
