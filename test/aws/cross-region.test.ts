import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  CrossRegionValue, PublishedValue, UNREACHABLE_REGIONS_CONTEXT, replicaParameterName, sharedParameterName,
} from '../../lib/aws/cross-region';
import { testApp } from '../support/app';

const ACCOUNT = '111111111111';
const name = sharedParameterName('mcp', 'eu-west-1', 'load-balancer-arn');
const REPLICA = replicaParameterName('eu-west-1', name);

/** A regional stack publishing `arn`, a global stack (us-west-2) reading it. */
function build(arn: string, context: Record<string, unknown> = {}) {
  const app = testApp();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  const regional = new Stack(app, 'Regional', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const global = new Stack(app, 'Global', { env: { account: ACCOUNT, region: 'us-west-2' } });
  const published = new PublishedValue(regional, 'Arn', { parameterName: name, value: arn });
  const read = CrossRegionValue.fromPublished(global, 'EuArn', published);
  // What the global stack does with it (the accelerator's endpoint, in the topologies).
  new ssm.StringParameter(global, 'Uses', { stringValue: read.value });
  return { app, regional, global, published, read, regionalTemplate: Template.fromStack(regional), globalTemplate: Template.fromStack(global) };
}

const ARN_1 = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/1';
const ARN_2 = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/2';
const first = build(ARN_1);
const { regionalTemplate, globalTemplate, global, read } = first;

function copyWriter(t: Template) {
  const found = Object.values(t.findResources('Custom::AWS'));
  expect(found).toHaveLength(1);
  const p = found[0].Properties;
  const call = (k: string) => (p[k] === undefined ? undefined : JSON.parse(JSON.stringify(p[k])));
  return { create: call('Create'), update: call('Update'), del: call('Delete') };
}

describe('values across regions without cross-region references', () => {
  test('deterministic parameter names; the copy is named after the publishing region', () => {
    expect(name).toBe('/mcp-ha/mcp/eu-west-1/load-balancer-arn');
    expect(REPLICA).toBe('/mcp-ha-replica/eu-west-1/mcp-ha/mcp/eu-west-1/load-balancer-arn');
  });

  test('the publishing stack keeps the value in its own region and writes a copy in the reading region (only that copy)', () => {
    regionalTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String', Value: ARN_1 });
    const { create, update, del } = copyWriter(regionalTemplate);
    for (const call of [create, update]) {
      expect(call).toContain('"region":"us-west-2"');
      expect(call).toContain('"action":"putParameter"');
      expect(call).toContain(`"Name":"${REPLICA}"`);
      expect(call).toContain(ARN_1);
    }
    expect(del).toContain('"action":"deleteParameter"');
    regionalTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({
        Action: ['ssm:DeleteParameter', 'ssm:PutParameter'],
        Resource: Match.stringLikeRegexp(`:ssm:us-west-2:${ACCOUNT}:parameter${REPLICA}$`),
      })] },
    });
  });

  test('the reader reads its own region\'s copy as an SSM-typed stack parameter: no function, no call to another region', () => {
    const params = globalTemplate.toJSON().Parameters as Record<string, { Type: string; Default: string }>;
    const ssmParams = Object.entries(params).filter(([, p]) => p.Type === 'AWS::SSM::Parameter::Value<String>' && p.Default.startsWith('/mcp-ha'));
    expect(ssmParams.map(([, p]) => p.Default)).toEqual([REPLICA]);
    expect(global.resolve(read.value)).toEqual({ Ref: ssmParams[0][0] });
    globalTemplate.resourceCountIs('Custom::AWS', 0);
    globalTemplate.resourceCountIs('AWS::Lambda::Function', 0);
    expect(JSON.stringify(globalTemplate.toJSON())).not.toContain('eu-west-1:');
  });

  test('a replaced load balancer (new ARN) rewrites the copy in the same deployment; the reader needs no template change', () => {
    const second = build(ARN_2);
    const before = copyWriter(regionalTemplate);
    const after = copyWriter(second.regionalTemplate);
    // The writer's Update call changes, so CloudFormation runs it when the publishing stack deploys.
    expect(after.update).not.toEqual(before.update);
    expect(after.update).toContain(ARN_2);
    // The reading stack's template is identical: CloudFormation resolves the SSM-typed parameter again at its
    // next deployment (and the CDK CLI deploys a stack with SSM-typed parameters every time).
    expect(second.globalTemplate.toJSON()).toEqual(globalTemplate.toJSON());
  });

  test('nothing changes when the value does not: two syntheses give the same templates (no per-synth token)', () => {
    const again = build(ARN_1);
    expect(again.regionalTemplate.toJSON()).toEqual(regionalTemplate.toJSON());
    expect(again.globalTemplate.toJSON()).toEqual(globalTemplate.toJSON());
  });

  test(`a reading region listed in ${UNREACHABLE_REGIONS_CONTEXT} gets no call in this deployment (its copy keeps the last value)`, () => {
    for (const context of ['us-west-2', 'ap-southeast-2, us-west-2', ['us-west-2']]) {
      const pinned = build(ARN_2, { [UNREACHABLE_REGIONS_CONTEXT]: context });
      const { create, update } = copyWriter(pinned.regionalTemplate);
      expect(update).toBeUndefined();
      expect(create).toContain(ARN_2);
    }
    expect(copyWriter(build(ARN_2, { [UNREACHABLE_REGIONS_CONTEXT]: 'ap-southeast-2' }).regionalTemplate).update).toContain(ARN_2);
  });

  test('a reader in the publishing region reads the published parameter itself, and no copy is written', () => {
    const app = testApp();
    const s = new Stack(app, 'Same', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const p = new PublishedValue(s, 'P', { parameterName: '/x', value: 'v' });
    const r = CrossRegionValue.fromPublished(s, 'R', p);
    new ssm.StringParameter(s, 'Uses', { stringValue: r.value });
    expect(r.localParameterName).toBe('/x');
    Template.fromStack(s).resourceCountIs('Custom::AWS', 0);
  });

  test('no export/import crosses the stacks', () => {
    expect(JSON.stringify(globalTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(regionalTemplate.toJSON().Outputs).toBeUndefined();
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding in either stack', () => {
    for (const stack of [first.regional, first.global]) {
      const report = new AwsSolutionsChecks(first.app).validateScope(stack);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
    }
  });

  test('the stack\'s copy-writing function logs to one log group, kept a year, encrypted with a rotating key', () => {
    const groups = Object.entries(regionalTemplate.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(1);
    const [, group] = groups[0];
    expect(group.Properties.RetentionInDays).toBe(365);
    const keyId = group.Properties.KmsKeyId['Fn::GetAtt'][0];
    expect(regionalTemplate.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    const fn = Object.values(regionalTemplate.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: groups[0][0] } });
  });

  test('writers of one stack share that log group; a publisher may name its key only if it is the first writer\'s', () => {
    const stack = new Stack(testApp(), 'Writers', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555');
    new PublishedValue(stack, 'A', { parameterName: '/a', value: 'a', replicaRegions: ['us-west-2'], logEncryptionKey: key });
    new PublishedValue(stack, 'B', { parameterName: '/b', value: 'b', replicaRegions: ['us-west-2', 'us-east-1'] });
    new PublishedValue(stack, 'C', { parameterName: '/c', value: 'c', replicaRegions: ['us-west-2'], logEncryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::AWS', 4);
    t.resourceCountIs('AWS::Logs::LogGroup', 1);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn });
    const other = kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:eu-west-1:111111111111:key/99999999-2222-3333-4444-555555555555');
    expect(() => new PublishedValue(stack, 'D', { parameterName: '/d', value: 'd', logEncryptionKey: other }))
      .toThrow(/Writers\/D: 1 invalid setting\n {2}- logEncryptionKey: got "\(a key\)"; allowed: the key of the stack's first PublishedValue with copies, or none/);
  });

  test.each([
    ['a region that is not one', { region: 'europe', parameterName: name }, /region: got "europe"; allowed: an AWS region name/],
    ['a relative parameter name', { region: 'eu-west-1', parameterName: 'mcp/x' }, /parameterName: got "mcp\/x"; allowed: an SSM parameter path starting with "\/"/],
  ])('refuses %s', (_n, props, message) => {
    expect(() => new CrossRegionValue(new Stack(testApp(), 'S', { env: { account: ACCOUNT, region: 'us-west-2' } }), 'V', props)).toThrow(message);
  });

  test('refuses a reader or copies in a stack whose region is unknown', () => {
    expect(() => new CrossRegionValue(new Stack(new App(), 'Agnostic'), 'V', { region: 'eu-west-1', parameterName: '/x' }))
      .toThrow(/Agnostic\/V: 1 invalid setting\n {2}- scope: got "\(a stack without env\.region\)"; allowed: a stack whose region is known/);
    expect(() => new PublishedValue(new Stack(new App(), 'Agnostic2'), 'P', { parameterName: '/x', value: 'v', replicaRegions: ['eu-west-1'] }))
      .toThrow(/replicaRegions: got \["eu-west-1"\]; allowed: only in a stack whose region is known/);
    expect(() => new PublishedValue(new Stack(testApp(), 'R', { env: { account: ACCOUNT, region: 'eu-west-1' } }), 'P', {
      parameterName: '/x', value: 'v', replicaRegions: ['mars-1'],
    })).toThrow(/replicaRegions\[0\]: got "mars-1"; allowed: an AWS region name/);
  });
});
