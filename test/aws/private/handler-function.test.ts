import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  HANDLER_BUNDLE_DIR, HandlerFunction, LIBRARY_HANDLERS, bundleHandler, handlerCode, libraryHandlerDir,
} from '../../../lib/aws/private/handler-function';
import { TEST_ACCOUNT, testApp } from '../../support/app';

// GIVEN a library function WHEN synthesized (its handler bundled in-process)
const app = testApp();
const stack = new Stack(app, 'Fn', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
const LIB_AWS = path.join(__dirname, '..', '..', '..', 'lib', 'aws');
const handlerDir = path.join(LIB_AWS, 'cache-promotion-handler');
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

  test('every handler folder of the library is registered, so the build bundles it', () => {
    // A handler folder: index.ts exporting the Lambda entry point `handler`.
    const dirs = fs.readdirSync(LIB_AWS).filter((d) => fs.existsSync(path.join(LIB_AWS, d, 'index.ts'))
      && /export (async function|const) handler\b/.test(fs.readFileSync(path.join(LIB_AWS, d, 'index.ts'), 'utf8')));
    expect(dirs.sort()).toEqual(Object.keys(LIBRARY_HANDLERS).sort());
    for (const name of dirs) expect(libraryHandlerDir(name)).toBe(path.join(LIB_AWS, name));
  });

  test('a prebuilt bundle (the published package) is used as it is, and hashes to the same asset as bundling at synth', () => {
    // GIVEN a copy of the handler folder with the bundle the build writes
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-handler-'));
    try {
      const copy = path.join(tmp, 'cache-promotion-handler');
      fs.mkdirSync(path.join(copy, HANDLER_BUNDLE_DIR), { recursive: true });
      bundleHandler(path.join(handlerDir, 'index.ts'), path.join(copy, HANDLER_BUNDLE_DIR, 'index.js'), LIBRARY_HANDLERS['cache-promotion-handler']);
      // WHEN a stack uses it
      const app2 = testApp();
      const s2 = new Stack(app2, 'Fn', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
      new HandlerFunction(s2, 'Handler', { handlerDir: copy, description: 'test function', timeout: Duration.seconds(30), reservedConcurrentExecutions: 1 });
      // THEN the function's code is the same asset as the one bundled at synth
      const code = (tpl: Template) => Object.values(tpl.findResources('AWS::Lambda::Function'))[0].Properties.Code;
      expect(code(Template.fromStack(s2))).toEqual(code(t));
      // AND a folder with neither a bundle nor a source is a clear error
      fs.rmSync(path.join(copy, HANDLER_BUNDLE_DIR), { recursive: true });
      expect(() => handlerCode(copy)).toThrow(/bundle\/index\.js is missing \(the package's build bundles every handler\): reinstall the package/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
