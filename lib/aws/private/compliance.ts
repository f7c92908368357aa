/**
 * Acknowledging compliance findings where a resource is created, with a reason.
 * The NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 packs of cdk-nag share
 * rule names (e.g. `IAMNoInlinePolicy`); AWS Control Tower proactive controls run
 * through cfn-guard (@cdklabs/cdk-validator-cfnguard), whose findings are
 * acknowledged under that plugin's name.
 */
import { Validations } from 'aws-cdk-lib/core';
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

/** Reason texts that are labels, not reasons (a placeholder or a bare verdict). */
const PLACEHOLDER = /\b(todo|tbd|fixme|xxx|placeholder|lorem ipsum|n\/a|see above|same as above|to be (written|decided))\b/i;
const VERDICT = /\b(false positive|not applicable|acknowledged|suppressed|by design|as designed|accepted risk|known issue|expected|safe|ignored?)\b/gi;
/** Words of construct ids and resource types that name nothing about the resource's purpose. */
const GENERIC_WORDS = new Set(['aws', 'resource', 'default', 'custom', 'cdk', 'stack', 'the', 'and', 'all', 'mcp', 'service', 'provider', 'east',
  'west', 'north', 'south', 'central', 'multi', 'region', 'active', 'passive', 'global', 'handler', 'singleton']);
/** What a resource of each service is for, in words a reason uses (added to the words of its ids and types). */
const SERVICE_WORDS: Record<string, string[]> = {
  AutoScaling: ['instance', 'scaling', 'fleet', 'group', 'launch', 'capacity', 'zone'],
  EC2: ['instance', 'network', 'subnet', 'vpc', 'security', 'traffic', 'route', 'port', 'address', 'nat', 'gateway', 'flow', 'launch', 'imds'],
  ElasticLoadBalancingV2: ['load balancer', 'listener', 'endpoint', 'target', 'client', 'https', 'tls', 'certificate'],
  Lambda: ['function', 'invocation', 'run', 'probe', 'handler', 'code'],
  IAM: ['role', 'policy', 'permission', 'principal', 'grant', 'action'],
  Logs: ['log'],
  KMS: ['key', 'encrypt'],
  ElastiCache: ['cache', 'datastore', 'replication', 'redis', 'valkey', 'node', 'encryption'],
  MemoryDB: ['cache', 'cluster', 'multi-region', 'node', 'encryption'],
  SNS: ['topic', 'notification', 'alarm'],
  SecretsManager: ['secret', 'token', 'rotation'],
  SSM: ['parameter'],
  Events: ['rule', 'event', 'schedule'],
  Scheduler: ['schedule', 'rotation'],
  CloudWatch: ['alarm', 'metric'],
  WAFv2: ['web acl', 'waf', 'rule', 'request'],
  CertificateManager: ['certificate'],
  Route53: ['record', 'health check', 'dns'],
  GlobalAccelerator: ['accelerator', 'endpoint', 'listener'],
  S3: ['bucket', 'object', 'asset'],
};

/** Abbreviations in construct ids, spelled out (`RestrictDefaultSG`: security group). */
const ABBREVIATIONS: Record<string, string> = { sg: 'security group', alb: 'load balancer', lb: 'load balancer', asg: 'group', ga: 'accelerator' };

function words(text: string): string[] {
  return (text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? []).map((w) => w.toLowerCase())
    .map((w) => ABBREVIATIONS[w] ?? w).filter((w) => w.length >= 3 && !GENERIC_WORDS.has(w));
}

/**
 * Why `reason` is not a written reason for acknowledging a finding on `scope`, or
 * [] when it is one. A reason is a sentence (60 characters or more), not a
 * placeholder or a bare verdict ("false positive", "by design"), and it names what
 * the resource is for: a word of the construct's path, of the CloudFormation
 * types it renders, or of what those services do (SERVICE_WORDS). The compliance
 * test applies this to every acknowledgment of the reference app.
 */
export function reasonProblems(scope: IConstruct, reason: string): string[] {
  const problems: string[] = [];
  const text = reason.trim();
  if (text.length < 60) problems.push(`shorter than a sentence (${text.length} characters, at least 60)`);
  if (PLACEHOLDER.test(text)) problems.push(`a placeholder ("${PLACEHOLDER.exec(text)![0]}")`);
  if (text.replace(VERDICT, '').replace(/[^A-Za-z]+/g, ' ').trim().length < 40) problems.push('a verdict without the reason behind it');
  const types = scope.node.findAll().map((c) => (c as { cfnResourceType?: string }).cfnResourceType).filter((t): t is string => typeof t === 'string');
  const purpose = new Set([
    ...scope.node.scopes.flatMap((s) => words(s.node.id)),
    ...types.flatMap((t) => t.split('::').slice(1).flatMap(words)),
    ...types.flatMap((t) => SERVICE_WORDS[t.split('::')[1]] ?? []),
  ]);
  const said = text.toLowerCase();
  const stem = (w: string): string => w.replace(/(es|s)$/, '');
  if (![...purpose].some((w) => new RegExp(`\\b${stem(w).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(said))) {
    problems.push(`names nothing the resource is for (none of: ${[...purpose].sort().slice(0, 12).join(', ')})`);
  }
  return problems;
}
