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

/** The test account's availability zones (what `cdk.context.json` would hold after a lookup). */
export const TEST_ACCOUNT = '111111111111';
const TEST_ZONES: Record<string, string[]> = {
  'us-east-1': ['a', 'b', 'c', 'd', 'e', 'f'].map((z) => `us-east-1${z}`),
  'us-east-2': ['a', 'b', 'c'].map((z) => `us-east-2${z}`),
  'us-west-2': ['a', 'b', 'c', 'd'].map((z) => `us-west-2${z}`),
  'eu-west-1': ['a', 'b', 'c'].map((z) => `eu-west-1${z}`),
  'eu-central-1': ['a', 'b', 'c'].map((z) => `eu-central-1${z}`),
  'ap-southeast-2': ['a', 'b', 'c'].map((z) => `ap-southeast-2${z}`),
};
const ZONE_CONTEXT = Object.fromEntries(Object.entries(TEST_ZONES).map(([region, zones]) =>
  [`availability-zones:account=${TEST_ACCOUNT}:region=${region}`, zones]));

/** An App with the repo's feature flags (and the test account's zones). */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...cdkJsonContext(), ...ZONE_CONTEXT, ...(props.context ?? {}) } });
}

/** A stack in a fixed account and region (three dummy zones from the default context). */
export function testStack(app: App = testApp(), id = 'Test', props: StackProps = {}): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' }, ...props });
}
