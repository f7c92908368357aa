import { testApp } from '../support/app';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { McpProbe, McpProbeProps, TrustedCa } from '../../lib/aws/mcp-probe';
import { generateTestPki, removeTestPki } from '../support/vault-fake';
import { mcpProbeTerms } from '../../lib/core/failover-budget';

const ENV = { account: '111111111111', region: 'us-east-1' };
const URL = 'https://mcp.example.com/mcp';

// GIVEN one stack with the default probe, one with every override (synthesized once each)
const app = testApp();
const defaultStack = new Stack(app, 'Default', { env: ENV });
const probe = new McpProbe(defaultStack, 'Probe', { url: URL });

const customStack = new Stack(app, 'Custom', { env: ENV });
const vpc = new ec2.Vpc(customStack, 'Vpc', { maxAzs: 3 });
const secret = new secretsmanager.Secret(customStack, 'Token');
const key = new kms.Key(customStack, 'LogKey', { enableKeyRotation: true });
const sg = new ec2.SecurityGroup(customStack, 'ProbeSg', { vpc });
const custom = new McpProbe(customStack, 'Probe', {
  url: 'https://internal.example.com/mcp',
  endpointName: 'internal',
  namespace: 'Acme/McpProbe',
  intervalSeconds: 300,
  timeoutSeconds: 25,
  minToolCount: 3,
  evaluationPeriods: 3,
  authTokenSecret: secret,
  authTokenJsonField: 'token',
  tokenCacheSeconds: 600,
  vpc,
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  securityGroups: [sg],
  logEncryptionKey: key,
  logRetention: logs.RetentionDays.ONE_YEAR,
});
const defaults = Template.fromStack(defaultStack);
const customTemplate = Template.fromStack(customStack);

describe('McpProbe defaults', () => {
  test('snapshot', () => {
    expect(defaults.toJSON()).toMatchSnapshot();
  });

  test('a Node.js 24 function, bundled locally, X-Ray on, reserved concurrency 1, no retries', () => {
    defaults.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 1,
      Timeout: 20,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('ProbeLogGroup') } },
      Environment: {
        Variables: {
          MCP_PROBE_URL: URL,
          MCP_PROBE_ENDPOINT: URL,
          MCP_PROBE_NAMESPACE: 'McpHa/Probe',
          MCP_PROBE_TIMEOUT_MS: '10000',
          MCP_PROBE_MIN_TOOLS: '1',
        },
      },
    });
    defaults.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 });
    // No token secret configured: no token variables, no Secrets Manager permission
    const fn = Object.values(defaults.findResources('AWS::Lambda::Function'))[0];
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('MCP_PROBE_TOKEN_SECRET_ARN');
    expect(JSON.stringify(defaults.findResources('AWS::IAM::Policy'))).not.toContain('secretsmanager');
  });

  test('runs every minute from an EventBridge rule without retries', () => {
    defaults.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    defaults.resourceCountIs('AWS::Lambda::Permission', 1);
  });

  test('the role writes its own log group only (no managed policy, no PutMetricData: metrics go out as EMF)', () => {
    const role = Object.values(defaults.findResources('AWS::IAM::Role'))[0];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    defaults.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeLogGroup'), 'Arn'] } },
          { Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Effect: 'Allow', Resource: '*' },
        ],
      },
    });
    expect(JSON.stringify(defaults.toJSON())).not.toContain('cloudwatch:PutMetricData');
  });

  test('log group: retention and a rotating KMS key that CloudWatch Logs may use for this account', () => {
    defaults.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeKey'), 'Arn'] } });
    defaults.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
    defaults.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  test('alarm: plain single-metric, standard resolution, Minimum of Success < 1 for 2 of 2 periods of 60 s, missing data breaching', () => {
    defaults.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'McpHa/Probe',
      MetricName: 'Success',
      Dimensions: [{ Name: 'Endpoint', Value: URL }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
    // Route 53 alarm health checks accept neither metric math nor extended statistics
    const alarm = Object.values(defaults.findResources('AWS::CloudWatch::Alarm'))[0];
    expect(alarm.Properties.Metrics).toBeUndefined();
    expect(alarm.Properties.ExtendedStatistic).toBeUndefined();
  });

  test('exposes metrics, alarm and the detection terms from core', () => {
    expect(probe.successMetric.metricName).toBe('Success');
    expect(probe.latencyMetric.metricName).toBe('LatencyMs');
    expect(probe.toolCountMetric.metricName).toBe('ToolCount');
    expect(probe.successMetric.period.toSeconds()).toBe(60);
    expect(probe.detectionTerms).toEqual(mcpProbeTerms({ scheduleSeconds: 60, periodSeconds: 60, evaluationPeriods: 2 }));
    expect(probe.detectionTerms.map((t) => t.name)).toEqual(['mcp-probe-schedule', 'mcp-probe-alarm', 'route53-alarm-polling']);
    expect(probe.detectionSeconds).toBe(60 + 120 + 30);
    expect(probe.intervalSeconds).toBe(60);
    expect(probe.evaluationPeriods).toBe(2);
    expect(probe.function.node.id).toBe('Function');
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(app).validateScope(defaultStack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('NIST 800-53 R5, HIPAA, PCI DSS and Serverless packs: no unacknowledged finding (no DLQ, outside a VPC: acknowledged with reasons)', () => {
    for (const pack of [new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app), new ServerlessChecks(app)]) {
      expect(pack.validateScope(probe).violations).toEqual([]);
    }
  });
});

describe('McpProbe overrides', () => {
  test('schedule, timeout, namespace, endpoint name, minimum tools', () => {
    customTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    customTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 35,
      Environment: {
        Variables: Match.objectLike({
          MCP_PROBE_URL: 'https://internal.example.com/mcp',
          MCP_PROBE_ENDPOINT: 'internal',
          MCP_PROBE_NAMESPACE: 'Acme/McpProbe',
          MCP_PROBE_TIMEOUT_MS: '25000',
          MCP_PROBE_MIN_TOOLS: '3',
        }),
      },
    });
    // The alarm period follows the schedule, so each period holds one run
    customTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Acme/McpProbe',
      Dimensions: [{ Name: 'Endpoint', Value: 'internal' }],
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(custom.detectionSeconds).toBe(300 + 900 + 30);
  });

  test('token secret: its ARN and field in the environment, read access to that secret only', () => {
    customTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MCP_PROBE_TOKEN_SECRET_ARN: { Ref: Match.stringLikeRegexp('Token') },
          MCP_PROBE_TOKEN_JSON_FIELD: 'token',
          MCP_PROBE_TOKEN_CACHE_SECONDS: '600',
        }),
      },
    });
    customTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('Token') } },
        ]),
      },
    });
  });

  test('in the VPC with the given subnets and security group, and the Lambda VPC access policy', () => {
    customTemplate.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ProbeSg'), 'GroupId'] }],
        SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }]),
      },
    });
    customTemplate.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] }],
    });
  });

  test('the given key and retention; no key created', () => {
    customTemplate.resourceCountIs('AWS::KMS::Key', 1);
    customTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LogKey'), 'Arn'] } });
    expect(custom.logEncryptionKey).toBe(key);
  });

  test('cdk-nag AwsSolutions: the probe has no unacknowledged finding in a VPC with a secret (IAM4 acknowledged)', () => {
    // The test's VPC and secret are fixtures; the probe's own subtree is checked.
    const report = new AwsSolutionsChecks(app).validateScope(custom);
    expect(report.violations).toEqual([]);
  });
});

describe('McpProbe bad input', () => {
  function build(props: Partial<McpProbeProps>, withVpc = false): () => McpProbe {
    return () => {
      const stack = new Stack(testApp(), 'Bad', { env: ENV });
      const extra: Partial<McpProbeProps> = withVpc ? { vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 }) } : {};
      return new McpProbe(stack, 'Probe', { url: URL, ...extra, ...props });
    };
  }

  test('a URL that is not https', () => {
    expect(build({ url: 'http://mcp.example.com/mcp' })).toThrow(
      /Bad\/Probe: 1 invalid setting\n {2}- url: got "http:\/\/mcp\.example\.com\/mcp"; allowed: an https:\/\/ URL/,
    );
    expect(build({ url: 'not a url' })).toThrow(/url: got "not a url"; allowed: an https:\/\/ URL/);
  });

  test('a schedule below 1 minute, above an hour or not in whole minutes', () => {
    expect(build({ intervalSeconds: 30 })).toThrow(/intervalSeconds: got 30; allowed: a multiple of 60 from 60 to 3600 \(whole minutes from 1 to 60\): EventBridge schedules run at most once a minute/);
    expect(build({ intervalSeconds: 90 })).toThrow(/intervalSeconds: got 90; allowed: a multiple of 60 from 60 to 3600/);
    expect(build({ intervalSeconds: 3660 })).toThrow(/intervalSeconds: got 3660; allowed: a multiple of 60 from 60 to 3600/);
    expect(build({ intervalSeconds: 3600 })).not.toThrow();
  });

  test('evaluation periods below 1', () => {
    expect(build({ evaluationPeriods: 0 })).toThrow(/evaluationPeriods: got 0; allowed: an integer from 1 to 1440 \(CloudWatch evaluates at most one day of periods\)/);
  });

  test('a probe timeout above 40 s, below 1 s or fractional', () => {
    expect(build({ timeoutSeconds: 45 })).toThrow(/timeoutSeconds: got 45; allowed: an integer from 1 to 40: one run must end well before the next one starts/);
    expect(build({ timeoutSeconds: 0 })).toThrow(/timeoutSeconds: got 0; allowed: an integer from 1 to 40/);
    expect(build({ timeoutSeconds: 2.5 })).toThrow(/timeoutSeconds: got 2\.5; allowed: an integer from 1 to 40/);
  });

  test('a token cache shorter than a minute or longer than an hour', () => {
    expect(build({ tokenCacheSeconds: 10 })).toThrow(/tokenCacheSeconds: got 10; allowed: an integer from 60 to 3600 \(1 to 60 minutes\)/);
    expect(build({ tokenCacheSeconds: 3601 })).toThrow(/tokenCacheSeconds: got 3601; allowed: an integer from 60 to 3600/);
  });

  test('a namespace reserved for AWS', () => {
    expect(build({ namespace: 'AWS/Probe' })).toThrow(/namespace: got "AWS\/Probe"; allowed: .*not starting with "AWS\/"/);
  });

  test('a JSON field without a secret, subnets without a VPC', () => {
    expect(build({ authTokenJsonField: 'token', vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(
      /2 invalid settings\n {2}- authTokenJsonField: got "token"; allowed: only together with authTokenSecret\n {2}- vpcSubnets: got .*; allowed: only together with vpc/,
    );
  });

  test('an endpoint name longer than a dimension value allows', () => {
    expect(build({ endpointName: 'x'.repeat(256) })).toThrow(/endpointName: got "x{256}"; allowed: 1 to 255 characters/);
  });

  test('every problem in one error', () => {
    expect(build({ url: 'http://x', evaluationPeriods: 0, minToolCount: -1, tokenCacheSeconds: 10 })).toThrow(/4 invalid settings/);
  });

  test('a token URL is accepted unvalidated', () => {
    const stack = new Stack(testApp(), 'Tok', { env: ENV });
    const param = new CfnParameter(stack, 'Url');
    expect(() => new McpProbe(stack, 'Probe', { url: param.valueAsString, endpointName: 'primary' })).not.toThrow();
  });
});

describe('McpProbe trusting a private CA', () => {
  const CA = generateTestPki();
  afterAll(() => removeTestPki(CA));

  function synth(trustedCa: TrustedCa) {
    const stack = new Stack(testApp(), 'Ca', { env: ENV });
    new McpProbe(stack, 'Probe', { url: URL, trustedCa });
    return { template: Template.fromStack(stack) };
  }

  test('an inline CA goes into the function environment', () => {
    const { template } = synth(TrustedCa.fromPem(CA.tlsCaPem));
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MCP_TRUSTED_CA_PEM: CA.tlsCaPem }) } });
  });

  test('a CA parameter: the name in the environment, read access to that parameter only, created after its writer', () => {
    const stack = new Stack(testApp(), 'Ca', { env: ENV });
    const writer = new Construct(stack, 'Writer');
    const p = new McpProbe(stack, 'Probe', { url: URL, trustedCa: TrustedCa.fromParameter('/mcp-ha/Ca/x/ca-chain', writer) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MCP_TRUSTED_CA_PARAMETER: '/mcp-ha/Ca/x/ca-chain' }) } });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([
      Match.objectLike({ Action: 'ssm:GetParameter', Resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/mcp-ha/Ca/x/ca-chain' }),
    ]) } });
    expect(p.function.node.dependencies).toContain(writer);
  });

  test.each<[string, () => TrustedCa, RegExp]>([
    ['not a PEM', () => TrustedCa.fromPem('hello'), /trustedCa: got "hello\.\.\."; allowed: TrustedCa\.fromPem\(\.\.\.\) with one or more PEM certificates/],
    ['a private key', () => TrustedCa.fromPem(CA.serverKeyPem), /trustedCa: got "\(a PEM containing a private key; not shown\)"; allowed: CA certificates only/],
    ['a chain too long for the environment', () => TrustedCa.fromPem(CA.tlsCaPem.repeat(6)),
      /trustedCa: got "TrustedCa\.fromPem\(\d+ characters\)"; allowed: at most 3072 characters \(Lambda environment variables hold 4 KB in all\); .*TrustedCa\.fromParameter/],
    ['a reserved parameter name', () => TrustedCa.fromParameter('/aws/x'), /trustedCa: got "TrustedCa\.fromParameter\('\/aws\/x'\)"; allowed: an SSM parameter name/],
  ])('refuses %s', (_n, ca, message) => {
    expect(() => new McpProbe(new Stack(testApp(), 'Bad', { env: ENV }), 'Probe', { url: URL, trustedCa: ca() })).toThrow(message);
  });
});
