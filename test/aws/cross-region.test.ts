import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

  test.each([
    ['a region that is not one', { region: 'europe', parameterName: name }, /region: got "europe"; allowed: an AWS region name/],
    ['a relative parameter name', { region: 'eu-west-1', parameterName: 'mcp/x' }, /parameterName: got "mcp\/x"; allowed: an SSM parameter path starting with "\/"/],
  ])('refuses %s', (_n, props, message) => {
    expect(() => new CrossRegionValue(new Stack(testApp(), 'S'), 'V', props)).toThrow(message);
  });
});
