/**
 * The semantic checks themselves (test/support/semantic.ts), on small hand-written
 * templates: each rule reports the failure it exists for and accepts the fixed
 * template, so a green semantic suite means "checked and right", not "found nothing".
 */
import {
  CfnModel, CfnTemplate, Interval, apexCnames, breachRegion, destructiveOnMissingData, dnsRecords, nameCovers, parseScriptEnvironment,
  privateCaTrust, probeTargets, stepInterval, stepScalingCoverage, uncoveredPoints, writeEndpoints,
} from '../support/semantic';

const model = (resources: CfnTemplate['Resources'], name = 'S', region = 'us-east-1'): CfnModel => new CfnModel(name, { Resources: resources }, region);
const ref = (id: string): { Ref: string } => ({ Ref: id });
const arn = (id: string): { 'Fn::GetAtt': string[] } => ({ 'Fn::GetAtt': [id, 'Arn'] });

function alarm(op: string, treat: string | undefined, actions: Record<string, unknown[]>): { Type: string; Properties: Record<string, unknown> } {
  return { Type: 'AWS::CloudWatch::Alarm', Properties: { ComparisonOperator: op, Threshold: 1, ...(treat ? { TreatMissingData: treat } : {}), ...actions } };
}
function stepPolicy(steps: Record<string, number>[], type = 'ChangeInCapacity'): { Type: string; Properties: Record<string, unknown> } {
  return { Type: 'AWS::AutoScaling::ScalingPolicy', Properties: { PolicyType: 'StepScaling', AdjustmentType: type, AutoScalingGroupName: ref('Asg'), StepAdjustments: steps } };
}
const ASG = { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '3', MaxSize: '12' } };

describe('intervals', () => {
  const below = breachRegion('LessThanThreshold')!;
  const above = breachRegion('GreaterThanOrEqualToThreshold')!;

  test('a LessThan breach is not covered by a step starting at 0, and is covered by a step ending at 0', () => {
    expect(uncoveredPoints(below, [stepInterval({ MetricIntervalLowerBound: 0 }, false)])).not.toEqual([]);
    expect(uncoveredPoints(below, [stepInterval({ MetricIntervalUpperBound: 0 }, false)])).toEqual([]);
  });

  test('a GreaterThanOrEqual breach needs the threshold itself covered: [0, 1) + [1, inf) does, (0, inf) does not', () => {
    expect(uncoveredPoints(above, [stepInterval({ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 1 }, true),
      stepInterval({ MetricIntervalLowerBound: 1 }, true)])).toEqual([]);
    const open: Interval = { lower: 0, lowerInclusive: false, upperInclusive: false };
    expect(uncoveredPoints(above, [open])).toEqual([0]);
  });

  test('a hole between steps is found', () => {
    const steps = [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 1 }, { MetricIntervalLowerBound: 2 }].map((s) => stepInterval(s, true));
    expect(uncoveredPoints(above, steps)).toEqual([1, 1.5]);
  });

  test('anomaly-band operators have no fixed breach region', () => {
    expect(breachRegion('LessThanLowerOrGreaterThanUpperThreshold')).toBeUndefined();
  });
});

describe('(a) step scaling coverage', () => {
  test('the active-passive defect (LessThan alarm -> step lower bound 0) is reported; upper bound 0 is accepted', () => {
    const bad = model({ A: alarm('LessThanThreshold', 'notBreaching', { AlarmActions: [ref('P')] }), P: stepPolicy([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 6 }], 'ExactCapacity'), Asg: ASG });
    expect(stepScalingCoverage(bad).violations).toEqual([expect.stringMatching(/^S: A \(ALARM\) -> P: LessThanThreshold 1 breaches on \(-inf, 0\).*No step adjustment found/)]);
    const good = model({ A: alarm('LessThanThreshold', 'notBreaching', { AlarmActions: [ref('P')] }), P: stepPolicy([{ MetricIntervalUpperBound: 0, ScalingAdjustment: 6 }], 'ExactCapacity'), Asg: ASG });
    expect(stepScalingCoverage(good)).toEqual({ checked: ['S: A (ALARM) -> P'], violations: [] });
  });

  test('a step policy on OK or INSUFFICIENT_DATA never runs: reported', () => {
    const m = model({ A: alarm('GreaterThanThreshold', undefined, { OKActions: [ref('P')] }), P: stepPolicy([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }]), Asg: ASG });
    expect(stepScalingCoverage(m).violations).toEqual([expect.stringContaining('runs on the ALARM state only, not on OK')]);
  });
});

describe('(b) destructive actions on missing data', () => {
  const promotion = {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: arn('Role') } },
    Role: { Type: 'AWS::IAM::Role', Properties: {} },
    Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [ref('Role')], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'elasticache:FailoverGlobalReplicationGroup', Resource: '*' }] } } },
    Rule: {
      Type: 'AWS::Events::Rule',
      Properties: { EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], resources: [arn('A')], detail: { state: { value: ['ALARM'] } } }, Targets: [{ Arn: arn('Fn'), Id: 'T' }] },
    },
  };

  test('a promotion through an EventBridge rule on an alarm treating missing data as breaching is reported; notBreaching is accepted', () => {
    const bad = model({ ...promotion, A: alarm('LessThanThreshold', 'breaching', {}) });
    expect(destructiveOnMissingData(bad).violations).toEqual([
      'S: A -> ALARM -> Rule -> Fn, which invokes a function allowed elasticache:FailoverGlobalReplicationGroup: missing data (TreatMissingData breaching) fires it',
    ]);
    const good = model({ ...promotion, A: alarm('LessThanThreshold', 'notBreaching', {}) });
    expect(destructiveOnMissingData(good)).toEqual({ checked: [expect.stringContaining('S: A -> ALARM -> Rule -> Fn')], violations: [] });
  });

  test('a composite alarm is judged by its children; an SNS-subscribed function is followed', () => {
    const m = model({
      ...promotion, Rule: { Type: 'AWS::SNS::Topic', Properties: {} },
      Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: ref('Rule'), Protocol: 'lambda', Endpoint: arn('Fn') } },
      Child: alarm('LessThanThreshold', 'breaching', {}),
      A: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: { AlarmRule: { 'Fn::Join': ['', ['ALARM(', arn('Child'), ')']] }, AlarmActions: [ref('Rule')] } },
    });
    expect(destructiveOnMissingData(m).violations).toEqual([expect.stringMatching(/^S: Child \(in A\) -> ALARM -> Rule -> Fn, .*breaching/)]);
  });

  test('scale-in (negative step, or ExactCapacity to the floor) on OK with notBreaching, and on INSUFFICIENT_DATA, are reported; scale-out is not destructive', () => {
    const m = model({
      Asg: ASG,
      A: alarm('LessThanThreshold', 'notBreaching', { OKActions: [ref('Back')], InsufficientDataActions: [ref('In')], AlarmActions: [ref('Up')] }),
      Back: stepPolicy([{ MetricIntervalLowerBound: 0, ScalingAdjustment: 3 }], 'ExactCapacity'),
      In: stepPolicy([{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }]),
      Up: stepPolicy([{ MetricIntervalUpperBound: 0, ScalingAdjustment: 6 }], 'ExactCapacity'),
    });
    const { checked, violations } = destructiveOnMissingData(m);
    expect(checked.map((c) => c.split(', which')[0])).toEqual(['S: A -> OK -> Back', 'S: A -> INSUFFICIENT_DATA -> In']);
    expect(violations).toEqual([expect.stringContaining('S: A -> OK -> Back'), expect.stringContaining('S: A -> INSUFFICIENT_DATA -> In')]);
  });
});

describe('(c) write endpoints', () => {
  const userData = (env: Record<string, unknown[]>): unknown => ({
    'Fn::Base64': { 'Fn::Join': ['', ['#!/bin/bash\n', ...Object.entries(env).flatMap(([k, parts]) => [`  printf '%s=%s\\n' ${k} '`, ...parts, "' >> /etc/mcp-server/env\n"])]] },
  });
  const fleet = (env: Record<string, unknown[]>): { Type: string; Properties: Record<string, unknown> } => ({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: userData(env) } } });
  const writeEnv = (model: string, mode: string, region: string, writer?: string): Record<string, unknown[]> => ({
    CACHE_WRITE_MODEL: [model], CACHE_WRITE_MODE: [mode], SERVICE_REGION: [region], ...(writer ? { CACHE_WRITER_REGION: [writer] } : {}),
  });
  const primary = (env: Record<string, unknown[]>): CfnModel => model({
    Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: {} },
    Global: { Type: 'AWS::ElastiCache::GlobalReplicationGroup', Properties: { Members: [{ ReplicationGroupId: ref('Cache'), ReplicationGroupRegion: 'us-east-1', Role: 'PRIMARY' }] } },
    Lt: fleet(env),
  }, 'P', 'us-east-1');
  const secondary = (env: Record<string, unknown[]>): CfnModel => model({
    Cache: { Type: 'AWS::ElastiCache::ReplicationGroup', Properties: { GlobalReplicationGroupId: 'ldgnf-mcp' } }, Lt: fleet(env),
  }, 'R', 'eu-west-1');
  const url = (attr: string): unknown[] => ['rediss://', { 'Fn::GetAtt': ['Cache', attr] }, ':6380'];

  test('the user-data parser reads printf, export and docker -e forms, shell-unquoted', () => {
    expect(parseScriptEnvironment("printf '%s=%s\\n' A 'x y' >> f\nexport B='it'\\''s'\ndocker run -e C='3' -e D img")).toEqual({ A: 'x y', B: "it's", C: '3' });
  });

  test('a server whose REDIS_URL is the reader endpoint is reported (the blind spot only a snapshot caught)', () => {
    const app = [primary({ REDIS_URL: url('ReaderEndPoint.Address'), ...writeEnv('single-writer', 'local', 'us-east-1', 'us-east-1') })];
    expect(writeEndpoints(app).violations).toEqual([expect.stringContaining('REDIS_URL points at Cache.ReaderEndPoint.Address (AWS::ElastiCache::ReplicationGroup), not a writer endpoint')]);
  });

  test('a Global Datastore secondary\'s region must run read-only-unless-promoted and name the writer region', () => {
    const p = primary({ REDIS_URL: url('PrimaryEndPoint.Address'), ...writeEnv('single-writer', 'local', 'us-east-1', 'us-east-1') });
    const wrong = secondary({ REDIS_URL: url('PrimaryEndPoint.Address'), ...writeEnv('single-writer', 'local', 'eu-west-1', 'us-east-1') });
    expect(writeEndpoints([p, wrong]).violations).toEqual([
      'R/Lt (eu-west-1): its cache Cache is a single-writer member, writes read-only-unless-promoted; the server must get CACHE_WRITE_MODE=read-only-unless-promoted (renders local)',
    ]);
    const right = secondary({ REDIS_URL: url('PrimaryEndPoint.Address'), ...writeEnv('single-writer', 'read-only-unless-promoted', 'eu-west-1', 'us-east-1') });
    expect(writeEndpoints([p, right])).toEqual({ checked: ['P/Lt (us-east-1)', 'R/Lt (eu-west-1)'], violations: [] });
  });

  test('a MemoryDB Multi-Region member writes locally; a URL from another stack or without TLS is reported', () => {
    const mdb = model({
      Cache: { Type: 'AWS::MemoryDB::Cluster', Properties: { MultiRegionClusterName: 'mcp' } },
      Lt: fleet({ REDIS_URL: ['rediss://', { 'Fn::GetAtt': ['Cache', 'ClusterEndpoint.Address'] }, ':6379'], ...writeEnv('multi-writer', 'local', 'us-east-1') }),
    });
    expect(writeEndpoints([mdb]).violations).toEqual([]);
    const foreign = model({ Lt: fleet({ REDIS_URL: ['redis://cache.example:6379'], ...writeEnv('single-region', 'local', 'us-east-1', 'us-east-1') }) });
    expect(writeEndpoints([foreign]).violations).toEqual([expect.stringContaining('does not name exactly one cache resource of this stack')]);
  });
});

describe('(d) private CA trust', () => {
  const vault = { Type: 'Custom::VaultIssuedCertificate', Properties: { Config: JSON.stringify({ commonName: 'mcp.example.com', altNames: ['*.mcp.example.com'] }) } };
  const probe = (env: Record<string, unknown>): unknown => ({ Type: 'AWS::Lambda::Function', Properties: { Role: arn('Role'), Environment: { Variables: { MCP_PROBE_URL: 'https://eu.mcp.example.com/mcp', ...env } } } });

  test('certificate names cover hosts exactly or by one-label wildcard', () => {
    expect([nameCovers('*.mcp.example.com', 'eu.mcp.example.com'), nameCovers('*.mcp.example.com', 'a.eu.mcp.example.com'), nameCovers('mcp.example.com', 'MCP.example.com.')]).toEqual([true, false, true]);
  });

  test('a function calling a Vault-certified name without the CA is reported; a parameter it may read and the issuer writes is accepted', () => {
    expect(privateCaTrust([model({ Cert: vault, Fn: probe({}) as never, Role: { Type: 'AWS::IAM::Role' } })]).violations)
      .toEqual([expect.stringContaining('neither MCP_TRUSTED_CA_PEM nor MCP_TRUSTED_CA_PARAMETER is set')]);
    const withParameter = (resource: string): CfnModel => model({
      Cert: { ...vault, Properties: { ...vault.Properties, CaParameter: '/mcp/ca' } },
      Fn: probe({ MCP_TRUSTED_CA_PARAMETER: '/mcp/ca' }) as never, Role: { Type: 'AWS::IAM::Role' },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [ref('Role')], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: resource }] } } },
    });
    expect(privateCaTrust([withParameter('arn:aws:ssm:us-east-1:1:parameter/mcp/ca')]).violations).toEqual([]);
    expect(privateCaTrust([withParameter('arn:aws:ssm:us-east-1:1:parameter/other')]).violations).toEqual([expect.stringContaining('may not ssm:GetParameter /mcp/ca')]);
  });

  test('a name served by a public (ACM) certificate needs no CA', () => {
    const acm = { Type: 'AWS::CertificateManager::Certificate', Properties: { DomainName: 'mcp.example.com', SubjectAlternativeNames: ['*.mcp.example.com'] } };
    expect(privateCaTrust([model({ Cert: acm, Fn: probe({}) as never })])).toEqual({ checked: [], violations: [] });
  });
});

describe('(e) apex CNAME and (f) probe targets', () => {
  const zones = { Z1: 'example.com' };
  test('a CNAME named like its zone is reported, whatever the trailing dot; an alias A record at the apex is not', () => {
    const m = model({
      R: { Type: 'AWS::Route53::RecordSet', Properties: { HostedZoneId: 'Z1', Name: 'example.com.', Type: 'CNAME' } },
      G: { Type: 'AWS::Route53::RecordSetGroup', Properties: { HostedZoneName: 'example.com.', RecordSets: [{ Name: 'example.com', Type: 'A' }, { Name: 'mcp.example.com', Type: 'CNAME' }] } },
    });
    expect(apexCnames(dnsRecords(m, zones))).toEqual(['S/R: CNAME example.com. at the apex of example.com']);
  });

  test('a probe of the readiness path is reported (the blind spot only a snapshot caught); the MCP path is accepted', () => {
    const app = (path: string): CfnModel[] => [model({
      R: { Type: 'AWS::Route53::RecordSet', Properties: { HostedZoneId: 'Z1', Name: 'mcp.example.com.', Type: 'CNAME' } },
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { UserData: "printf '%s=%s\\n' MCP_PATH '/mcp'\nprintf '%s=%s\\n' MCP_READINESS_PATH '/health/ready'\n" } } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { MCP_PROBE_URL: `https://mcp.example.com${path}` } } } },
    })];
    expect(probeTargets(app('/health/ready'), zones).violations).toEqual([
      'S/Fn probes https://mcp.example.com/health/ready: the servers serve MCP on /mcp, the probe calls /health/ready (a health path: it passes while MCP is broken)',
    ]);
    expect(probeTargets(app('/mcp'), zones)).toEqual({ checked: ['S/Fn probes https://mcp.example.com/mcp'], violations: [] });
  });
});
