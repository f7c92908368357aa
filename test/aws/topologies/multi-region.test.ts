import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CacheEngine } from '../../../lib/aws/cache';
import { McpCertificate, TrafficRouting } from '../../../lib/aws/topologies/common';
import { MultiRegionMcpStage, MultiRegionMcpStageProps } from '../../../lib/aws/topologies/multi-region';
import { AvailabilityTier, McpAuthorization, McpServerSource, ScalingSchedule } from '../../../lib/core';
import { CacheWriteEnv, CacheWriteModel, RegionWriteMode } from '../../../lib/core/cache-write-model';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { TEST_ACCOUNT, testApp } from '../../support/app';
import { CfnModel, alarmActions, destructiveReason } from '../../support/semantic';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const base: MultiRegionMcpStageProps = {
  tier: AvailabilityTier.MISSION_CRITICAL,
  regions: REGIONS,
  account: TEST_ACCOUNT,
  server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
  capacity: { baseline: 6 },
  schedule: ScalingSchedule.guidePreset('UTC'),
  certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp' }),
  domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' },
  routing: TrafficRouting.accelerator(),
  authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
  // The single-writer option (Global Datastore + promotion) is what this file exercises; the default
  // (multi-writer MemoryDB) is tested at the end and in test/examples/reference-stacks.test.ts.
  cache: { writeModel: CacheWriteModel.SINGLE_WRITER },
};

function build(overrides: Partial<MultiRegionMcpStageProps> = {}) {
  const app = testApp();
  const svc = new MultiRegionMcpStage(app, 'Mcp', { ...base, ...overrides });
  return { app, svc };
}

// GIVEN three regions behind Global Accelerator (built once for the file)
const { svc } = build();
const tpl = Object.fromEntries(REGIONS.map((r) => [r, Template.fromStack(svc.regionStacks[r])]));
const global = Template.fromStack(svc.globalStack!);

describe('MultiRegionMcpStage', () => {
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
    for (const r of REGIONS) tpl[r].hasResourceProperties('AWS::SSM::Parameter', { Name: `/mcp-ha/Mcp/${r}/Service/Deployment/load-balancer-arn` });
    // Each region's stack copies its ARN into us-west-2; the global stack reads the copies as SSM-typed
    // stack parameters (re-read at every deployment, no call into another region).
    const ssmParams = Object.values(global.toJSON().Parameters as Record<string, { Type: string; Default: string }>)
      .filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>' && p.Default.startsWith('/mcp-ha-replica/')).map((p) => p.Default);
    expect(ssmParams.sort()).toEqual(REGIONS.map((r) => `/mcp-ha-replica/${r}/mcp-ha/Mcp/${r}/Service/Deployment/load-balancer-arn`).sort());
    global.resourceCountIs('Custom::AWS', 0);
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
    // Requirement: a destructive action (promotion) never fires on missing data (a throttled or missed probe run).
    const trigger = svc.regions['eu-west-1'].cachePromotion!.trigger as cloudwatch.Alarm;
    const triggerCfn = watcher.toJSON().Resources[Stack.of(trigger).getLogicalId(trigger.node.defaultChild as CfnElement)];
    expect(triggerCfn.Properties.TreatMissingData).toBeDefined();
    expect(triggerCfn.Properties.TreatMissingData).not.toBe('breaching');
    const fn = Object.values(watcher.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.CANDIDATES);
    const candidates = fn!.Properties.Environment.Variables.CANDIDATES;
    expect(JSON.stringify(candidates)).toContain('https://mcp-eu-west-1.example.com/health/ready');
    expect(JSON.stringify(candidates)).toContain('https://mcp-ap-southeast-2.example.com/health/ready');
    // Exactly one region acts on the primary's outage: an alarm state change in eu-west-1 runs its promotion function
    // (allowed FailoverGlobalReplicationGroup); no alarm anywhere else leads to a promotion.
    const promotions = (r: string): string[] => {
      const m = new CfnModel(r, tpl[r].toJSON(), r);
      return alarmActions(m).filter((a) => /FailoverGlobalReplicationGroup/.test(destructiveReason(m, a.targetId) ?? ''))
        .map((a) => `${a.state} -> ${a.targetId}`);
    };
    const promoter = svc.regions['eu-west-1'].cachePromotion!.handler.function;
    expect(promotions('eu-west-1')).toEqual([`ALARM -> ${Stack.of(promoter).getLogicalId(promoter.node.defaultChild as CfnElement)}`]);
    expect(promotions('us-east-1')).toEqual([]);
    expect(promotions('ap-southeast-2')).toEqual([]);
  });

  test('each region has its own name, certificate names and MCP probe', () => {
    for (const r of REGIONS) {
      const region = svc.regions[r];
      const lb = region.deployment.loadBalancer.loadBalancer;
      // Its own name points at its own load balancer.
      tpl[r].hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `mcp-${r}.example.com.`, Type: 'CNAME', ResourceRecords: [{ 'Fn::GetAtt': [Stack.of(lb).getLogicalId(lb.node.defaultChild as CfnElement), 'DNSName'] }],
      });
      // Its certificate covers the service name and its own name (what clients and its probe connect to).
      const certs = Object.values(tpl[r].findResources('Custom::VaultIssuedCertificate')).map((c) => JSON.parse(c.Properties.Config));
      expect(certs.map((c) => [c.commonName, ...c.altNames].sort())).toEqual([['mcp.example.com', `mcp-${r}.example.com`].sort()]);
      // Its MCP probe speaks MCP to its own name, on the server's MCP path (not a health path).
      const probeFn = region.probe!.function;
      const env = tpl[r].findResources('AWS::Lambda::Function')[Stack.of(probeFn).getLogicalId(probeFn.node.defaultChild as CfnElement)]
        .Properties.Environment.Variables;
      expect(env.MCP_PROBE_URL).toBe(`https://mcp-${r}.example.com${base.server.mcpPath}`);
      expect(base.server.mcpPath).not.toBe(base.server.readinessPath);
    }
    global.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'CNAME' });
  });

  test('budget: 42 s for serving traffic within 60 s (the accelerator\'s documented 30 s included); cache writes recover in 420 s, stated apart', () => {
    expect(svc.budget.describe()).toBe('42 s = lb-probe-detection 10 s + lb-probe-timeout 2 s + anycast-reroute 30 s (target 60 s)');
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
    // 10 s detection + 6 s Route 53 timeout + 5 s checker aggregation + 5 s CALCULATED-check hop + 5 s TTL.
    expect(dns.budget.terms.map((t) => t.name)).toContain('dns-calculated-aggregation');
    expect(dns.budget.totalSeconds).toBe(31);
  });

  test('snapshots', () => {
    for (const r of REGIONS) expect(tpl[r].toJSON()).toMatchSnapshot(r);
    expect(global.toJSON()).toMatchSnapshot('global');
  });

  test.each<[string, Partial<MultiRegionMcpStageProps>, RegExp]>([
    ['one region', { regions: ['us-east-1'] }, /regions: got \["us-east-1"\]; allowed: at least two regions/],
    ['a repeated region', { regions: ['us-east-1', 'us-east-1'] }, /regions: got \["us-east-1","us-east-1"\]; allowed: distinct regions/],
    ['no domain', { domain: undefined }, /domain: got undefined; allowed: a domain: each region gets its own name/],
    ['a region name that is not one', { regions: ['us-east-1', 'Europe'] }, /regions: got "Europe"; allowed: an AWS region name such as "us-east-1"/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('refuses a scope that is not an App or Stage', () => {
    const app = testApp();
    const stack = new Stack(app, 'S', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    expect(() => new MultiRegionMcpStage(stack, 'Mcp', base)).toThrow(/scope: got "S"; allowed: an App or Stage/);
  });

  test('single writer: a secondary region\'s servers write to its member\'s primary endpoint and know they are read-only until promoted', () => {
    for (const r of REGIONS) {
      const rg = svc.regions[r].cache!.replicationGroup;
      const env = JSON.stringify(Object.values(tpl[r].findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData.UserData);
      expect(env).toContain(`"${Stack.of(rg).getLogicalId(rg)}","PrimaryEndPoint.Address"`);
      expect(env).not.toContain('ReaderEndPoint');
      expect(env).toContain(`${CacheWriteEnv.MODE}='${r === 'us-east-1' ? RegionWriteMode.LOCAL : RegionWriteMode.READ_ONLY_UNLESS_PROMOTED}'`);
      expect(env).toContain(`${CacheWriteEnv.WRITER_REGION}='us-east-1'`);
      expect(env).toContain(`${CacheWriteEnv.REGION}='${r}'`);
    }
  });

  test('Global Datastore members: the secondary inherits Multi-AZ and failover; no member upgrades itself', () => {
    for (const r of REGIONS) {
      const rg = Object.values(tpl[r].findResources('AWS::ElastiCache::ReplicationGroup'))[0].Properties;
      expect(rg.AutoMinorVersionUpgrade).toBeUndefined();
      if (r === 'us-east-1') expect(rg).toMatchObject({ MultiAZEnabled: true, AutomaticFailoverEnabled: true });
      else expect(rg.MultiAZEnabled).toBeUndefined();
    }
    // Engine and node type live on the global group, where changes must be made.
    tpl['us-east-1'].hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', { EngineVersion: Match.anyValue(), CacheNodeType: 'cache.r7g.large' });
  });

  test('the summary states serving RTO and write recovery side by side', () => {
    const summary = Object.values(tpl['eu-west-1'].toJSON().Metadata['McpHa::Summary'])[0] as Record<string, unknown>;
    expect(summary.cacheWriteModel).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(summary.writeRecoverySeconds).toBe(svc.budget.cacheRecovery!.totalSeconds);
    expect(summary.budgetSeconds).toBe(svc.budget.totalSeconds);
  });

  describe('cache write model limits', () => {
    test('default: multi-writer where MemoryDB Multi-Region allows it', () => {
      const app = testApp();
      const m = new MultiRegionMcpStage(app, 'Mcp', { ...base, regions: ['us-east-1', 'eu-west-1'], cache: undefined });
      expect(m.plan.cacheWrite!.model).toBe(CacheWriteModel.MULTI_WRITER);
      expect(m.plan.cacheWrite!.writeRecoverySeconds).toBe(0);
    });

    test('default outside MemoryDB Multi-Region\'s regions: single-writer, with a warning naming the region', () => {
      const app = testApp();
      const m = new MultiRegionMcpStage(app, 'Mcp', { ...base, regions: ['us-east-1', 'sa-east-1'], cache: undefined });
      expect(m.plan.cacheWrite!.model).toBe(CacheWriteModel.SINGLE_WRITER);
      // The Stage's stacks live in its nested cloud assembly: the warning is on the first region's stack there.
      const warnings = m.synth().stacks.flatMap((st) => st.messages).filter((msg) => msg.level === 'warning').map((msg) => String(msg.entry.data));
      expect(warnings.some((w) => /falls back to single-writer.*sa-east-1/.test(w))).toBe(true);
    });

    test('multi-writer asked for outside its limits is refused, naming each limit', () => {
      expect(() => build({ regions: ['us-east-1', 'sa-east-1'], cache: { writeModel: CacheWriteModel.MULTI_WRITER, cacheNodeType: 'db.r6g.large' } }))
        .toThrow(/Mcp: 2 invalid settings[\s\S]*cache\.regions: got \["sa-east-1"\]; allowed: MemoryDB Multi-Region regions[\s\S]*cache\.cacheNodeType: got "db\.r6g\.large"; allowed: an R7g node of size xlarge/);
    });

    test('the fallback with the engine, its version and the node type set synthesizes: the primary\'s global group carries them, '
      + 'the secondary inherits them', () => {
      const app = testApp();
      const m = new MultiRegionMcpStage(app, 'Mcp', {
        ...base, regions: ['us-east-1', 'eu-west-1'], cache: { engine: CacheEngine.REDIS, engineVersion: '7.1', cacheNodeType: 'cache.r7g.xlarge' },
      });
      expect(m.plan.cacheWrite!.model).toBe(CacheWriteModel.SINGLE_WRITER);
      const primary = Template.fromStack(m.regionStacks['us-east-1']);
      primary.hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', { EngineVersion: '7.1', CacheNodeType: 'cache.r7g.xlarge' });
      primary.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'redis', EngineVersion: '7.1', CacheNodeType: 'cache.r7g.xlarge' });
      // ElastiCache refuses them on a secondary (it inherits them from the global group).
      Template.fromStack(m.regionStacks['eu-west-1']).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        GlobalReplicationGroupId: Match.anyValue(), Engine: Match.absent(), EngineVersion: Match.absent(), CacheNodeType: Match.absent(),
      });
    });

    test('single-writer beyond a Global Datastore\'s two secondary regions is refused', () => {
      expect(() => build({ regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'] }))
        .toThrow(/cache\.writeModel: got "single-writer"; allowed: a service of at most 3 regions: a Global Datastore replicates to at most 2 secondary regions/);
    });
  });

  describe('bad input', () => {
    test('an unknown region name is refused with the documented list', () => {
      expect(() => build({ regions: ['us-east-1', 'eu-westt-1'] }))
        .toThrow(/regions: got "eu-westt-1"; allowed: an AWS region name such as "us-east-1" or "eu-west-1" \(the list: https:\/\/docs\.aws\.amazon\.com\/global-infrastructure/);
    });

    test('certificate ARNs without one of the regions are refused at synth', () => {
      expect(() => build({
        regions: ['us-east-1', 'eu-west-1'],
        certificate: McpCertificate.fromCertificateArns({ 'us-east-1': 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' }),
      })).toThrow(/Mcp: 1 invalid setting\n {2}- certificate\.arns\.eu-west-1: got undefined; allowed: an ACM certificate ARN in eu-west-1 \(McpCertificate\.fromCertificateArns has us-east-1\)/);
    });

    test('a certificate ARN of another region is refused', () => {
      expect(() => build({
        regions: ['us-east-1', 'eu-west-1'],
        certificate: McpCertificate.fromCertificateArns({
          'us-east-1': 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123', 'eu-west-1': 'arn:aws:acm:us-east-1:123456789012:certificate/def-456',
        }),
      })).toThrow(/certificate\.arns\.eu-west-1: got "arn:aws:acm:us-east-1:123456789012:certificate\/def-456"; allowed: an ACM certificate ARN of region eu-west-1/);
    });

    test('accelerator routing at the zone apex renders an alias A record, never a CNAME', () => {
      const { svc: apex } = build({ regions: ['us-east-1', 'eu-west-1'], domain: { ...base.domain!, recordName: '' } });
      const records = Object.values(Template.fromStack(apex.globalStack!).findResources('AWS::Route53::RecordSet')).map((x) => x.Properties);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ Name: 'example.com.', Type: 'A' });
      // An alias to the accelerator (Global Accelerator's documented alias hosted zone id).
      expect(records[0].AliasTarget).toEqual({ DNSName: { 'Fn::GetAtt': [expect.stringMatching(/^Accelerator/), 'DnsName'] }, HostedZoneId: 'Z2BJ6XQ5FK7U4H' });
      expect(records.filter((x) => x.Type === 'CNAME' && x.Name === 'example.com.')).toEqual([]);
    });
  });
});
