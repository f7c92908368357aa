import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { McpCache } from '../../../lib/aws/cache';
import { McpCacheEnv, McpDeployment } from '../../../lib/aws/topologies/deployment';
import { AvailabilityTier, McpServerSource } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

// GIVEN a deployment in three of the VPC's six zones, wired to a cache
const stack = new Stack(testApp(), 'D', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 6 });
const cache = new McpCache(stack, 'Cache', { vpc, tier: AvailabilityTier.BUSINESS_CRITICAL });
const deployment = new McpDeployment(stack, 'Primary', {
  tier: AvailabilityTier.BUSINESS_CRITICAL, vpc, cache, capacity: { baseline: 3 },
  server: McpServerSource.container('public.ecr.aws/acme/mcp:1'),
  certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/x'),
  availabilityZones: ['us-east-1d', 'us-east-1e', 'us-east-1f'],
});
const t = Template.fromStack(stack);

describe('McpDeployment', () => {
  test('load balancer and fleet stay in the given zones', () => {
    const zoneOf = (id: string) => vpc.publicSubnets.concat(vpc.privateSubnets).find((s) => stack.resolve(s.subnetId).Ref === id)?.availabilityZone;
    const lbSubnets = stack.resolve(deployment.loadBalancer.loadBalancer.node.defaultChild &&
      (deployment.loadBalancer.loadBalancer.node.defaultChild as unknown as { subnets: string[] }).subnets) as { Ref: string }[];
    expect(lbSubnets.map((s) => zoneOf(s.Ref)).sort()).toEqual(['us-east-1d', 'us-east-1e', 'us-east-1f']);
    const asgSubnets = stack.resolve((deployment.fleet.autoScalingGroup.node.defaultChild as unknown as { vpcZoneIdentifier: string[] }).vpcZoneIdentifier) as { Ref: string }[];
    expect(asgSubnets.map((s) => zoneOf(s.Ref)).sort()).toEqual(['us-east-1d', 'us-east-1e', 'us-east-1f']);
  });

  test('the server gets the cache URL over TLS and its token from Secrets Manager, never in the template', () => {
    const userData = JSON.stringify(Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData.UserData);
    expect(userData).toContain(`-e ${McpCacheEnv.URL}='rediss://`);
    expect(userData).toContain(`${McpCacheEnv.AUTH_TOKEN}=\\"$(aws secretsmanager get-secret-value`);
    expect(userData).not.toContain(McpCacheEnv.CLUSTER);
  });

  test('the fleet may reach the cache port and read the token', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 6380, ToPort: 6380,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryFleet'), 'GroupId'] },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('PrimaryFleetInstanceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] })]) },
    });
  });
});
