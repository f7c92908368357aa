import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrossRegionValue, PublishedValue, sharedParameterName } from '../../lib/aws/cross-region';
import { testApp } from '../support/app';

const app = testApp();
const regional = new Stack(app, 'Regional', { env: { account: '111111111111', region: 'eu-west-1' } });
const global = new Stack(app, 'Global', { env: { account: '111111111111', region: 'us-west-2' } });
const name = sharedParameterName('mcp', 'eu-west-1', 'load-balancer-arn');
new PublishedValue(regional, 'Arn', { parameterName: name, value: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/x/1' });
const read = new CrossRegionValue(global, 'EuArn', { region: 'eu-west-1', parameterName: name });
const regionalTemplate = Template.fromStack(regional);
const globalTemplate = Template.fromStack(global);

describe('values across regions without cross-region references', () => {
  test('deterministic parameter names', () => {
    expect(name).toBe('/mcp-ha/mcp/eu-west-1/load-balancer-arn');
  });

  test('the regional stack publishes the value in its own region', () => {
    regionalTemplate.hasResourceProperties('AWS::SSM::Parameter', { Name: name, Type: 'String' });
  });

  test('the reader calls SSM in the publishing region, may read that one parameter only, and exposes the value', () => {
    const cr = Object.values(globalTemplate.findResources('Custom::AWS'))[0];
    const create = JSON.parse(JSON.stringify(cr.Properties.Create));
    expect(JSON.stringify(create)).toContain('"region\\":\\"eu-west-1\\"');
    expect(JSON.stringify(create)).toContain('getParameter');
    globalTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'ssm:GetParameter', Resource: Match.stringLikeRegexp(':ssm:eu-west-1:111111111111:parameter/mcp-ha/mcp/eu-west-1/load-balancer-arn$') })] },
    });
    expect(global.resolve(read.value)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Parameter.Value'] });
  });

  test('no export/import crosses the stacks', () => {
    expect(JSON.stringify(globalTemplate.toJSON())).not.toContain('Fn::ImportValue');
    expect(regionalTemplate.toJSON().Outputs).toBeUndefined();
  });

  test('cdk-nag AwsSolutions findings of the reader are only those of the AwsCustomResource function', () => {
    const report = new AwsSolutionsChecks(app).validateScope(global);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });

  test('the stack\'s reader function logs to one log group, kept a year, encrypted with a rotating key', () => {
    const groups = Object.entries(globalTemplate.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(1);
    const [, group] = groups[0];
    expect(group.Properties.RetentionInDays).toBe(365);
    const keyId = group.Properties.KmsKeyId['Fn::GetAtt'][0];
    expect(globalTemplate.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    const fn = Object.values(globalTemplate.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: groups[0][0] } });
  });

  test('readers of one stack share that log group; a reader may name its key only if it is the first reader\'s', () => {
    const stack = new Stack(testApp(), 'Readers', { env: { account: '111111111111', region: 'us-west-2' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-west-2:111111111111:key/11111111-2222-3333-4444-555555555555');
    new CrossRegionValue(stack, 'A', { region: 'eu-west-1', parameterName: '/a', logEncryptionKey: key });
    new CrossRegionValue(stack, 'B', { region: 'eu-west-1', parameterName: '/b' });
    new CrossRegionValue(stack, 'C', { region: 'eu-west-1', parameterName: '/c', logEncryptionKey: key });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Logs::LogGroup', 1);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: key.keyArn });
    const other = kms.Key.fromKeyArn(stack, 'Other', 'arn:aws:kms:us-west-2:111111111111:key/99999999-2222-3333-4444-555555555555');
    expect(() => new CrossRegionValue(stack, 'D', { region: 'eu-west-1', parameterName: '/d', logEncryptionKey: other }))
      .toThrow(/Readers\/D: 1 invalid setting\n {2}- logEncryptionKey: got "\(a key\)"; allowed: the key of the stack's first CrossRegionValue, or none/);
  });

  test.each([
    ['a region that is not one', { region: 'europe', parameterName: name }, /region: got "europe"; allowed: an AWS region name/],
    ['a relative parameter name', { region: 'eu-west-1', parameterName: 'mcp/x' }, /parameterName: got "mcp\/x"; allowed: an SSM parameter path starting with "\/"/],
  ])('refuses %s', (_n, props, message) => {
    expect(() => new CrossRegionValue(new Stack(testApp(), 'S'), 'V', props)).toThrow(message);
  });
});
