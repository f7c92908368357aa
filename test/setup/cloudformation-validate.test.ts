/**
 * The worker-level CloudFormation Validate engine (test/setup/environment.js) validates exactly as the package
 * does: same report for the same template, and a synth with a CloudFormation error still fails.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as path from 'path';
import { testApp } from '../support/app';

/** The part of @aws/cloudformation-validate aws-cdk-lib uses. */
interface ValidateModule {
  CompositeEngine: new (config: object) => { validateTemplate(template: unknown, options: object): unknown; free(): void };
  TemplateContent: new (content: string, name: string) => unknown;
  version(): string;
}

// What aws-cdk-lib loads under jest (moduleNameMapper), and the package itself, by absolute path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mapped = require('@aws/cloudformation-validate') as ValidateModule;
const shared = (globalThis as unknown as Record<string, { modulePath: string } | undefined>).__mcpHaSharedCloudFormationValidate;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require(shared!.modulePath) as ValidateModule;

const TEMPLATE = JSON.stringify({
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic', Properties: { Bogus: 1, TopicName: 7 } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
  },
});
const OPTIONS = { detailLevel: 'STANDARD', severityLevel: 'WARN', exclude: { ids: ['W3005'] } };

/** The report without its timings. */
function report(engineModule: ValidateModule): unknown {
  const engine = new engineModule.CompositeEngine({});
  try {
    const r = engine.validateTemplate(new engineModule.TemplateContent(TEMPLATE, 't.json'), OPTIONS) as { performance?: unknown };
    return { ...r, performance: undefined };
  } finally {
    engine.free();
  }
}

describe('CloudFormation Validate, one engine per jest worker', () => {
  test('jest maps the package to the shared engine, which exists in this environment', () => {
    expect(shared).toBeDefined();
    expect(path.basename(path.dirname(shared!.modulePath))).toBe('cloudformation-validate');
    expect(mapped).not.toBe(pkg);
  });

  test('the shared engine reports what the package\'s own engine reports, finding by finding', () => {
    const fromPackage = report(pkg) as { diagnostics: { ruleId: string; propertyPath?: string }[] };
    // GIVEN a template with three schema errors, the package finds them
    expect(fromPackage.diagnostics.map((d) => `${d.ruleId} ${d.propertyPath}`)).toEqual(expect.arrayContaining([
      expect.stringMatching(/Properties\.Bogus$/), expect.stringMatching(/Properties\.TopicName$/), expect.stringMatching(/Properties\.VisibilityTimeout$/),
    ]));
    // THEN the shared engine's report is the same, twice (the second time from the kept engine)
    expect(report(mapped)).toEqual(fromPackage);
    expect(report(mapped)).toEqual(fromPackage);
    expect(mapped.version()).toBe(pkg.version());
  });

  test('a synth with a CloudFormation schema error still fails (the feature flag the test apps carry)', () => {
    const app = testApp();
    const stack = new Stack(app, 'Invalid', { env: { account: '111111111111', region: 'us-east-1' } });
    new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: { Bogus: 1 } });
    expect(() => app.synth()).toThrow(/Bogus/);
  });
});
