/**
 * The AWS side of validation: a core Validator that knows the construct path and
 * CDK tokens, and the bridge from core durations (seconds) to CDK Durations.
 */
import { Annotations, Stack, Token } from 'aws-cdk-lib/core';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { Validator } from '../core/errors';

/** A validator whose errors name `scope`'s construct path and that skips unresolved CDK tokens. */
export function validatorFor(scope: IConstruct): Validator {
  return new Validator({ constructPath: scope.node.path, isUnresolved: (v) => Token.isUnresolved(v) });
}

/** Surfaces core warnings (accepted with enforceBudget: false, for instance) as CDK warnings on `scope`. */
export function addWarnings(scope: IConstruct, warnings: readonly string[]): void {
  warnings.forEach((w, i) => Annotations.of(scope).addWarningV2(`mcp-ha:warning-${i}`, w));
}

/**
 * Records a problem when `key` lives in another region than `scope`'s stack (both known): KMS keys are
 * regional, and CloudWatch Logs, ElastiCache, MemoryDB, SNS and Secrets Manager use only a key of their own
 * region: a key lives in the Region it was created in, and a multi-Region key is a separate replica key (its own
 * ARN) in each Region (https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html).
 */
export function checkKeyRegion(v: Validator, scope: IConstruct, prop: string, key: kms.IKey | undefined, encrypts: string): void {
  if (key === undefined) return;
  const keyRegion = key.env.region;
  const stackRegion = Stack.of(scope).region;
  if (Token.isUnresolved(keyRegion) || Token.isUnresolved(stackRegion)) return;
  v.check(keyRegion === stackRegion, prop, `a key in ${keyRegion}`,
    `a KMS key in the stack's region (${stackRegion}) to encrypt ${encrypts}: a KMS key is usable only in its own region (a multi-Region key: pass its replica in ${stackRegion})`);
}
