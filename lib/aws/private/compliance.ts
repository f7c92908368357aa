/**
 * Acknowledging compliance findings where a resource is created, with a reason.
 * The NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs of cdk-nag share
 * rule names (e.g. `IAMNoInlinePolicy`); AWS Control Tower proactive controls run
 * through cfn-guard (@cdklabs/cdk-validator-cfnguard), whose findings are
 * acknowledged under that plugin's name.
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';

/** The cdk-nag compliance packs beside AwsSolutions. */
export enum CompliancePack {
  NIST_800_53_R5 = 'NIST.800.53.R5',
  HIPAA_SECURITY = 'HIPAA.Security',
  PCI_DSS_321 = 'PCI.DSS.321',
}

const ALL_PACKS = [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY, CompliancePack.PCI_DSS_321];

/** Acknowledges `rule` (e.g. 'IAMNoInlinePolicy') of each pack in `packs` on `scope`. */
export function acknowledgePackRule(scope: IConstruct, rule: string, reason: string, packs: CompliancePack[] = ALL_PACKS): void {
  for (const pack of packs) Validations.of(scope).acknowledge({ id: `${pack}-${rule}`, reason });
}

/** The plugin name cfn-guard's Control Tower findings are reported (and acknowledged) under. */
export const CFN_GUARD_PLUGIN = 'cdk-validator-cfnguard';

/** Acknowledges a Control Tower proactive control (its guard rule name, e.g. 'lambda_inside_vpc_check') on `scope`. */
export function acknowledgeControl(scope: IConstruct, guardRule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CFN_GUARD_PLUGIN}::${guardRule}`, reason });
}

/** Why a role's CDK default policy (an AWS::IAM::Policy) is acceptable; `what` names what it grants. */
export function acknowledgeDefaultPolicy(role: IConstruct, what: string): void {
  acknowledgePackRule(role, 'IAMNoInlinePolicy',
    `The policy is this one role's CDK default policy (${what}), attached to no other principal and deleted with the role; `
    + 'aws-cdk-lib grants write to it. A customer-managed policy would hold the same statements and could be attached elsewhere.');
}

/**
 * Denies kms:CreateGrant unless the grant is for an AWS resource or comes from an
 * AWS service (AWS Control Tower CT.KMS.PR.3): services that use the key (CloudWatch
 * Logs, SNS, Secrets Manager) create their grants; no principal can delegate the key.
 */
export function restrictGrantsToAwsServices(key: kms.IKey): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
