/**
 * The like-for-like L3 case: the same VPC, imported certificate, load balancer,
 * fleet and cache as bench/hand-written.ts, built with this library's building
 * blocks (McpCache + McpDeployment = McpLoadBalancer + McpFleet) with exactly the
 * props ActiveActiveMcpService passes them in the active-active reference
 * (business-critical tier, baseline 6, default WAF, the reference server).
 * Same resources as the baseline, so the ratio is the library's own overhead.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { referenceServer } from '../examples/aws/reference';
import { McpCache, McpDeployment } from '../lib/aws';
import { AvailabilityTier } from '../lib/core';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/00000000-0000-4000-8000-000000000000`;

export function buildActiveActiveBlocks(app: App): void {
  const stack = new Stack(app, 'McpBlocks', {
    env: { account: ACCOUNT, region: REGION },
    description: 'Benchmark: ALB, fleet and cache of the active-active reference, library building blocks',
  });
  const scope = new Construct(stack, 'Mcp');
  const tier = AvailabilityTier.BUSINESS_CRITICAL;
  // The baseline's VPC, written out: createVpc (lib/aws/topologies/shared.ts) also encrypts the flow
  // logs with the deployment's log key, which the baseline does not have; both sides build the same VPC here.
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 3,
    natGateways: 3,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 22 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
    flowLogs: { All: { trafficType: ec2.FlowLogTrafficType.ALL } },
  });
  const certificate = acm.Certificate.fromCertificateArn(scope, 'Certificate', CERTIFICATE_ARN);
  const cache = new McpCache(scope, 'Cache', { vpc, tier, tierOverrides: undefined });
  new McpDeployment(scope, 'Deployment', {
    tier, tierOverrides: undefined, vpc, server: referenceServer(), capacity: { baseline: 6 },
    certificate, cache, instanceType: undefined, waf: {},
  });
}
