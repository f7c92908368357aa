import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { HandlerFunction, handlerEntry } from '../../../lib/aws/private/handler-function';
import { TEST_ACCOUNT, testApp } from '../../support/app';

// GIVEN a library function WHEN synthesized (its handler bundled in-process)
const app = testApp();
const stack = new Stack(app, 'Fn', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
const handlerDir = path.join(__dirname, '..', '..', '..', 'lib', 'aws', 'cache-promotion-handler');
const fn = new HandlerFunction(stack, 'Handler', { handlerDir, description: 'test function', timeout: Duration.seconds(30), reservedConcurrentExecutions: 1 });
const assembly = app.synth();
const t = Template.fromStack(stack);

describe('HandlerFunction', () => {
  test('newest Node runtime, arm64, active tracing, the bundled index.handler', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' }, ReservedConcurrentExecutions: 1,
    });
  });

  test('the handler is bundled (AWS SDK left to the runtime) into the cloud assembly', () => {
    const asset = fs.readdirSync(assembly.directory).map((d) => path.join(assembly.directory, d, 'index.js')).find((f) => fs.existsSync(f));
    expect(asset).toBeDefined();
    const code = fs.readFileSync(asset!, 'utf8');
    expect(code).toContain('FailoverGlobalReplicationGroupCommand');
    expect(code).toMatch(/require\("@aws-sdk\/client-elasticache"\)/);
  });

  test('logs: a year, encrypted with a rotating key only CloudWatch Logs of this account may use, no grants but by AWS services', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([
        Match.objectLike({ Principal: { Service: 'logs.us-east-1.amazonaws.com' }, Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:111111111111:log-group:*' } } }),
        Match.objectLike({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny', Action: 'kms:CreateGrant' }),
      ]) },
    });
  });

  test('the role may write its own log group and nothing else (plus X-Ray)', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((s: { Action: unknown }) => s.Action)).toEqual([
      ['logs:CreateLogStream', 'logs:PutLogEvents'], ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    ]);
    expect(fn.role.node.path).toBe('Fn/Handler/Role');
  });

  test('the entry is TypeScript in the repository, JavaScript in the published package', () => {
    expect(handlerEntry(handlerDir)).toBe(path.join(handlerDir, 'index.ts'));
    expect(handlerEntry('/nowhere')).toBe('/nowhere/index.js');
  });
});
