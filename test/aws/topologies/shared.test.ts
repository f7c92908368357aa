import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { McpCertificate, McpServiceProps } from '../../../lib/aws/topologies/common';
import { resolveAccount } from '../../../lib/aws/topologies/regional';
import { createVpc, deploymentLogKey, publishAcross, publishedName, validateServiceProps, weeklyHours } from '../../../lib/aws/topologies/shared';
import { McpServerSource, ScalingSchedule, Validator } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

describe('topology helpers', () => {
  test('the default VPC: a NAT gateway per zone, no public IPs on launch, encrypted flow logs kept a year', () => {
    const stack = new Stack(testApp(), 'V', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
    const key = deploymentLogKey(stack, undefined);
    createVpc(stack, 3, key);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::NatGateway', 3);
    for (const s of Object.values(t.findResources('AWS::EC2::Subnet'))) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: stack.resolve((key as kms.Key).keyArn) });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:*` } },
      })]) },
    });
  });

  test('a log key the user passes is used as it is: no key is created', () => {
    const stack = new Stack(testApp(), 'V', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
    const own = kms.Key.fromKeyArn(stack, 'Own', `arn:aws:kms:eu-west-1:${TEST_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    expect(deploymentLogKey(stack, own)).toBe(own);
    createVpc(stack, 2, own);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: own.keyArn });
  });

  test('values cross regions through an SSM parameter of a deterministic name, read after the source deploys', () => {
    const app = testApp();
    const source = new Stack(app, 'Src', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    const target = new Stack(app, 'Dst', { env: { account: TEST_ACCOUNT, region: 'us-west-2' } });
    const scope = new Construct(source, 'Lb');
    const value = publishAcross(scope, target, 'arn', 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y');
    const again = publishAcross(scope, target, 'arn', 'ignored: published once');
    expect(again).toBe(value);
    expect(publishedName(scope, 'arn')).toBe('/mcp-ha/Src/Lb/arn');
    new ssm.StringParameter(target, 'Uses', { stringValue: value });
    const src = Template.fromStack(source);
    src.hasResourceProperties('AWS::SSM::Parameter', { Name: '/mcp-ha/Src/Lb/arn' });
    // The source copies it into the target's region (one writer); the target reads the copy, calling no other region.
    src.resourceCountIs('Custom::AWS', 1);
    const dst = Template.fromStack(target);
    dst.resourceCountIs('Custom::AWS', 0);
    expect(Object.values(dst.toJSON().Parameters).map((p) => (p as { Default: string }).Default)).toContain('/mcp-ha-replica/us-east-1/mcp-ha/Src/Lb/arn');
    expect(target.dependencies).toContain(source);
  });

  test('weekly instance-hours: the schedule floor, or min capacity around the clock', () => {
    expect(weeklyHours(undefined, 6, 3, 6, 12)).toEqual({ weeklyInstanceHours: 1008, flatPeakInstanceHours: 2016 });
    expect(weeklyHours(ScalingSchedule.guidePreset(), 6, 3, 6, 12)).toEqual({ weeklyInstanceHours: 1020, flatPeakInstanceHours: 2016 });
  });

  test('the account must be known for cross-region stacks', () => {
    const app = testApp();
    expect(resolveAccount(app, '123456789012')).toBe('123456789012');
    const saved = process.env.CDK_DEFAULT_ACCOUNT;
    delete process.env.CDK_DEFAULT_ACCOUNT;
    try {
      expect(resolveAccount(app, undefined)).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.CDK_DEFAULT_ACCOUNT = saved;
    }
  });

  test.each<[string, Partial<McpServiceProps>, RegExp]>([
    ['an upper-case zone', { domain: { zoneName: 'Example.COM', hostedZoneId: 'Z123', recordName: 'mcp' } },
      /domain\.zoneName: got "Example\.COM"; allowed: a lowercase domain name/],
    ['a record name with an underscore', { domain: { zoneName: 'example.com', hostedZoneId: 'Z123', recordName: 'm_cp' } },
      /domain\.recordName: got "m_cp"; allowed: lowercase DNS labels/],
    ['the MCP probe without a domain', { mcpProbe: true }, /mcpProbe: got true; allowed: a domain/],
    ['tierOverrides and its deprecated name overrides', { tierOverrides: { recordTtlSeconds: 4 }, overrides: { recordTtlSeconds: 5 } },
      /overrides: got \{"recordTtlSeconds":5\}; allowed: no value with tierOverrides \(overrides is its deprecated name\)/],
  ])('refuses %s', (_name, overrides, message) => {
    const v = new Validator();
    validateServiceProps(v, {
      server: McpServerSource.container('x:1'), capacity: { baseline: 2 }, certificate: McpCertificate.fromCertificateArns({}), ...overrides,
    }, { multiRegion: false });
    expect(() => v.throwIfInvalid()).toThrow(message);
  });
});
