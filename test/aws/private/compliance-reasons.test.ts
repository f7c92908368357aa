/**
 * The rule every compliance acknowledgment's reason must meet (reasonProblems):
 * a sentence that names what the resource is for; a placeholder, a bare verdict
 * or a sentence about nothing in particular is refused.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { reasonProblems } from '../../../lib/aws/private/compliance';
import { testStack } from '../../support/app';

const stack: Stack = testStack();
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
const sg = new ec2.SecurityGroup(stack, 'ProbeSecurityGroup', { vpc });
const topic = new sns.Topic(stack, 'AlarmTopic');

describe('acknowledgment reasons', () => {
  test('a reason naming the resource\'s purpose (by its id, its type or what its service does) is accepted', () => {
    expect(reasonProblems(sg, 'The probe must reach the public endpoint from outside on 443, the way clients do; nothing else is opened.')).toEqual([]);
    expect(reasonProblems(topic, 'Alarm notifications carry no data beyond the alarm name and state, and the key policy would add a cycle.')).toEqual([]);
  });

  test.each([
    ['short', 'Not needed here.', /shorter than a sentence \(16 characters, at least 60\)/],
    ['a placeholder', 'TODO: write the reason for this acknowledgment once the security review of the group is done.', /a placeholder \("TODO"\)/],
    ['a bare verdict', 'False positive, acknowledged: expected and safe by design, not applicable, ignored.......', /a verdict without the reason behind it/],
    ['about nothing in particular', 'This finding was reviewed carefully by the team last quarter and it was decided to keep it that way.',
      /names nothing the resource is for \(none of: .*group/],
  ])('%s is refused', (_name, reason, message) => {
    expect(reasonProblems(sg, reason).join('; ')).toMatch(message);
  });
});
