import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createLogEncryptionKey } from '../../../lib/aws/private/log-key';
import { TEST_ACCOUNT, testApp } from '../../support/app';

// GIVEN the log key in eu-west-1
const stack = new Stack(testApp(), 'Keys', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
createLogEncryptionKey(stack, 'LogKey', 'Encrypts the log groups of Keys');
const t = Template.fromStack(stack);

describe('createLogEncryptionKey', () => {
  test('rotating, retained, described', () => {
    t.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true, Description: 'Encrypts the log groups of Keys' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('CloudWatch Logs of this region may use it, for this account\'s log groups only', () => {
    const [key] = Object.values(t.findResources('AWS::KMS::Key'));
    const logs = key.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'AllowCloudWatchLogsOfThisAccountAndRegion');
    expect(logs).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${TEST_ACCOUNT}:log-group:*` } },
    });
    // What CloudWatch Logs needs for an encrypted log group, and nothing else (no CreateGrant, no admin action).
    expect([...logs.Action].sort()).toEqual([
      'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom', 'kms:ReEncryptTo',
    ]);
  });

  test('no principal may create grants on it except for AWS services', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      })]) },
    });
  });
});
