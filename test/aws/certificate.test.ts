import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { testApp } from '../support/app';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CERTIFICATE_TAG_KEY, VaultAuthentication, VaultIssuedCertificate, VaultIssuedCertificateProps,
} from '../../lib/aws/certificate';
import type { HandlerConfig } from '../../lib/aws/certificate-handler';
import { generateTestPki, removeTestPki } from '../support/vault-fake';

const env = { account: '111111111111', region: 'us-east-1' };
const testPki = generateTestPki();
const CA_PEM = testPki.tlsCaPem;
afterAll(() => removeTestPki(testPki));

// GIVEN a stack with the default certificate on an HTTPS listener (snapshot, cdk-nag, assertions)
const app = testApp();
const stack = new Stack(app, 'Test', { env });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
const cert = new VaultIssuedCertificate(stack, 'Cert', {
  vpc,
  vaultAddress: 'https://vault.internal.example.com',
  role: 'mcp',
  commonName: 'mcp.internal.example.com',
});
const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
alb.addListener('Https', {
  port: 443,
  certificates: [cert.certificate],
  sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
  defaultAction: elbv2.ListenerAction.fixedResponse(200),
});
const template = Template.fromStack(stack);

// GIVEN overrides: token auth on port 8200 with a CA bundle, alarm topic, RETAIN; and an IAM-auth variant with a server ID
const overrideStack = new Stack(testApp(), 'Overrides', { env });
const overrideVpc = new ec2.Vpc(overrideStack, 'Vpc', { maxAzs: 3 });
const topic = new sns.Topic(overrideStack, 'Alarms', { enforceSSL: true });
const tokenSecret = secretsmanager.Secret.fromSecretCompleteArn(overrideStack, 'Token', 'arn:aws:secretsmanager:us-east-1:111111111111:secret:vault-token-AbCdEf');
const tokenCert = new VaultIssuedCertificate(overrideStack, 'TokenCert', {
  vpc: overrideVpc,
  vaultAddress: 'https://vault.internal.example.com:8200/',
  caBundlePem: CA_PEM,
  pkiMount: 'pki/int',
  role: 'web-server',
  commonName: '*.mcp.internal.example.com',
  subjectAlternativeNames: ['mcp.internal.example.com', 'MCP.internal.example.com', '*.mcp.internal.example.com'],
  ttlDays: 60,
  rotationDays: 20,
  warningDays: 10,
  maxTtlDays: 90,
  authentication: VaultAuthentication.token(tokenSecret, 'token'),
  alarmTopic: topic,
  removalPolicy: RemovalPolicy.RETAIN,
});
const iamCert = new VaultIssuedCertificate(overrideStack, 'IamCert', {
  vpc: overrideVpc,
  vaultAddress: 'https://vault.internal.example.com',
  role: 'mcp',
  commonName: 'api.internal.example.com',
  ttlDays: 120,
  rotationDays: 100,
  warningDays: 5,
  revokeOnDelete: true,
  authentication: VaultAuthentication.awsIam({ vaultRole: 'lambda-issuer', mount: 'aws-prod', iamServerIdHeader: 'vault.internal.example.com' }),
});
const overrideTemplate = Template.fromStack(overrideStack);

// Bad inputs are built (never synthesized) in one stack.
const errorStack = new Stack(testApp(), 'Errors', { env });
const errorVpc = new ec2.Vpc(errorStack, 'Vpc', { maxAzs: 3 });
let errorId = 0;
function build(props: Partial<VaultIssuedCertificateProps>): () => VaultIssuedCertificate {
  return () => new VaultIssuedCertificate(errorStack, `Bad${errorId++}`, {
    vpc: errorVpc, vaultAddress: 'https://vault.example.com', role: 'mcp', commonName: 'mcp.example.com', ...props,
  });
}

function logicalId(t: Template, type: string, prefix: string): string {
  const id = Object.keys(t.findResources(type)).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no ${type} ${prefix}`);
  return id;
}

/** The logical ID of a construct's CloudFormation resource in its stack. */
function cfnId(c: import('constructs').IConstruct): string {
  const el = c.node.defaultChild as import('aws-cdk-lib').CfnElement;
  return Stack.of(el).getLogicalId(el);
}

function configOf(t: Template, prefix: string): HandlerConfig {
  const resources = t.findResources('Custom::VaultIssuedCertificate');
  const id = Object.keys(resources).find((k) => k.startsWith(prefix))!;
  const raw = resources[id].Properties.Config;
  return JSON.parse(typeof raw === 'string' ? raw : JSON.stringify(raw)) as HandlerConfig;
}

describe('VaultIssuedCertificate defaults', () => {
  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('a custom resource carries the configuration (no secret, no key) and its ARN is the certificate', () => {
    // THEN
    const config = configOf(template, 'Cert');
    expect(config).toEqual({
      vaultAddress: 'https://vault.internal.example.com',
      pkiMount: 'pki',
      role: 'mcp',
      commonName: 'mcp.internal.example.com',
      altNames: [],
      ttl: '1080h',
      minValidDays: 30,
      auth: { method: 'aws-iam', vaultRole: 'mcp', awsAuthMount: 'aws' },
      tagKey: CERTIFICATE_TAG_KEY,
      tagValue: 'Test/Cert',
      retainOnDelete: false,
      revokeOnDelete: false,
      caParameterName: cert.caParameterName,
    });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/PRIVATE KEY/);
    expect(stack.resolve(cert.certificateArn)).toEqual({ Ref: logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert') });
    expect(cert.policy).toMatchObject({ ttlDays: 45, rotationDays: 30, warningDays: 7, daysLeftAtRotation: 15 });
  });

  test('the CA chain Vault returns goes to an SSM parameter only this function may write; callers of the service trust it', () => {
    expect(cert.caParameterName).toMatch(/^\/mcp-ha\/Test\/[0-9a-f]{42}\/ca-chain$/);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const write = statements.filter((st: { Action: unknown }) => JSON.stringify(st.Action).includes('ssm:'));
    expect(write).toEqual([expect.objectContaining({
      Action: ['ssm:DeleteParameter', 'ssm:PutParameter'],
      Resource: `arn:aws:ssm:us-east-1:111111111111:parameter${cert.caParameterName}`,
    })]);
    // The certificate a topology binds leads back to this CA; a public certificate has none.
    const trusted = VaultIssuedCertificate.trustedCaOf(cert.certificate);
    expect(trusted?.parameterName).toBe(cert.caParameterName);
    expect(VaultIssuedCertificate.trustedCaOf(acm.Certificate.fromCertificateArn(new Stack(testApp(), 'P'), 'Public', 'arn:aws:acm:us-east-1:111111111111:certificate/x'))).toBeUndefined();
  });

  test('CloudFormation invokes the certificate function itself, and waits at most 35 minutes (three 10-minute runs)', () => {
    const [resource] = Object.values(template.findResources('Custom::VaultIssuedCertificate'));
    expect(resource.Properties.ServiceToken).toEqual(stack.resolve(cert.handler.functionArn));
    expect(resource.Properties.ServiceTimeout).toBe('2100');
    expect(cert.handler.timeout?.toSeconds()).toBe(600);
    // One function of its own: no Provider framework (a second function, role and log group).
    const own = (type: string) => Object.keys(template.findResources(type)).filter((id) => id.startsWith('Cert'));
    expect(own('AWS::Lambda::Function')).toHaveLength(1);
    expect(own('AWS::Logs::LogGroup')).toHaveLength(1);
  });

  test('the HTTPS listener uses the custom resource ARN (unchanged by rotation)', () => {
    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert') } }],
    });
  });

  test('the function: newest Node.js runtime, in the private subnets, a security group with egress to 443 only', () => {
    // THEN
    const fnId = logicalId(template, 'AWS::Lambda::Function', 'CertFunction');
    const fn = template.findResources('AWS::Lambda::Function')[fnId].Properties;
    expect(fn.Runtime).toBe('nodejs24.x');
    const privateSubnets = vpc.privateSubnets.map((s) => stack.resolve(s.subnetId));
    expect(fn.VpcConfig.SubnetIds).toEqual(privateSubnets);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Vault certificate function'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() }],
    });
    expect(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('Vault certificate') } }))
      .not.toEqual({});
  });

  test('rotation: an EventBridge Scheduler schedule every 30 days sends a rotate event with the same ARN', () => {
    // THEN
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    const [schedule] = Object.values(schedules);
    expect(schedule.Properties.ScheduleExpression).toBe('rate(30 days)');
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 5 });
    const input = JSON.stringify(schedule.Properties.Target.Input);
    expect(input).toContain('\\"action\\":\\"rotate\\"');
    expect(input).toContain(logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert'));
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert')]));
    // The exposed schedule is this one, and it invokes the certificate's own function.
    expect(Object.keys(schedules)).toEqual([cfnId(cert.rotationSchedule)]);
    expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [cfnId(cert.handler), 'Arn'] });
  });

  test('expiry alarm: ACM DaysToExpiry <= 7 for this certificate', () => {
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/CertificateManager',
      MetricName: 'DaysToExpiry',
      Dimensions: [{ Name: 'CertificateArn', Value: { Ref: logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert') } }],
      Statistic: 'Minimum',
      Period: 86400,
      Threshold: 7,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
  });

  test('rotation-failure alarm: any error of the function within an hour, no actions without a topic', () => {
    // THEN
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(template, 'AWS::Lambda::Function', 'CertFunction') } }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: Match.stringLikeRegexp('leaves 15 days before expiry'),
    });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  test('IAM: no wildcard action; ACM limited by the construct\'s tag; logs to its own group', () => {
    // THEN
    const policies = template.findResources('AWS::IAM::Policy');
    const roleId = logicalId(template, 'AWS::IAM::Role', 'CertRole');
    const own = Object.values(policies).find((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    const statements = own.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
    for (const s of statements) {
      for (const a of [s.Action].flat() as string[]) expect(a).not.toContain('*');
    }
    const certArn = 'arn:aws:acm:us-east-1:111111111111:certificate/*';
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Sid: 'ImportNewTaggedCertificate',
        Action: ['acm:AddTagsToCertificate', 'acm:ImportCertificate'],
        Resource: certArn,
        Condition: {
          'StringEquals': { 'aws:RequestTag/mcp-ha:certificate': 'Test/Cert' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['mcp-ha:certificate'] },
        },
      }),
      expect.objectContaining({
        Sid: 'ManageOwnCertificate',
        Action: ['acm:DeleteCertificate', 'acm:DescribeCertificate', 'acm:ImportCertificate'],
        Resource: certArn,
        Condition: { StringEquals: { 'aws:ResourceTag/mcp-ha:certificate': 'Test/Cert' } },
      }),
      expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
    ]));
    expect(JSON.stringify(statements)).not.toContain('secretsmanager');
  });

  test('the handler bundle includes the signer, SHA-256 and credential chain; only the two SDK clients stay external', () => {
    // THEN the asset directory holds one bundled file that requires only runtime modules
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(template, 'AWS::Lambda::Function', 'CertFunction')];
    const assetHash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    const bundle = fs.readFileSync(path.join(app.outdir, `asset.${assetHash}`, 'index.js'), 'utf8');
    const required = [...new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].filter((m) => !m.startsWith('node:') && m !== 'buffer');
    expect(required.sort()).toEqual(['@aws-sdk/client-acm', '@aws-sdk/client-secrets-manager', '@aws-sdk/signature-v4-crt'].sort());
    // (signature-v4-crt appears only inside an error message string of the optional CRT signer)
    expect(bundle).toContain('AWS4-HMAC-SHA256');
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    // WHEN
    const report = new AwsSolutionsChecks(app).validateScope(stack.node.findChild('Cert'));
    const stackReport = new AwsSolutionsChecks(app).validateScope(stack);
    // THEN
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
    // AND nothing outside the construct (the listener's own findings aside) comes from it: no stack-wide scheduler role
    expect(stackReport.violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath)).filter((p) => !(p ?? '').startsWith('Test/Vpc') && !(p ?? '').startsWith('Test/Alb')))
      .toEqual([]);
  });

  test('exposes what it created', () => {
    const resources = template.toJSON().Resources;
    // The handler is the function the custom resource invokes, and it runs in the exposed security group.
    expect(resources[logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert')].Properties.ServiceToken)
      .toEqual({ 'Fn::GetAtt': [cfnId(cert.handler), 'Arn'] });
    expect(resources[cfnId(cert.handler)].Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [cfnId(cert.securityGroup!), 'GroupId'] }]);
    // The expiry alarm watches this certificate's days to expiry; the failure alarm this function's errors.
    expect(resources[cfnId(cert.expiryAlarm)].Properties).toMatchObject({
      Namespace: 'AWS/CertificateManager', MetricName: 'DaysToExpiry', ComparisonOperator: 'LessThanOrEqualToThreshold',
      Dimensions: [{ Name: 'CertificateArn', Value: { Ref: logicalId(template, 'Custom::VaultIssuedCertificate', 'Cert') } }],
    });
    expect(resources[cfnId(cert.rotationFailureAlarm)].Properties).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: cfnId(cert.handler) } }],
    });
    expect(cert.daysToExpiryMetric.metricName).toBe('DaysToExpiry');
    expect(cert.tagValue).toBe('Test/Cert');
  });
});

describe('VaultIssuedCertificate overrides', () => {
  test('token auth, CA bundle, nested mount, wildcard, deduplicated SANs, RETAIN', () => {
    // THEN
    const config = configOf(overrideTemplate, 'TokenCert');
    expect(config).toMatchObject({
      vaultAddress: 'https://vault.internal.example.com:8200',
      caBundlePem: CA_PEM,
      pkiMount: 'pki/int',
      role: 'web-server',
      commonName: '*.mcp.internal.example.com',
      altNames: ['mcp.internal.example.com'],
      ttl: '1440h',
      minValidDays: 20,
      auth: { method: 'token', tokenSecretId: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:vault-token-AbCdEf', tokenJsonField: 'token' },
      retainOnDelete: true,
      revokeOnDelete: false,
      caParameterName: tokenCert.caParameterName,
    });
    expect(tokenCert.policy.subjectAlternativeNames).toEqual(['mcp.internal.example.com']);
  });

  test('token auth: the function may read only that secret', () => {
    const roleId = logicalId(overrideTemplate, 'AWS::IAM::Role', 'TokenCertRole');
    overrideTemplate.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          Resource: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:vault-token-AbCdEf',
        }]),
      },
    });
  });

  test('Vault on port 8200: egress to 443 and 8200 only', () => {
    overrideTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('TokenCert'),
      SecurityGroupEgress: [
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 8200, ToPort: 8200 }),
      ],
    });
  });

  test('rotation every rotationDays, warning at warningDays, both alarms to the topic', () => {
    const schedules = Object.values(overrideTemplate.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties.ScheduleExpression);
    expect(schedules.sort()).toEqual(['rate(100 days)', 'rate(20 days)']);
    overrideTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DaysToExpiry', Threshold: 10,
      AlarmActions: [{ Ref: logicalId(overrideTemplate, 'AWS::SNS::Topic', 'Alarms') }],
      OKActions: [{ Ref: logicalId(overrideTemplate, 'AWS::SNS::Topic', 'Alarms') }],
    });
    overrideTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors', AlarmActions: [{ Ref: logicalId(overrideTemplate, 'AWS::SNS::Topic', 'Alarms') }],
    });
    overrideTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DaysToExpiry', Threshold: 5 });
  });

  test('AWS IAM auth with a Vault role, mount and server ID; revokeOnDelete', () => {
    expect(configOf(overrideTemplate, 'IamCert')).toMatchObject({
      auth: { method: 'aws-iam', vaultRole: 'lambda-issuer', awsAuthMount: 'aws-prod', iamServerIdHeader: 'vault.internal.example.com' },
      revokeOnDelete: true,
      retainOnDelete: false,
      ttl: '2880h',
    });
    // Its function runs in the security group it exposes.
    const fn = overrideTemplate.toJSON().Resources[cfnId(iamCert.handler)];
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [cfnId(iamCert.securityGroup!), 'GroupId'] }]);
  });

  test('a TTL beyond the guide\'s 30-90 day lifecycles is accepted with a warning', () => {
    Annotations.fromStack(overrideStack).hasWarning('/Overrides/IamCert', Match.stringLikeRegexp('ttlDays 120 is longer than the guide\'s 30-90 day lifecycles'));
  });

  test('McpLoadBalancer accepts the certificate unchanged', () => {
    // GIVEN (built lazily: load-balancer.ts belongs to another building block)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { McpLoadBalancer } = require('../../lib/aws/load-balancer') as typeof import('../../lib/aws/load-balancer');
    const lbStack = new Stack(testApp(), 'Lb', { env });
    const lbVpc = new ec2.Vpc(lbStack, 'Vpc', { maxAzs: 3 });
    const lbCert = new VaultIssuedCertificate(lbStack, 'Cert', { vpc: lbVpc, vaultAddress: 'https://vault.example.com', role: 'mcp', commonName: 'mcp.example.com' });
    // WHEN
    new McpLoadBalancer(lbStack, 'Lb', { vpc: lbVpc, certificate: lbCert.certificate });
    // THEN
    const t = Template.fromStack(lbStack);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: logicalId(t, 'Custom::VaultIssuedCertificate', 'Cert') } }],
    });
  });
});

describe('VaultIssuedCertificate bad input', () => {
  test.each([
    ['vaultAddress not https', { vaultAddress: 'http://vault.example.com:8200' }, /vaultAddress: got "http:\/\/vault\.example\.com:8200"; allowed: an https:\/\/ URL of Vault/],
    ['rotation not shorter than the TTL', { ttlDays: 30, rotationDays: 30 }, /rotationDays: got 30; allowed: fewer days than ttlDays \(30\)/],
    ['warning fires before every rotation', { ttlDays: 45, rotationDays: 30, warningDays: 15 }, /warningDays: got 15; allowed: fewer days than are left when the scheduled rotation runs \(ttlDays 45 - rotationDays 30 = 15\)/],
    ['empty common name', { commonName: '' }, /commonName: got ""; allowed: a DNS name such as "mcp\.example\.com" \(required/],
    ['wildcard not leftmost', { commonName: 'mcp.*.example.com' }, /commonName: got "mcp\.\*\.example\.com"; allowed: a DNS name of at least two labels .*wildcard "\*\.example\.com" whose "\*" is the whole leftmost label/],
    ['invalid SAN', { subjectAlternativeNames: ['ok.example.com', 'bad_name.example.com'] }, /subjectAlternativeNames\[1\]: got "bad_name\.example\.com"/],
    ['TTL above the role maximum', { ttlDays: 60, maxTtlDays: 30 }, /ttlDays: got 60; allowed: at most maxTtlDays \(30\), the role's max_ttl/],
    ['CA bundle that is not a certificate', { caBundlePem: 'not a pem' }, /caBundlePem: got "not a pem\.\.\."; allowed: one or more PEM certificates/],
    ['a private key given as CA bundle', { caBundlePem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----' }, /caBundlePem: got "\(a PEM containing a private key; not shown\)"; allowed: CA certificates only/],
    ['bad mount', { pkiMount: '/pki/' }, /pkiMount: got "\/pki\/"; allowed: a Vault mount path/],
    ['bad role', { role: 'web server' }, /role: got "web server"; allowed: the name of a PKI role/],
    ['fractional days', { ttlDays: 45.5 }, /ttlDays: got 45\.5; allowed: a whole number of days from 2 to 825/],
    ['zero rotation', { rotationDays: 0 }, /rotationDays: got 0; allowed: a whole number of days from 1 to 365/],
    ['snapshot removal', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy: got "snapshot"; allowed: one of "destroy", "retain" \(DESTROY deletes the ACM certificate/],
    ['revoke but retain', { revokeOnDelete: true, removalPolicy: RemovalPolicy.RETAIN }, /revokeOnDelete: got true; allowed: false when removalPolicy is RETAIN/],
    ['bad server ID header', { authentication: VaultAuthentication.awsIam({ iamServerIdHeader: 'bad\nvalue' }) }, /auth\.iamServerIdHeader: got "bad\\nvalue"; allowed: 1 to 255 printable ASCII characters/],
    ['bad Vault auth role', { authentication: VaultAuthentication.awsIam({ vaultRole: 'a/b' }) }, /auth\.vaultRole: got "a\/b"; allowed: the name of a role of Vault's AWS auth method/],
  ])('%s', (_name, props, message) => {
    expect(build(props as Partial<VaultIssuedCertificateProps>)).toThrow(message);
  });

  test('every problem in one error naming the construct path', () => {
    expect(build({ vaultAddress: 'ftp://x', commonName: '', ttlDays: 10, rotationDays: 20 }))
      .toThrow(/^Errors\/Bad\d+: 3 invalid settings\n {2}- vaultAddress: .*\n {2}- commonName: .*\n {2}- rotationDays: got 20/);
  });
});
