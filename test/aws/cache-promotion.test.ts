import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { McpCachePromotion, McpCachePromotionProps } from '../../lib/aws/cache-promotion';
import { TrustedCa } from '../../lib/aws/mcp-probe';
import { testApp } from '../support/app';
import { synthAndReport } from '../support/compliance';

const SUCCESS = new cloudwatch.Metric({
  namespace: 'McpHa/Probe', metricName: 'Success', dimensionsMap: { Endpoint: 'mcp-us-east-1.example.com' },
  statistic: cloudwatch.Stats.MINIMUM, period: Duration.minutes(1),
});

function build(overrides: Partial<McpCachePromotionProps> = {}, region = 'eu-west-1') {
  const app = testApp();
  const stack = new Stack(app, 'Secondary', { env: { account: '111111111111', region } });
  const promotion = new McpCachePromotion(stack, 'Promotion', {
    globalReplicationGroupId: 'ldgnf-mcp-global',
    primaryRegion: 'us-east-1',
    primaryHealthUrl: 'https://mcp-us-east-1.example.com/health/ready',
    candidates: {
      'eu-west-1': { replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.mcp.example.com/health/ready' },
      'ap-southeast-2': { replicationGroupId: 'mcp-ap', healthUrl: 'https://ap.mcp.example.com/health/ready' },
    },
    primarySuccessMetric: SUCCESS,
    extendedOutageSeconds: 300,
    ...overrides,
  });
  return { app, stack, promotion, template: Template.fromStack(stack) };
}

type Props = Record<string, unknown>;
function resources(template: Template, type: string): [string, Props][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [id, r.Properties as Props]);
}

/**
 * CloudWatch's evaluation of an M-out-of-N alarm over the last N periods
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data):
 * missing points count as breaching or not as TreatMissingData says; with
 * `missing`/`ignore` only present points are evaluated and all-missing keeps the state.
 */
function entersAlarm(alarm: Props, points: (number | undefined)[]): boolean {
  const n = Number(alarm.EvaluationPeriods);
  const m = Number(alarm.DatapointsToAlarm ?? n);
  const threshold = Number(alarm.Threshold);
  const breaches = (x: number) => ({
    LessThanThreshold: x < threshold, LessThanOrEqualToThreshold: x <= threshold,
    GreaterThanThreshold: x > threshold, GreaterThanOrEqualToThreshold: x >= threshold,
  } as Record<string, boolean>)[String(alarm.ComparisonOperator)];
  const window = points.slice(-n);
  const missing = String(alarm.TreatMissingData ?? 'missing');
  let count = 0;
  for (const p of window) {
    if (p === undefined) count += missing === 'breaching' ? 1 : 0;
    else count += breaches(p) ? 1 : 0;
  }
  return count >= m;
}

const { app, stack, promotion, template } = build();
const [, triggerProps] = resources(template, 'AWS::CloudWatch::Alarm').find(([, p]) => p.MetricName === 'Success')!;
const [fnId, fnProps] = resources(template, 'AWS::Lambda::Function').find(([, p]) => (p.Environment as Props | undefined) !== undefined)!;
const env = (fnProps.Environment as { Variables: Record<string, unknown> }).Variables;

describe('McpCachePromotion', () => {
  test('snapshot of the default configuration', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  describe('the trigger does not fire by mistake', () => {
    test('a watcher that stops reporting (missing data for the whole window) does not promote', () => {
      expect(entersAlarm(triggerProps, Array(10).fill(undefined))).toBe(false);
      // Nor do gaps among failures: 4 failed runs and one missed run are not 5 minutes of outage.
      expect(entersAlarm(triggerProps, [0, 0, undefined, 0, 0])).toBe(false);
    });

    test('the primary failing for the extended-outage time (5 x 60 s) promotes; 4 minutes do not', () => {
      expect(entersAlarm(triggerProps, [0, 0, 0, 0, 0])).toBe(true);
      expect(entersAlarm(triggerProps, [1, 0, 0, 0, 0])).toBe(false);
      expect(promotion.triggerSeconds).toBe(300);
    });

    test('the extended outage rounds up to whole periods of the metric', () => {
      const p = build({ extendedOutageSeconds: 150 }).promotion;
      expect(p.triggerSeconds).toBe(180);
    });

    test('refuses a given trigger alarm that treats missing data as breaching', () => {
      const app2 = testApp();
      const s = new Stack(app2, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
      const trigger = new cloudwatch.Alarm(s, 'PrimaryDown', {
        metric: SUCCESS, threshold: 1, evaluationPeriods: 5, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      expect(() => new McpCachePromotion(s, 'P', {
        globalReplicationGroupId: 'g', primaryRegion: 'us-east-1', primaryHealthUrl: 'https://us/ready', trigger,
        candidates: { 'eu-west-1': { replicationGroupId: 'x', healthUrl: 'https://eu/ready' } },
      })).toThrow(/S\/P: 1 invalid setting\s+- trigger: got "S\/PrimaryDown \(TreatMissingData: breaching\)"; allowed: an alarm whose missing data is not breaching/);
    });
  });

  test('the function re-checks the primary\'s health URL before acting and knows the candidates in order', () => {
    expect(env.PRIMARY_HEALTH_URL).toBe('https://mcp-us-east-1.example.com/health/ready');
    expect(env.RECHECK_ATTEMPTS).toBe('3');
    // What the re-check of a primary that is really down costs, from the rendered settings (every attempt times out).
    expect(promotion.recheckSeconds).toBe(Number(env.RECHECK_ATTEMPTS) * Number(env.HEALTH_TIMEOUT_MS) / 1000
      + (Number(env.RECHECK_ATTEMPTS) - 1) * Number(env.RECHECK_INTERVAL_MS) / 1000);
    expect(env.PRIMARY_REGION).toBe('us-east-1');
    expect(JSON.parse(String(env.CANDIDATES)).map((c: { region: string }) => c.region)).toEqual(['eu-west-1', 'ap-southeast-2']);
    expect(fnProps.ReservedConcurrentExecutions).toBe(1);
    expect(fnProps.TracingConfig).toEqual({ Mode: 'Active' });
  });

  describe('a skipped promotion is retried and never silent', () => {
    test('the trigger rule runs the function on the transition into ALARM, with retries and a dead-letter queue', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'],
          resources: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('PromotionTrigger'), 'Arn'] }],
          detail: { state: { value: ['ALARM'] } },
        },
        Targets: [Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] } },
        })],
      });
    });

    test('a schedule runs it every minute (it acts only while the trigger is in ALARM: DescribeAlarms on that alarm only)', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, DeadLetterConfig: Match.anyValue() })],
      });
      expect(env.TRIGGER_ALARM_NAME).toEqual({ Ref: expect.stringMatching(/^PromotionTrigger/) });
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements.filter((s: { Action: unknown }) => s.Action === 'cloudwatch:DescribeAlarms'))
        .toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/PromotionTrigger/), 'Arn'] } })]);
    });

    test('logEncryptionKey encrypts the function\'s log group (no key of its own is created)', () => {
      const app2 = testApp();
      const s2 = new Stack(app2, 'Keyed', { env: { account: '111111111111', region: 'eu-west-1' } });
      const key = new kms.Key(s2, 'GivenLogKey', { enableKeyRotation: true });
      new McpCachePromotion(s2, 'Promotion', {
        globalReplicationGroupId: 'ldgnf-mcp-global', primaryRegion: 'us-east-1', primaryHealthUrl: 'https://us.example.com/health/ready',
        candidates: { 'eu-west-1': { replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.example.com/health/ready' } },
        primarySuccessMetric: SUCCESS, logEncryptionKey: key,
      });
      const t = Template.fromStack(s2);
      t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('GivenLogKey'), 'Arn'] } });
      expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual([expect.stringMatching(/^GivenLogKey/)]);
    });

    test('recheckIntervalSeconds sets the schedule rate (300 s: every 5 minutes)', () => {
      Template.fromStack(build({ recheckIntervalSeconds: 300 }).stack)
        .hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    });

    test('Lambda retries a blocked run twice, then dead-letters it to the encrypted, TLS-only queue', () => {
      expect(fnProps.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] } });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      // EventBridge may write to the queue (the rule targets' dead letters).
      expect(JSON.stringify(template.findResources('AWS::SQS::QueuePolicy'))).toContain('events.amazonaws.com');
    });

    test('alarms: blocked for 3 minutes, failing for 3 minutes, a trigger EventBridge could not deliver, a dead-lettered event', () => {
      const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, p]) => p);
      const by = (name: string) => alarms.find((a) => a.MetricName === name)!;
      expect(entersAlarm(by('Blocked'), [1, 1, 1])).toBe(true);
      expect(entersAlarm(by('Blocked'), [1, undefined, 1])).toBe(false);
      expect(entersAlarm(by('Errors'), [1, 1, 1])).toBe(true);
      expect(by('Blocked').AlarmDescription).toMatch(/cannot act .* promote a secondary by hand/);
      expect(entersAlarm(by('FailedInvocations'), [1])).toBe(true);
      expect(by('FailedInvocations').Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: expect.stringMatching(/PromotionTriggerRule/) } }]);
      expect(entersAlarm(by('ApproximateNumberOfMessagesVisible'), [1])).toBe(true);
      expect(promotion.alarms).toHaveLength(4);
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

  test('with a private CA the health checks trust it (the parameter the certificate function writes)', () => {
    const { template: t } = build({ trustedCa: TrustedCa.fromParameter('/mcp-ha/S/abc/ca-chain') });
    const fn = resources(t, 'AWS::Lambda::Function').find(([, p]) => (p.Environment as Props | undefined) !== undefined)![1];
    expect((fn.Environment as { Variables: Props }).Variables.MCP_TRUSTED_CA_PARAMETER).toBe('/mcp-ha/S/abc/ca-chain');
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const read = statements.find((s: { Action: unknown }) => s.Action === 'ssm:GetParameter');
    expect(JSON.stringify(read.Resource)).toContain(':parameter/mcp-ha/S/abc/ca-chain');
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks(app)], ['NIST 800-53 R5', () => new NIST80053R5Checks(app)],
    ['HIPAA', () => new HIPAASecurityChecks(app)], ['PCI DSS 3.2.1', () => new PCIDSS321Checks(app)], ['Serverless', () => new ServerlessChecks(app)],
  ])('passes cdk-nag %s with no unacknowledged finding', (_n, pack) => {
    const result = pack().validateScope(stack);
    expect(result.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });

  test('AWS Control Tower proactive controls (cfn-guard): no unacknowledged finding', () => {
    const { app: guarded } = build();
    Validations.of(guarded).addPlugins(new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }));
    const result = synthAndReport(guarded);
    expect(result.synthError).toBeUndefined();
    expect(result.findings.map((f) => `${f.rule}: ${f.paths.join(', ')}`)).toEqual([]);
  });

  test.each<[string, Partial<McpCachePromotionProps>, string, RegExp]>([
    ['a stack in the primary region', {}, 'us-east-1', /scope: got "us-east-1"; allowed: a stack in a secondary region/],
    ['no candidate', { candidates: {} }, 'eu-west-1', /candidates: got \[\]; allowed: at least one secondary region/],
    ['an http health URL', { candidates: { 'eu-west-1': { replicationGroupId: 'x', healthUrl: 'http://eu/health' } } }, 'eu-west-1',
      /candidates\.eu-west-1\.healthUrl: got "http:\/\/eu\/health"; allowed: an https:\/\/ URL/],
    ['an http primary health URL', { primaryHealthUrl: 'http://us/ready' }, 'eu-west-1',
      /primaryHealthUrl: got "http:\/\/us\/ready"; allowed: an https:\/\/ URL of the primary region's readiness path/],
    ['the primary as a candidate', { candidates: { 'us-east-1': { replicationGroupId: 'x', healthUrl: 'https://a/b' } } }, 'eu-west-1',
      /candidates\.us-east-1: got "us-east-1"; allowed: secondary regions only/],
    ['neither a metric nor a trigger', { primarySuccessMetric: undefined, extendedOutageSeconds: undefined }, 'eu-west-1',
      /trigger: got undefined; allowed: exactly one of trigger and primarySuccessMetric/],
    ['a re-check interval of 30 s', { recheckIntervalSeconds: 30 }, 'eu-west-1',
      /recheckIntervalSeconds: got 30; allowed: a multiple of 60 from 60 to 3600 \(whole minutes from 1 to 60: an EventBridge schedule\)/],
    ['a re-check interval of 90 s', { recheckIntervalSeconds: 90 }, 'eu-west-1',
      /recheckIntervalSeconds: got 90; allowed: a multiple of 60 from 60 to 3600/],
    ['an outage longer than a day', { extendedOutageSeconds: 2 * 86400 }, 'eu-west-1',
      /extendedOutageSeconds: got 172800; allowed: 1 to 86400 seconds \(CloudWatch evaluates at most one day; the metric's period is 60 s\)/],
    ['an outage of 0 s', { extendedOutageSeconds: 0 }, 'eu-west-1',
      /extendedOutageSeconds: got 0; allowed: 1 to 86400 seconds/],
  ])('refuses %s', (_name, overrides, region, message) => {
    expect(() => build(overrides, region)).toThrow(message);
  });
});
