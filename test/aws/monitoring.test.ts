import { testApp } from '../support/app';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { McpProbe } from '../../lib/aws/mcp-probe';
import { McpMonitoring, McpMonitoringProps, McpProbeMetricsSource } from '../../lib/aws/monitoring';
import { AvailabilityTier } from '../../lib/core/tiers';

const ENV = { account: '111111111111', region: 'us-east-1' };
const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/mcp/50dc6c495c0c9188';
const TG_ARN = 'arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/mcp/73e2d6bc24d8a067';

// A compile-time check: an McpProbe is a probe metrics source.
const probeFits: (p: McpProbe) => McpProbeMetricsSource = (p) => p;
void probeFits;

/** Existing resources (imports), so the template holds only what McpMonitoring creates. */
function fixtures(stack: Stack) {
  const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
    loadBalancerArn: LB_ARN,
    securityGroupId: 'sg-12345678',
  });
  const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', { targetGroupArn: TG_ARN, loadBalancerArns: LB_ARN });
  const autoScalingGroup = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Asg', 'mcp-fleet');
  const successMetric = new cloudwatch.Metric({ namespace: 'McpHa/Probe', metricName: 'Success', dimensionsMap: { Endpoint: 'primary' }, statistic: 'Minimum', period: Duration.minutes(1) });
  const latencyMetric = new cloudwatch.Metric({ namespace: 'McpHa/Probe', metricName: 'LatencyMs', dimensionsMap: { Endpoint: 'primary' }, statistic: 'Average', period: Duration.minutes(1) });
  const alarm = new cloudwatch.Alarm(stack, 'ProbeAlarm', { metric: successMetric, threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD });
  return { loadBalancer, targetGroup, autoScalingGroup, probe: { successMetric, latencyMetric, alarm } };
}

// GIVEN every input, default settings
const app = testApp();
const stack = new Stack(app, 'Test', { env: ENV });
const f = fixtures(stack);
const monitoring = new McpMonitoring(stack, 'Monitoring', {
  loadBalancer: f.loadBalancer,
  targetGroup: f.targetGroup,
  autoScalingGroup: f.autoScalingGroup,
  cache: { replicationGroupId: 'mcp-cache' },
  probe: f.probe,
  route53HealthCheckIds: ['hc-primary', 'hc-secondary'],
});
// AND a second deployment: target group only, existing topic, MISSION_CRITICAL with overrides, a staleness metric
const stack2 = new Stack(app, 'Custom', { env: ENV });
const f2 = fixtures(stack2);
const existingTopic = new sns.Topic(stack2, 'Existing', { masterKey: new kms.Key(stack2, 'ExistingKey', { enableKeyRotation: true }), enforceSSL: true });
const staleness = new cloudwatch.Metric({ namespace: 'Acme/Context', metricName: 'AgeSeconds', statistic: 'Maximum', period: Duration.minutes(1) });
const custom = new McpMonitoring(stack2, 'Monitoring', {
  tier: AvailabilityTier.MISSION_CRITICAL,
  tierOverrides: { alarms: { p95LatencyMs: 300, cpuPercent: 75, cpuEvaluationMinutes: 3 } },
  targetGroup: f2.targetGroup,
  autoScalingGroupName: 'other-fleet',
  instanceMetricsPeriodSeconds: 60,
  cache: { replicationGroupId: 'c', primaryNodeIds: ['c-0001-001'], replicaNodeIds: ['c-0001-002', 'c-0001-003'] },
  stalenessMetric: staleness,
  alarmTopic: existingTopic,
  healthScoreThreshold: 80,
  healthScoreEvaluationMinutes: 3,
  errorRateEvaluationMinutes: 4,
  dashboardName: 'mcp-prod',
});
// AND a third: Route 53 health checks only
const stack3 = new Stack(app, 'DnsOnly', { env: { account: '111111111111', region: 'eu-west-1' } });
const dnsOnly = new McpMonitoring(stack3, 'Monitoring', { route53HealthCheckIds: ['hc-1'] });

const template = Template.fromStack(stack);
const template2 = Template.fromStack(stack2);
const template3 = Template.fromStack(stack3);

/** The alarm resource whose description starts with `prefix`. */
function alarmProps(t: Template, prefix: string): Record<string, unknown> {
  const found = Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((r) => String(r.Properties.AlarmDescription ?? '').startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0].Properties as Record<string, unknown>;
}

/** The expression of the query with `id` in an alarm's Metrics. */
function query(props: Record<string, unknown>, id: string): Record<string, unknown> {
  const q = (props.Metrics as Record<string, unknown>[]).find((m) => m.Id === id);
  expect(q).toBeDefined();
  return q as Record<string, unknown>;
}

function dashboardBody(t: Template): string {
  const d = Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0];
  return JSON.stringify(d.Properties.DashboardBody);
}

describe('McpMonitoring defaults (every input)', () => {
  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('alarms by name, from the BUSINESS_CRITICAL thresholds', () => {
    expect(Object.keys(monitoring.alarms).sort()).toEqual(['CacheMemory', 'ErrorRate', 'FleetCpu', 'HealthScore', 'McpProbe', 'TargetLatencyP95', 'UnhealthyHosts']);
    expect(monitoring.thresholds.p95LatencyMs).toBe(500);
  });

  test('P95 latency > 500 ms (0.5 s) for 2 of 2 one-minute periods, on the target group', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      Namespace: 'AWS/ApplicationELB',
      ExtendedStatistic: 'p95',
      Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: 'targetgroup/mcp/73e2d6bc24d8a067' }]),
      Period: 60,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  test('5xx rate > 1 % via metric math: (target 5xx + ELB 5xx) / (requests + ELB 5xx) x 100', () => {
    const props = alarmProps(template, '5xx above 1 %');
    expect(props).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 2 });
    const expr = (props.Metrics as { Expression?: string }[]).find((m) => m.Expression)?.Expression;
    expect(expr).toBe('IF((FILL(requests, 0) + FILL(elb5xx, 0)) > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0)), 0)');
    expect(query(props, 'target5xx')).toMatchObject({ MetricStat: { Metric: { MetricName: 'HTTPCode_Target_5XX_Count' }, Stat: 'Sum', Period: 60 } });
    expect(query(props, 'elb5xx')).toMatchObject({ MetricStat: { Metric: { MetricName: 'HTTPCode_ELB_5XX_Count' }, Stat: 'Sum' } });
    expect(query(props, 'requests')).toMatchObject({ MetricStat: { Metric: { MetricName: 'RequestCount' }, Stat: 'Sum' } });
  });

  test('unhealthy hosts > 0 for a minute; fleet CPU > 80 % for 5 min (one 5-minute EC2 period); cache memory > 90 % on any node', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Statistic: 'Maximum', Threshold: 0, EvaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'mcp-fleet' }],
      Statistic: 'Average', Period: 300, Threshold: 80, EvaluationPeriods: 1,
    });
    alarmProps(template, 'Cache DatabaseMemoryUsagePercentage above 90 %');
  });

  test('cache memory reads the default member clusters <id>-001 and <id>-002, highest wins', () => {
    const mem = alarmProps(template, 'Cache DatabaseMemoryUsagePercentage above 90 %');
    const metrics = mem.Metrics as { Id: string; Expression?: string; MetricStat?: { Metric: { Dimensions: unknown[] } } }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('MAX([FILL(mem0, 0), FILL(mem1, 0)])');
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat?.Metric.Dimensions)).toEqual([
      [{ Name: 'CacheClusterId', Value: 'mcp-cache-001' }],
      [{ Name: 'CacheClusterId', Value: 'mcp-cache-002' }],
    ]);
  });

  test('every alarm of this construct notifies the topic on ALARM and OK; the probe alarm is routed too', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms)).toHaveLength(7);
    for (const a of Object.values(alarms)) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    }
    expect(monitoring.alarms.McpProbe).toBe(f.probe.alarm);
  });

  test('topic: KMS-encrypted with a rotating key CloudWatch may use, TLS-only publishing, CloudWatch alarms allowed', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MonitoringTopicKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Sid: 'AllowCloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    // The exposed key is the one encrypting the exposed topic.
    const id = (c: import('constructs').IConstruct): string => stack.getLogicalId(c.node.defaultChild as import('aws-cdk-lib').CfnElement);
    expect(template.toJSON().Resources[id(monitoring.alarmTopic)].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [id(monitoring.alarmTopicEncryptionKey!), 'Arn'] });
  });

  test('health score: 100 x (40 rt + 30 er + 20 res + 10 st) / 100, alarm below 70 for 2 minutes', () => {
    const props = alarmProps(template, 'Composite health score');
    expect(props).toMatchObject({ Threshold: 70, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 2, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching' });
    const metrics = props.Metrics as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: unknown }[];
    const top = metrics.find((m) => m.ReturnData !== false);
    expect(top?.Expression).toBe('100 * (40 * rtScore + 30 * erScore + 20 * resScore + 10 * stScore) / 100');
    expect(query(props, 'rtScore').Expression).toBe('IF((FILL(tr, 0) * 1000) <= 100, 1, IF((FILL(tr, 0) * 1000) >= 500, 0, (500 - (FILL(tr, 0) * 1000)) / 400))');
    expect(query(props, 'erScore').Expression).toBe('IF(errPct <= 0.1, 1, IF(errPct >= 2, 0, (2 - errPct) / 1.9))');
    expect(query(props, 'resScore').Expression).toBe('IF(cpuScore < memScore, cpuScore, memScore)');
    expect(query(props, 'cpuScore').Expression).toContain('IF(FILL(FILL(cpu, REPEAT), 0) <= 70, 1, IF(FILL(FILL(cpu, REPEAT), 0) >= 95, 0');
    expect(query(props, 'memScore').Expression).toBe('IF(memHigh <= 65, 1, IF(memHigh >= 90, 0, (90 - memHigh) / 25))');
    expect(query(props, 'stScore').Expression).toBe('FILL(probeOk, 0)');
    // Within CloudWatch's limits: at most 10 metrics and 10 expressions
    expect(metrics.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
    expect(metrics.filter((m) => m.Expression).length).toBeLessThanOrEqual(10);
    expect(monitoring.healthScore?.expression).toBe(top?.Expression);
  });

  test('dashboard: latency percentiles, requests and 5xx, hosts, CPU, cache, Route 53 in us-east-1, probe, score', () => {
    const body = dashboardBody(template);
    for (const text of ['Composite health score', 'MCP probe', 'Target response time', 'p50', 'p95', 'p99', 'HTTPCode_Target_5XX_Count',
      'HTTPCode_ELB_5XX_Count', 'HealthyHostCount', 'UnHealthyHostCount', 'Fleet CPU', 'EngineCPUUtilization', 'DatabaseMemoryUsagePercentage',
      'ReplicationLag', 'Evictions', 'HealthCheckStatus', 'hc-primary', 'hc-secondary', 'LatencyMs', 'Alarms']) {
      expect(body).toContain(text);
    }
    // Route 53 metrics are read in us-east-1
    expect(body).toMatch(/HealthCheckStatus\\",\\"HealthCheckId\\",\\"hc-primary\\",\{\\"label\\":\\"health check 1\\",\\"region\\":\\"us-east-1\\"/);
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(app).validateScope(monitoring);
    expect(report.violations).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA and PCI DSS packs: no finding', () => {
    for (const pack of [new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)]) {
      expect(pack.validateScope(monitoring).violations).toEqual([]);
    }
  });
});

describe('McpMonitoring overrides', () => {
  test('an existing topic is used; no topic or key is created', () => {
    expect(custom.alarmTopic).toBe(existingTopic);
    expect(custom.alarmTopicEncryptionKey).toBeUndefined();
    template2.resourceCountIs('AWS::SNS::Topic', 1);
    template2.resourceCountIs('AWS::KMS::Key', 1);
    const own = Object.entries(template2.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Monitoring'));
    expect(own.length).toBe(6);
    for (const [, a] of own) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Existing/) }]);
    }
  });

  test('tier overrides drive the thresholds; detailed monitoring lets CPU use 1-minute periods', () => {
    template2.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.3 });
    template2.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'other-fleet' }], Threshold: 75, Period: 60, EvaluationPeriods: 3 });
    const er = alarmProps(template2, '5xx above');
    expect(er).toMatchObject({ EvaluationPeriods: 4 });
    // Without a load balancer: target group requests and 5xx, no ELB 5xx
    expect((er.Metrics as { Expression?: string }[]).find((m) => m.Expression)?.Expression).toBe('IF(FILL(requests, 0) > 0, 100 * FILL(target5xx, 0) / FILL(requests, 0), 0)');
  });

  test('the given cache nodes; replication lag from the replicas', () => {
    const mem = alarmProps(template2, 'Cache DatabaseMemoryUsagePercentage');
    expect((mem.Metrics as { Expression?: string }[]).find((m) => m.Expression)?.Expression).toBe('MAX([FILL(mem0, 0), FILL(mem1, 0), FILL(mem2, 0)])');
    const body = dashboardBody(template2);
    expect(body).toContain('c-0001-003');
    expect(body).toMatch(/ReplicationLag\\",\\"CacheClusterId\\",\\"c-0001-002/);
    expect(body).not.toMatch(/ReplicationLag\\",\\"CacheClusterId\\",\\"c-0001-001/);
  });

  test('staleness from the user metric: 300 s is critical, missing data counts as stale; threshold 80 for 3 min', () => {
    const props = alarmProps(template2, 'Composite health score');
    expect(props).toMatchObject({ Threshold: 80, EvaluationPeriods: 3 });
    expect(query(props, 'stScore').Expression).toBe('IF(FILL(age, 300) <= 0, 1, IF(FILL(age, 300) >= 300, 0, (300 - FILL(age, 300)) / 300))');
  });

  test('dashboard name', () => {
    template2.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'mcp-prod' });
  });

  test('Route 53 only: a dashboard, a topic, no alarm and no health score', () => {
    expect(dnsOnly.alarms).toEqual({});
    expect(dnsOnly.healthScore).toBeUndefined();
    template3.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template3.resourceCountIs('AWS::SNS::Topic', 1);
    // Read in us-east-1 from an eu-west-1 dashboard
    expect(dashboardBody(template3)).toContain('us-east-1');
  });

  test('a probe alarm in another stack is listed but not routed, with a warning', () => {
    const a = testApp();
    const s1 = new Stack(a, 'ProbeStack', { env: ENV });
    const s2 = new Stack(a, 'MonStack', { env: ENV });
    const f3 = fixtures(s1);
    const m = new McpMonitoring(s2, 'Monitoring', { probe: f3.probe });
    expect(m.alarms.McpProbe).toBe(f3.probe.alarm);
    Annotations.fromStack(s2).hasWarning('/MonStack/Monitoring', Match.stringLikeRegexp('probe.alarm is not an Alarm in this stack'));
  });
});

describe('McpMonitoring bad input', () => {
  function build(props: McpMonitoringProps): () => McpMonitoring {
    return () => new McpMonitoring(new Stack(testApp(), 'Bad', { env: ENV }), 'Monitoring', props);
  }
  const someInput = { autoScalingGroupName: 'fleet' };

  test('nothing to monitor', () => {
    expect(build({})).toThrow(/Bad\/Monitoring: 1 invalid setting\n {2}- props: got \{\}; allowed: at least one thing to monitor: loadBalancer, targetGroup, autoScalingGroup/);
  });

  test('a health-score threshold outside 0-100', () => {
    expect(build({ ...someInput, healthScoreThreshold: 120 })).toThrow(/healthScoreThreshold: got 120; allowed: a number from 0 to 100 \(the score runs from 0 \(critical\) to 100 \(healthy\)\)/);
    expect(build({ ...someInput, healthScoreThreshold: -1 })).toThrow(/healthScoreThreshold: got -1; allowed: a number from 0 to 100/);
  });

  test('evaluation minutes below 1', () => {
    expect(build({ ...someInput, healthScoreEvaluationMinutes: 0, errorRateEvaluationMinutes: 0 })).toThrow(
      /2 invalid settings\n {2}- healthScoreEvaluationMinutes: got 0; allowed: an integer from 1 to 60\n {2}- errorRateEvaluationMinutes: got 0; allowed: an integer from 1 to 60/,
    );
  });

  test('both an Auto Scaling group and its name', () => {
    const s = new Stack(testApp(), 'Bad', { env: ENV });
    const g = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(s, 'Asg', 'a');
    expect(() => new McpMonitoring(s, 'Monitoring', { autoScalingGroup: g, autoScalingGroupName: 'b' })).toThrow(
      /autoScalingGroupName: got "b"; allowed: either autoScalingGroup or autoScalingGroupName, not both/,
    );
  });

  test('an encryption key with an existing topic', () => {
    const s = new Stack(testApp(), 'Bad', { env: ENV });
    expect(() => new McpMonitoring(s, 'Monitoring', { ...someInput, alarmTopic: new sns.Topic(s, 'T'), alarmTopicEncryptionKey: new kms.Key(s, 'K') })).toThrow(
      /alarmTopicEncryptionKey: got "\(a key\)"; allowed: only without alarmTopic/,
    );
  });

  test('an EC2 metrics period other than 1 or 5 minutes; CPU minutes not a multiple of the period', () => {
    expect(build({ ...someInput, instanceMetricsPeriodSeconds: 120 })).toThrow(/instanceMetricsPeriodSeconds: got 120; allowed: 60 \(EC2 detailed monitoring\) or 300 \(basic monitoring\)/);
    expect(build({ ...someInput, tierOverrides: { alarms: { cpuEvaluationMinutes: 7 } } })).toThrow(
      /tierOverrides\.alarms\.cpuEvaluationMinutes: got 7; allowed: a multiple of the EC2 metrics period \(5 min\); set instanceMetricsPeriodSeconds: 60/,
    );
  });

  test('an invalid dashboard name', () => {
    expect(build({ ...someInput, dashboardName: 'mcp prod!' })).toThrow(/dashboardName: got "mcp prod!"; allowed: 1 to 255 letters, digits, "-" and "_"/);
  });

  test('too many cache nodes for one health-score alarm', () => {
    const s = new Stack(testApp(), 'Bad', { env: ENV });
    const fx = fixtures(s);
    const nodes = ['a-001', 'a-002', 'a-003', 'a-004', 'a-005'];
    expect(() => new McpMonitoring(s, 'Monitoring', { loadBalancer: fx.loadBalancer, targetGroup: fx.targetGroup, autoScalingGroupName: 'x', probe: fx.probe, cache: { replicationGroupId: 'a', primaryNodeIds: nodes, replicaNodeIds: [] } })).toThrow(
      /cache: got "5 cache nodes \(11 metrics in the health score\)"; allowed: at most 10 metrics in one alarm/,
    );
  });

  test('an invalid tier override, reported with the others', () => {
    expect(build({ ...someInput, tierOverrides: { alarms: { errorRatePercent: 0 } }, healthScoreThreshold: 101 })).toThrow(
      /2 invalid settings\n {2}- tierOverrides\.alarms\.errorRatePercent: got 0; allowed: a number from 0\.01 to 100\n {2}- healthScoreThreshold: got 101/,
    );
  });
});
