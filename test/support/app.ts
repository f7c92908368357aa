/**
 * Test apps carry the same feature flags as the reference apps (cdk.json's
 * context), so a test synthesizes what `cdk synth` would: in particular
 * @aws-cdk/core:validateAgainstDefaultRules, which fails synth on a
 * CloudFormation-Validate finding instead of printing a warning.
 */
import { App, AppProps, Stack, StackProps } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The context of the repo's cdk.json (feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
}

/** An App with the repo's feature flags. */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...cdkJsonContext(), ...(props.context ?? {}) } });
}

/** A stack in a fixed account and region (three dummy zones from the default context). */
export function testStack(app: App = testApp(), id = 'Test', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' }, ...props });
}
