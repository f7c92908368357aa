/**
 * The AWS side of validation: a core Validator that knows the construct path and
 * CDK tokens, and the bridge from core durations (seconds) to CDK Durations.
 */
import { Annotations, Token } from 'aws-cdk-lib';
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
