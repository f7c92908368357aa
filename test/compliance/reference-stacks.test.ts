/**
 * Compliance of the reference stacks (examples/aws/reference.ts): every stack of the
 * three topologies, synthesized once with the repo's feature flags and five policy
 * plugins registered the v3 way (`Validations.of(app).addPlugins`): cdk-nag
 * AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1, and the AWS Control
 * Tower proactive controls through cfn-guard. Zero unacknowledged findings; every
 * acknowledgment is written in the library where the resource is created, with a reason.
 */
import {
  App, CfnResource, IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1, Stack, Validations,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as fs from 'fs';
import * as path from 'path';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { buildReferenceApp } from '../../examples/aws/reference';
import { reasonProblems } from '../../lib/aws/private/compliance';
import { ComplianceResult, synthAndReport } from '../support/compliance';
import { testApp } from '../support/app';

const CFN_GUARD = 'cdk-validator-cfnguard';
const NAG_PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];
const ALL_PLUGINS = [...NAG_PACKS, CFN_GUARD];

/** The Control Tower rule files the plugin ships (cfn-guard's `--rules`), every file under its rules directory. */
const CONTROL_TOWER_RULES = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

function ruleFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? ruleFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]).sort();
}

/** The CloudFormation resource types a rule file names ("AWS::Service::Resource" literals). */
function typesNamed(ruleFile: string): string[] {
  return [...fs.readFileSync(ruleFile, 'utf8').matchAll(/["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g)].map((m) => m[1]);
}

/**
 * The rule files that can apply to templates holding `types`: every file that names one of them, and every file
 * that names no type at all. Each Control Tower rule selects the resources of the types it names
 * (`Resources.*[ Type == ... ]`) and runs only `when` that selection is not empty, so a file naming only types
 * the templates do not hold is "not applicable" to them: leaving it out changes no finding, and saves most of
 * cfn-guard's time (it evaluates every rule file against every template). The control test below runs both
 * sets over the same template and requires identical findings.
 */
function applicableRuleFiles(types: ReadonlySet<string>, files = ruleFiles(CONTROL_TOWER_RULES)): string[] {
  return files.filter((f) => {
    const named = typesNamed(f);
    return named.length === 0 || named.some((t) => types.has(t));
  });
}

/** The resource types of the templates a validation run gets. */
function templateTypes(templatePaths: readonly string[]): Set<string> {
  return new Set(templatePaths.flatMap((t) =>
    Object.values((JSON.parse(fs.readFileSync(t, 'utf8')) as { Resources?: Record<string, { Type: string }> }).Resources ?? {}).map((r) => r.Type)));
}

/**
 * cfn-guard's Control Tower rules, as the plugin ships them, with one repair: the
 * plugin also reports the rule's own literal of a failed comparison (the ACM ARN
 * pattern, a resource type) as a "resource" without a logical ID, which no
 * acknowledgment can reach. Such entries are dropped only from a violation that
 * names real resources too; a violation naming none is kept (and fails the test).
 * cfn-guard runs once over all the templates, with the rule files that can apply to them
 * (`applicableRuleFiles`; `allRules` runs every file, as the plugin does by default).
 */
class ControlTowerGuard implements IPolicyValidationPluginBeta1 {
  private readonly all = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 });
  public readonly name = this.all.name;
  public readonly version = this.all.version;
  public readonly ruleIds = this.all.ruleIds;
  /** The rule files the last validation ran. */
  public ruleFilesRun: string[] = [];

  public constructor(private readonly options: { readonly allRules?: boolean } = {}) {}

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    this.ruleFilesRun = this.options.allRules ? ruleFiles(CONTROL_TOWER_RULES) : applicableRuleFiles(templateTypes(context.templatePaths));
    const inner = this.options.allRules ? this.all
      : new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024, controlTowerRulesEnabled: false, rules: this.ruleFilesRun });
    const report = inner.validate(context);
    return {
      ...report,
      violations: report.violations.map((v) => {
        const attributed = v.violatingResources.filter((r) => r.resourceLogicalId);
        return attributed.length > 0 ? { ...v, violatingResources: attributed } : v;
      }),
    };
  }
}

function registerAllPlugins(app: App, guard = new ControlTowerGuard()): ControlTowerGuard {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app),
    guard,
  );
  return guard;
}

function describeFindings(result: ComplianceResult, plugin: string): string[] {
  return result.findings.filter((f) => f.plugin === plugin).map((f) => `${f.rule}: ${f.paths.join(', ')}`);
}

/**
 * 'Annotation::NIST.800.53.R5-LambdaDLQ' -> NIST.800.53.R5 / LambdaDLQ (cdk-nag ids carry their pack);
 * 'cdk-validator-cfnguard::x_check' -> ControlTower (cfn-guard) / x_check; other plugins' ids (aws-cdk-lib
 * acknowledges some CloudFormation Validate rules itself) -> that plugin / rule.
 */
function packAndRule(id: string): { pack: string; rule: string } {
  const [namespace, ruleId] = id.includes('::') ? id.split('::', 2) : ['Annotation', id];
  if (namespace === CFN_GUARD) return { pack: 'ControlTower (cfn-guard)', rule: ruleId };
  const nagPack = NAG_PACKS.concat('Serverless').find((p) => ruleId.startsWith(`${p}-`));
  if (namespace === 'Annotation' && nagPack) return { pack: nagPack, rule: ruleId.slice(nagPack.length + 1).replace(/\[.*$/, '') };
  return { pack: `${namespace} (not cdk-nag)`, rule: ruleId };
}

// GIVEN the reference app with every pack registered, WHEN it is synthesized once (module level)
const app = testApp();
const reference = buildReferenceApp(app);
const referenceGuard = registerAllPlugins(app);
const result = synthAndReport(app);

describe('the reference stacks under AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1 and Control Tower', () => {
  test('every reference stack synthesizes with no CloudFormation validation finding', () => {
    expect(reference.stacks.map((s) => s.stackName).sort()).toEqual([
      'McpActiveActive', 'McpActivePassive', 'McpMultiRegion-eu-west-1', 'McpMultiRegion-global', 'McpMultiRegion-us-east-1',
    ]);
    expect(result.synthError).toBeUndefined();
    expect(result.findings.filter((f) => !ALL_PLUGINS.includes(f.plugin))
      .map((f) => `${f.plugin} ${f.rule}: ${f.description}`)).toEqual([]);
  });

  test.each(ALL_PLUGINS)('%s reports no unacknowledged finding', (plugin) => {
    expect(describeFindings(result, plugin)).toEqual([]);
  });

  test('every acknowledgment carries a written reason, and the counts are reported', () => {
    const acks = result.acknowledged;
    expect(acks.length).toBeGreaterThan(0);
    // A reason says why the rule does not apply or what compensates, for this resource: a sentence that names
    // what the resource is for, not a placeholder or a bare verdict (lib/aws/private/compliance.ts reasonProblems).
    const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
    const weak = acks.map((a) => ({ rule: a.rule, path: a.path, problems: reasonProblems(byPath.get(a.path)!, a.reason) }))
      .filter((a) => a.problems.length > 0);
    expect(weak).toEqual([]);
    const perPack = new Map<string, number>();
    const perRule = new Map<string, number>();
    for (const a of acks) {
      const { pack, rule } = packAndRule(a.rule);
      perPack.set(pack, (perPack.get(pack) ?? 0) + 1);
      perRule.set(`${pack} ${rule}`, (perRule.get(`${pack} ${rule}`) ?? 0) + 1);
    }
    const lines = [
      `Acknowledgments in the reference app: ${acks.length} (construct-level, each with a reason)`,
      ...[...perPack].sort().map(([p, n]) => `  ${p}: ${n}`),
      '  by rule:',
      ...[...perRule].sort().map(([r, n]) => `    ${r}: ${n}`),
    ];
    console.log(lines.join('\n'));
  });
});

describe('the compliance plugins themselves', () => {
  // Control: the checks above would pass vacuously if a plugin never ran.
  const bad = testApp();
  const stack = new Stack(bad, 'Unencrypted', { env: { account: '123456789012', region: 'us-east-1' } });
  const bucket = new s3.CfnBucket(stack, 'Bucket');
  const acknowledged = new s3.CfnBucket(stack, 'AcknowledgedBucket');
  Validations.of(acknowledged).acknowledge({
    id: `${CFN_GUARD}::s3_bucket_logging_enabled_check`, reason: 'control: a cfn-guard acknowledgment in this form reaches the finding',
  });
  registerAllPlugins(bad);
  const r = synthAndReport(bad);

  test.each(ALL_PLUGINS)('%s reports a bare, unencrypted bucket', (plugin) => {
    expect(r.findings.filter((f) => f.plugin === plugin && f.paths.includes(bucket.node.path))).not.toEqual([]);
  });

  test('a Control Tower finding is acknowledged with the plugin name as prefix', () => {
    const logging = r.findings.filter((f) => f.plugin === CFN_GUARD && f.rule === 's3_bucket_logging_enabled_check');
    expect(logging.flatMap((f) => f.paths)).toContain(bucket.node.path);
    expect(logging.flatMap((f) => f.paths)).not.toContain(acknowledged.node.path);
  });

  test('cfn-guard with the rule files that can apply finds exactly what every Control Tower rule file finds', () => {
    // GIVEN one template with several non-compliant resource types, validated by every rule file and by the applicable ones
    const findingsWith = (allRules: boolean) => {
      const control = testApp();
      const s = new Stack(control, 'Control', { env: { account: '123456789012', region: 'us-east-1' } });
      new s3.CfnBucket(s, 'Bucket');
      new sns.CfnTopic(s, 'Topic');
      new sqs.CfnQueue(s, 'Queue', { sqsManagedSseEnabled: false });
      new ec2.CfnSecurityGroup(s, 'Open', { groupDescription: 'open', securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }] });
      const guard = new ControlTowerGuard({ allRules });
      Validations.of(control).addPlugins(guard);
      const findings = synthAndReport(control).findings.filter((f) => f.plugin === CFN_GUARD).map((f) => `${f.rule}: ${f.paths.join(', ')}`).sort();
      return { findings, ran: guard.ruleFilesRun };
    };
    const all = findingsWith(true);
    const applicable = findingsWith(false);
    // THEN the findings are identical (several rule families fire), from far fewer rule files
    expect(new Set(all.findings.map((f) => f.split('_')[0])).size).toBeGreaterThanOrEqual(3);
    expect(applicable.findings).toEqual(all.findings);
    expect(applicable.ran.length).toBeLessThan(all.ran.length / 4);
  });

  test('the reference run left out only rule files naming no resource type its templates hold', () => {
    const types = new Set(app.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)).map((c) => c.cfnResourceType));
    expect(types).toContain('AWS::ElasticLoadBalancingV2::LoadBalancer');
    const left = ruleFiles(CONTROL_TOWER_RULES).filter((f) => !referenceGuard.ruleFilesRun.includes(f));
    expect(left.filter((f) => typesNamed(f).length === 0 || typesNamed(f).some((t) => types.has(t)))).toEqual([]);
    // The ELB, KMS, Lambda, ElastiCache and EC2 rule files did run over the reference stacks.
    for (const family of ['elasticloadbalancing', 'keymanagementservice', 'lambda', 'elasticache', 'ec2']) {
      expect(referenceGuard.ruleFilesRun.some((f) => f.includes(`${path.sep}${family}${path.sep}`))).toBe(true);
    }
  });
});
