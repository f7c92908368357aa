/**
 * Every AWS building block in one stack (us-west-2, where Global Accelerator
 * lives), plus the us-east-1 stack Route 53 health-check alarms need: synthesized
 * with the repo's feature flags (CloudFormation validation findings fail synth)
 * and cdk-nag AwsSolutions registered the v3 way.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AcceleratorMode, DnsFailoverRole, DnsRoutingPolicy, McpAccelerator, McpCache, McpCachePromotion, McpDnsFailover, McpFleet, McpLoadBalancer,
  McpMonitoring, McpProbe, McpScheduledScaling, Route53HealthCheckAlarms, VaultIssuedCertificate,
} from '../../lib/aws';
import { AvailabilityTier, McpServerSource, ScalingSchedule } from '../../lib/core';
import { synthAndReport } from '../support/compliance';
import { testApp } from '../support/app';

const app = testApp();
const env = { account: '111111111111', region: 'us-west-2' };
const stack = new Stack(app, 'AllBlocks', { env });
const tier = AvailabilityTier.MISSION_CRITICAL;

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, flowLogs: { All: {} } });
const zone = new route53.PublicHostedZone(stack, 'Zone', { zoneName: 'example.com' });
const vault = new VaultIssuedCertificate(stack, 'Certificate', {
  vpc, vaultAddress: 'https://vault.example.com', role: 'mcp', commonName: 'mcp.example.com',
});
const importedCert = acm.Certificate.fromCertificateArn(stack, 'Imported',
  'arn:aws:acm:us-west-2:111111111111:certificate/11111111-2222-3333-4444-555555555555');
const server = McpServerSource.container('public.ecr.aws/acme/context:1.4', { port: 8080 });
const lb = new McpLoadBalancer(stack, 'LoadBalancer', { vpc, tier, certificate: vault.certificate, server, waf: {} });
const standbyLb = new McpLoadBalancer(stack, 'StandbyLoadBalancer', { vpc, tier, certificate: importedCert, server });
const fleet = new McpFleet(stack, 'Fleet', { vpc, tier, server, capacity: { baseline: 6 }, loadBalancer: lb });
new McpFleet(stack, 'StandbyFleet', { vpc, tier, server, capacity: { baseline: 3 }, loadBalancer: standbyLb });
const cache = new McpCache(stack, 'Cache', { vpc, tier });
cache.grantConnect(fleet.autoScalingGroup);
new McpScheduledScaling(stack, 'Schedule', {
  autoScalingGroup: fleet.autoScalingGroup, tier, baseline: 6,
  schedule: ScalingSchedule.guidePreset('America/New_York', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] }),
});
const probe = new McpProbe(stack, 'Probe', { url: 'https://mcp.example.com/mcp' });
new McpDnsFailover(stack, 'Dns', {
  hostedZone: zone, recordName: 'mcp', tier, routingPolicy: DnsRoutingPolicy.FAILOVER, mcpProbeAlarm: probe.alarm,
  endpoints: {
    primary: { loadBalancer: lb.loadBalancer, role: DnsFailoverRole.PRIMARY },
    standby: { loadBalancer: standbyLb.loadBalancer, role: DnsFailoverRole.SECONDARY },
  },
});
new McpAccelerator(stack, 'Accelerator', {
  mode: AcceleratorMode.ACTIVE_PASSIVE,
  endpointGroups: {
    primary: { region: 'us-west-2', loadBalancer: lb.loadBalancer },
    standby: { region: 'eu-west-1', loadBalancer: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/standby/0123456789abcdef' },
  },
});
new McpMonitoring(stack, 'Monitoring', {
  tier, loadBalancer: lb.loadBalancer, targetGroup: lb.targetGroup, autoScalingGroup: fleet.autoScalingGroup,
  cache: { replicationGroupId: cache.replicationGroupId }, probe,
});
new McpCachePromotion(stack, 'CachePromotion', {
  globalReplicationGroupId: 'ldgnf-mcp', primaryRegion: 'us-east-1', primarySuccessMetric: probe.successMetric,
  primaryHealthUrl: 'https://us-east-1.mcp.example.com/health/ready',
  candidates: { 'us-west-2': { replicationGroupId: cache.replicationGroupId, healthUrl: 'https://us-west-2.mcp.example.com/health/ready' } },
});
const alarmsStack = new Stack(app, 'HealthCheckAlarms', { env: { account: '111111111111', region: 'us-east-1' } });
// Health checks of another region's stack travel by id (no cross-region references).
new Route53HealthCheckAlarms(alarmsStack, 'Alarms', {
  healthChecks: { primary: route53.HealthCheck.fromHealthCheckId(alarmsStack, 'Primary', '11111111-2222-3333-4444-555555555555') },
});
Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'not reached: flow logs are on' });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const result = synthAndReport(app);

describe('a stack with every AWS building block', () => {
  test('synthesizes with no CloudFormation validation finding and no unacknowledged AwsSolutions finding', () => {
    expect(result.synthError).toBeUndefined();
    expect(result.findings.map((f) => `${f.plugin} ${f.rule}: ${f.paths.join(', ')}`)).toEqual([]);
  });

  test('every acknowledgment carries a written reason', () => {
    expect(result.acknowledged.length).toBeGreaterThan(0);
    for (const a of result.acknowledged) expect(a.reason.length).toBeGreaterThan(20);
    console.log(`AwsSolutions acknowledgments in the all-blocks app: ${result.acknowledged.length}`);
  });
});

describe('the compliance harness itself', () => {
  // Controls: the checks above could pass vacuously if the harness saw nothing.
  test('reports a cdk-nag finding and a CloudFormation validation finding when there is one', () => {
    const bad = testApp();
    const s = new Stack(bad, 'Bad', { env });
    const bucket = new s3.CfnBucket(s, 'Bucket');
    bucket.addPropertyOverride('VersioningConfiguration', { Status: 'Sometimes' });
    Validations.of(bad).addPlugins(new AwsSolutionsChecks(bad));
    const r = synthAndReport(bad);
    expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S10']));
    expect(r.synthError).toMatch(/Sometimes|VersioningConfiguration/);
    expect(r.findings.filter((f) => f.plugin !== 'AwsSolutions').map((f) => f.description).join('\n')).toMatch(/Sometimes|Status/);
  });
});
