import { CfnWaitConditionHandle, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { addWarnings, validatorFor } from '../../lib/aws/validation';
import { testApp } from '../support/app';

describe('AWS validation bridge', () => {
  const stack = new Stack(testApp(), 'S');
  const scope = new Construct(stack, 'Thing');
  new CfnWaitConditionHandle(stack, 'AnyResource'); // a template needs one resource

  test('errors name the construct path', () => {
    const v = validatorFor(scope);
    v.add('port', 22, 'not 22');
    expect(() => v.throwIfInvalid()).toThrow(/^S\/Thing: 1 invalid setting\n {2}- port: got 22; allowed: not 22$/);
  });

  test('CDK tokens (strings, numbers, lists) are skipped', () => {
    const v = validatorFor(scope);
    v.integerInRange('n', Token.asNumber({ Ref: 'P' }), { min: 1, max: 2 });
    v.check(false, 's', Token.asString({ Ref: 'P' }), 'x');
    v.check(false, 'l', Token.asList({ Ref: 'P' }), 'x');
    expect(v.problems).toEqual([]);
  });

  test('warnings become CDK warnings on the construct', () => {
    addWarnings(scope, ['failover budget over target: 81 s > 30 s']);
    Annotations.fromStack(stack).hasWarning('/S/Thing', Match.stringLikeRegexp('failover budget over target: 81 s > 30 s'));
  });
});
