import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { McpCertificate, TrafficRouting } from '../../../lib/aws/topologies/common';
import { MultiRegionMcpService, MultiRegionMcpServiceProps } from '../../../lib/aws/topologies/multi-region';
import { AvailabilityTier, McpServerSource, ScalingSchedule } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const base: MultiRegionMcpServiceProps = {
  tier: AvailabilityTier.MISSION_CRITICAL,
  regions: REGIONS,
  account: TEST_ACCOUNT,
  server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
  capacity: { baseline: 6 },
  schedule: ScalingSchedule.guidePreset('UTC'),
  certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp' }),
  domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' },
  routing: TrafficRouting.accelerator(),
};

function build(overrides: Partial<MultiRegionMcpServiceProps> = {}) {
  const app = testApp();
  const svc = new MultiRegionMcpService(app, 'Mcp', { ...base, ...overrides });
  return { app, svc };
}

// GIVEN three regions behind Global Accelerator (built once for the file)
const { svc } = build();
const tpl = Object.fromEntries(REGIONS.map((r) => [r, Template.fromStack(svc.regionStacks[r])]));
const global = Template.fromStack(svc.globalStack!);

describe('MultiRegionMcpService', () => {
  test('one self-contained stack per region and a global stack in us-west-2, with no cross-stack export', () => {
    expect(Object.keys(svc.regionStacks)).toEqual(REGIONS);
    expect(svc.globalStack!.region).toBe('us-west-2');
    for (const t of [...Object.values(tpl), global]) {
      expect(JSON.stringify(t.toJSON())).not.toContain('Fn::ImportValue');
      expect(t.toJSON().Outputs ?? {}).toEqual({});
    }
  });

  test('deployment order: the primary region, then the others, then the global stack', () => {
    const primary = svc.regionStacks['us-east-1'];
    expect(primary.dependencies).toEqual([]);
    expect(svc.regionStacks['eu-west-1'].dependencies).toContain(primary);
    expect(svc.regionStacks['ap-southeast-2'].dependencies).toContain(primary);
    expect(svc.globalStack!.dependencies).toEqual(expect.arrayContaining(Object.values(svc.regionStacks)));
  });

  test('every region is active-active across 3 zones behind its own load balancer', () => {
    for (const t of Object.values(tpl)) {
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      const asg = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'))[0];
      expect(asg.Properties.VPCZoneIdentifier).toHaveLength(3);
    }
  });

  test('accelerator endpoint groups in every region at dial 100, ARNs read from each region\'s SSM parameter', () => {
    const groups = Object.values(global.findResources('AWS::GlobalAccelerator::EndpointGroup')).map((g) => g.Properties);
    expect(groups.map((g) => [g.EndpointGroupRegion, g.TrafficDialPercentage])).toEqual(REGIONS.map((r) => [r, 100]));
    for (const r of REGIONS) tpl[r].hasResourceProperties('AWS::SSM::Parameter', { Name: `/mcp-ha/Mcp-${r}/Service/Deployment/load-balancer-arn` });
    global.resourceCountIs('Custom::AWS', 3);
  });

  test('Global Datastore: the primary in the first region, every other region a secondary member', () => {
    tpl['us-east-1'].hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', { Members: [Match.objectLike({ Role: 'PRIMARY' })] });
    for (const r of ['eu-west-1', 'ap-southeast-2']) {
      tpl[r].resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
      tpl[r].hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { GlobalReplicationGroupId: Match.anyValue() });
    }
  });

  test('the second region promotes the healthiest secondary after the extended outage (5 failed minutes)', () => {
    const watcher = tpl['eu-west-1'];
    watcher.hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 5, DatapointsToAlarm: 5, TreatMissingData: 'breaching' });
    const fn = Object.values(watcher.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CANDIDATES);
    const candidates = fn!.Properties.Environment.Variables.CANDIDATES;
    expect(JSON.stringify(candidates)).toContain('https://mcp-eu-west-1.example.com/health/ready');
    expect(JSON.stringify(candidates)).toContain('https://mcp-ap-southeast-2.example.com/health/ready');
    tpl['ap-southeast-2'].resourceCountIs('AWS::Events::Rule', Object.keys(tpl['ap-southeast-2'].findResources('AWS::Events::Rule')).length);
    expect(Object.values(tpl['ap-southeast-2'].findResources('AWS::Lambda::Function'))
      .some((f) => f.Properties.Environment?.Variables?.CANDIDATES)).toBe(false);
  });

  test('each region has its own name, certificate names and MCP probe', () => {
    for (const r of REGIONS) {
      tpl[r].hasResourceProperties('AWS::Route53::RecordSet', { Name: `mcp-${r}.example.com.`, Type: 'CNAME' });
    }
    global.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'CNAME' });
  });

  test('budget: 22 s for serving traffic within 60 s; cache writes recover in 420 s, stated apart', () => {
    expect(svc.budget.describe()).toBe('22 s = lb-probe-detection 10 s + lb-probe-timeout 2 s + anycast-reroute 10 s (target 60 s)');
    expect(svc.budget.cacheRecovery!.terms.map((t) => [t.name, t.seconds])).toEqual([
      ['cache-promotion-trigger', 300], ['cache-alarm-evaluation', 60], ['cache-promotion', 60],
    ]);
  });

  test('DNS routing: latency records with health checks, one per regional stack', () => {
    const dns = build({ routing: TrafficRouting.dns() }).svc;
    expect(dns.globalStack).toBeUndefined();
    for (const r of REGIONS) {
      Template.fromStack(dns.regionStacks[r]).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'mcp.example.com.', Region: r, SetIdentifier: r, HealthCheckId: Match.anyValue(),
      });
    }
    expect(dns.budget.totalSeconds).toBe(26);
  });

  test('snapshots', () => {
    for (const r of REGIONS) expect(tpl[r].toJSON()).toMatchSnapshot(r);
    expect(global.toJSON()).toMatchSnapshot('global');
  });

  test.each<[string, Partial<MultiRegionMcpServiceProps>, RegExp]>([
    ['one region', { regions: ['us-east-1'] }, /regions: got \["us-east-1"\]; allowed: at least two regions/],
    ['a repeated region', { regions: ['us-east-1', 'us-east-1'] }, /regions: got \["us-east-1","us-east-1"\]; allowed: distinct regions/],
    ['no domain', { domain: undefined }, /domain: got undefined; allowed: a domain: each region gets its own name/],
    ['a region name that is not one', { regions: ['us-east-1', 'Europe'] }, /regions: got "Europe"; allowed: AWS region names/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('refuses a scope that is not an App or Stage', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    expect(() => new MultiRegionMcpService(stack, 'Mcp', base)).toThrow(/scope: got "S"; allowed: an App or Stage/);
  });
});
