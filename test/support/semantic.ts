/**
 * Semantic checks over synthesized CloudFormation templates: what a failover path
 * DOES when the failure happens, read from the template the way an on-call
 * engineer walks it (alarm -> action -> policy or function), instead of whether a
 * resource is present. The parsers are cloud-neutral where they can be (intervals,
 * breach regions, destructive states, apex names, environment parsing); the
 * CloudFormation model (`CfnModel`) resolves Ref / Fn::GetAtt between resources.
 * Terraform counterparts (Azure, Google Cloud) can reuse the neutral parts and
 * add a `TfModel` beside `CfnModel`.
 *
 * Every check returns a list of violations (strings that name the stack, the
 * resources and why), so a test asserts `toEqual([])` and a failure reads as a
 * finding. Nothing here pins today's template: the rules come from the service's
 * documented semantics (cited next to each rule).
 */

// ---------------------------------------------------------------------------
// Templates and references
// ---------------------------------------------------------------------------

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

/** A reference to a resource (Ref) or one of its attributes (Fn::GetAtt). */
export interface ResourceRef {
  readonly id: string;
  /** Undefined for a Ref. */
  readonly attribute?: string;
}

/** `${Id}` / `${Id.Attr}` placeholders in rendered strings. */
const PLACEHOLDER = /\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}/g;

/** One synthesized stack: its template, name and region, with reference resolution. */
export class CfnModel {
  constructor(
    public readonly name: string,
    public readonly template: CfnTemplate,
    /** The stack's region (a literal: the reference stacks have explicit environments). */
    public readonly region: string,
  ) {}

  /** Every resource, optionally of one type: [logicalId, resource]. */
  public resources(type?: string): [string, CfnResource][] {
    return Object.entries(this.template.Resources ?? {}).filter(([, r]) => type === undefined || r.Type === type);
  }

  public resource(id: string): CfnResource | undefined {
    return this.template.Resources?.[id];
  }

  /** The resource a value points at when it is exactly a Ref or a GetAtt of a resource of this template. */
  public refOf(value: unknown): ResourceRef | undefined {
    if (!isObject(value)) return undefined;
    if (typeof value.Ref === 'string' && this.resource(value.Ref)) return { id: value.Ref };
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && this.resource(getAtt[0])) {
      return { id: getAtt[0], attribute: String(getAtt[1]) };
    }
    if (typeof getAtt === 'string' && this.resource(getAtt.split('.')[0])) {
      const [id, ...attr] = getAtt.split('.');
      return { id, attribute: attr.join('.') };
    }
    return undefined;
  }

  /** Every resource reference anywhere inside a value (Ref, GetAtt, ${X} in Fn::Sub). */
  public refsIn(value: unknown): ResourceRef[] {
    const out: ResourceRef[] = [];
    const walk = (v: unknown): void => {
      const direct = this.refOf(v);
      if (direct) {
        out.push(direct);
        return;
      }
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) {
        const sub = v['Fn::Sub'];
        if (sub !== undefined) {
          const text = Array.isArray(sub) ? sub[0] : sub;
          if (typeof text === 'string') {
            for (const m of text.matchAll(PLACEHOLDER)) if (this.resource(m[1])) out.push({ id: m[1], attribute: m[2] });
          }
          if (Array.isArray(sub) && sub[1]) walk(sub[1]);
          return;
        }
        Object.values(v).forEach(walk);
      }
    };
    walk(value);
    return out;
  }

  /**
   * A value rendered as a string: literals as they are, references as `${Id}` or
   * `${Id.Attr}` (Fn::Join, Fn::Sub, Fn::Base64 and literal Fn::Select resolved).
   */
  public render(value: unknown): string {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) return value.map((x) => this.render(x)).join(',');
    if (!isObject(value)) return '';
    if (typeof value.Ref === 'string') return `\${${value.Ref}}`;
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) return `\${${Array.isArray(getAtt) ? getAtt.join('.') : String(getAtt)}}`;
    const join = value['Fn::Join'];
    if (Array.isArray(join)) return (join[1] as unknown[]).map((x) => this.render(x)).join(String(join[0]));
    const sub = value['Fn::Sub'];
    if (sub !== undefined) {
      const [text, vars] = Array.isArray(sub) ? [String(sub[0]), (sub[1] ?? {}) as Record<string, unknown>] : [String(sub), {}];
      return text.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => (name in vars ? this.render(vars[name]) : whole));
    }
    if (value['Fn::Base64'] !== undefined) return this.render(value['Fn::Base64']);
    const select = value['Fn::Select'];
    if (Array.isArray(select) && Array.isArray(select[1])) return this.render(select[1][Number(select[0])]);
    return '${?}';
  }

  /** The references a rendered string holds (`${Id.Attr}` placeholders naming resources of this template). */
  public placeholders(text: string): ResourceRef[] {
    return [...text.matchAll(PLACEHOLDER)].filter((m) => this.resource(m[1])).map((m) => ({ id: m[1], attribute: m[2] }));
  }

  /** The IAM actions the policies attached to a role (by logical id) allow, with the resources of each statement. */
  public roleStatements(roleId: string): { actions: string[]; resources: unknown[] }[] {
    const out: { actions: string[]; resources: unknown[] }[] = [];
    const collect = (doc: unknown): void => {
      const statements = isObject(doc) ? toArray(doc.Statement) : [];
      for (const s of statements) {
        if (!isObject(s) || s.Effect !== 'Allow') continue;
        out.push({ actions: toArray(s.Action).map(String), resources: toArray(s.Resource) });
      }
    };
    const role = this.resource(roleId);
    for (const p of toArray(role?.Properties?.Policies)) if (isObject(p)) collect(p.PolicyDocument);
    for (const [, policy] of [...this.resources('AWS::IAM::Policy'), ...this.resources('AWS::IAM::ManagedPolicy')]) {
      const roles = toArray(policy.Properties?.Roles);
      if (roles.some((r) => this.refOf(r)?.id === roleId)) collect(policy.Properties?.PolicyDocument);
    }
    return out;
  }

  /** The Lambda function's environment variables, rendered. */
  public functionEnvironment(functionId: string): Record<string, string> {
    const vars = (this.resource(functionId)?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, this.render(v)]));
  }

  /** The logical id of a function's execution role. */
  public functionRole(functionId: string): string | undefined {
    return this.refOf(this.resource(functionId)?.Properties?.Role)?.id;
  }
}

/** The models of every stack of an app (the cross-region checks need them all). */
export type CfnApp = readonly CfnModel[];

// ---------------------------------------------------------------------------
// Intervals (cloud-neutral)
// ---------------------------------------------------------------------------

/** An interval of the real line; undefined bounds are infinite. */
export interface Interval {
  readonly lower?: number;
  readonly lowerInclusive: boolean;
  readonly upper?: number;
  readonly upperInclusive: boolean;
}

export function contains(i: Interval, x: number): boolean {
  const aboveLower = i.lower === undefined || (i.lowerInclusive ? x >= i.lower : x > i.lower);
  const belowUpper = i.upper === undefined || (i.upperInclusive ? x <= i.upper : x < i.upper);
  return aboveLower && belowUpper;
}

/**
 * The points of `region` no interval of `cover` contains (a sample: every bound,
 * midpoints between bounds and a point beyond each end), empty when the union of
 * `cover` holds all of `region`. Exact for finite unions of intervals.
 */
export function uncoveredPoints(region: Interval, cover: readonly Interval[]): number[] {
  const bounds = [region, ...cover].flatMap((i) => [i.lower, i.upper]).filter((b): b is number => b !== undefined);
  const sorted = [...new Set(bounds)].sort((a, b) => a - b);
  const samples = sorted.length === 0 ? [0] : [
    sorted[0] - 1, ...sorted, ...sorted.slice(1).map((b, k) => (sorted[k] + b) / 2), sorted[sorted.length - 1] + 1,
  ];
  return samples.filter((x) => contains(region, x) && !cover.some((c) => contains(c, x))).sort((a, b) => a - b);
}

/** Comparison operators, with the side of the threshold they breach on. */
export type ComparisonOperator =
  | 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/**
 * Where the metric breaches, relative to the threshold (metric - threshold).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (ComparisonOperator)
 */
export function breachRegion(op: string): Interval | undefined {
  switch (op) {
    case 'GreaterThanThreshold': return { lower: 0, lowerInclusive: false, upperInclusive: false };
    case 'GreaterThanOrEqualToThreshold': return { lower: 0, lowerInclusive: true, upperInclusive: false };
    case 'LessThanThreshold': return { upper: 0, upperInclusive: false, lowerInclusive: false };
    case 'LessThanOrEqualToThreshold': return { upper: 0, upperInclusive: true, lowerInclusive: false };
    default: return undefined; // anomaly-detection band operators: no fixed threshold
  }
}

/**
 * One step of a step scaling policy as the interval (relative to the alarm's
 * threshold) it matches. Per the StepAdjustment reference, when the breach is
 * above the threshold the lower bound is inclusive and the upper exclusive; when
 * it is below, the lower bound is exclusive and the upper inclusive; a missing
 * bound is infinite.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_StepAdjustment.html
 */
export function stepInterval(step: { MetricIntervalLowerBound?: unknown; MetricIntervalUpperBound?: unknown }, breachAbove: boolean): Interval {
  const num = (x: unknown): number | undefined => (x === undefined || x === null ? undefined : Number(x));
  return {
    lower: num(step.MetricIntervalLowerBound), lowerInclusive: breachAbove,
    upper: num(step.MetricIntervalUpperBound), upperInclusive: !breachAbove,
  };
}

export function describeInterval(i: Interval): string {
  return `${i.lowerInclusive ? '[' : '('}${i.lower ?? '-inf'}, ${i.upper ?? '+inf'}${i.upperInclusive ? ']' : ')'}`;
}

// ---------------------------------------------------------------------------
// Alarms and what they trigger
// ---------------------------------------------------------------------------

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

/** One alarm -> action edge: the state that fires it, and the resource acting. */
export interface AlarmAction {
  readonly model: CfnModel;
  readonly alarmId: string;
  readonly state: AlarmState;
  /** How the state reaches the target. */
  readonly via: 'alarm-action' | 'eventbridge-rule' | 'sns-subscription';
  /** The acting resource (scaling policy, function...). */
  readonly targetId: string;
  /** The rule or topic in between, if any. */
  readonly throughId?: string;
}

const STATE_PROPERTY: Record<AlarmState, string> = {
  ALARM: 'AlarmActions', OK: 'OKActions', INSUFFICIENT_DATA: 'InsufficientDataActions',
};

/**
 * Every path from an alarm (metric or composite) to a resource it sets in
 * motion: its action lists, SNS topics with Lambda subscriptions on them, and
 * EventBridge rules matching its "CloudWatch Alarm State Change" events.
 */
export function alarmActions(model: CfnModel): AlarmAction[] {
  const out: AlarmAction[] = [];
  const alarms = [...model.resources('AWS::CloudWatch::Alarm'), ...model.resources('AWS::CloudWatch::CompositeAlarm')];
  const topicTargets = (topicId: string): string[] => model.resources('AWS::SNS::Subscription')
    .filter(([, s]) => model.refOf(s.Properties?.TopicArn)?.id === topicId && s.Properties?.Protocol === 'lambda')
    .map(([, s]) => model.refOf(s.Properties?.Endpoint)?.id).filter((id): id is string => id !== undefined);
  for (const [alarmId, alarm] of alarms) {
    for (const state of Object.keys(STATE_PROPERTY) as AlarmState[]) {
      for (const action of toArray(alarm.Properties?.[STATE_PROPERTY[state]])) {
        const target = model.refOf(action);
        if (!target) continue;
        if (model.resource(target.id)?.Type === 'AWS::SNS::Topic') {
          for (const fn of topicTargets(target.id)) out.push({ model, alarmId, state, via: 'sns-subscription', targetId: fn, throughId: target.id });
        } else {
          out.push({ model, alarmId, state, via: 'alarm-action', targetId: target.id });
        }
      }
    }
  }
  for (const [ruleId, rule] of model.resources('AWS::Events::Rule')) {
    const pattern = rule.Properties?.EventPattern as Record<string, unknown> | undefined;
    if (!pattern || !toArray(pattern['detail-type']).includes('CloudWatch Alarm State Change')) continue;
    const watched = new Set(toArray(pattern.resources).map((r) => model.refOf(r)?.id).filter((id): id is string => id !== undefined));
    // An alarm named only by ARN pattern (no reference) cannot be followed: reported by `unresolvedAlarmRules`.
    const states = toArray((((pattern.detail as Record<string, unknown> | undefined)?.state) as Record<string, unknown> | undefined)?.value)
      .map(String) as AlarmState[];
    for (const alarmId of watched) {
      for (const state of states.length > 0 ? states : (Object.keys(STATE_PROPERTY) as AlarmState[])) {
        for (const t of toArray(rule.Properties?.Targets)) {
          const target = isObject(t) ? model.refOf(t.Arn) : undefined;
          if (target) out.push({ model, alarmId, state, via: 'eventbridge-rule', targetId: target.id, throughId: ruleId });
        }
      }
    }
  }
  return out;
}

/** EventBridge rules on alarm state changes whose alarms are not references this parser can follow. */
export function unresolvedAlarmRules(model: CfnModel): string[] {
  return model.resources('AWS::Events::Rule').filter(([, rule]) => {
    const pattern = rule.Properties?.EventPattern as Record<string, unknown> | undefined;
    if (!pattern || !toArray(pattern['detail-type']).includes('CloudWatch Alarm State Change')) return false;
    return toArray(pattern.resources).length === 0 || toArray(pattern.resources).some((r) => !model.refOf(r));
  }).map(([id]) => `${model.name}/${id}`);
}

/** The metric alarms a (composite) alarm's state derives from: itself, or the children named in its rule. */
export function contributingAlarms(model: CfnModel, alarmId: string, seen = new Set<string>()): string[] {
  const alarm = model.resource(alarmId);
  if (!alarm || seen.has(alarmId)) return [];
  seen.add(alarmId);
  if (alarm.Type === 'AWS::CloudWatch::Alarm') return [alarmId];
  return model.refsIn(alarm.Properties?.AlarmRule)
    .filter((r) => /^AWS::CloudWatch::(Composite)?Alarm$/.test(model.resource(r.id)?.Type ?? ''))
    .flatMap((r) => contributingAlarms(model, r.id, seen));
}

// ---------------------------------------------------------------------------
// (a) Step scaling policies cover their alarm's breach side
// ---------------------------------------------------------------------------

/**
 * Every alarm that triggers a step scaling policy has steps covering the whole
 * breach region: otherwise Auto Scaling logs "No step adjustment found" and does
 * nothing when the alarm fires. Returns violations and the edges checked.
 */
export function stepScalingCoverage(model: CfnModel): { checked: string[]; violations: string[] } {
  const checked: string[] = [];
  const violations: string[] = [];
  for (const a of alarmActions(model)) {
    const policy = model.resource(a.targetId);
    if (policy?.Type !== 'AWS::AutoScaling::ScalingPolicy' || policy.Properties?.PolicyType !== 'StepScaling') continue;
    const alarm = model.resource(a.alarmId)!;
    const where = `${model.name}: ${a.alarmId} (${a.state}) -> ${a.targetId}`;
    checked.push(where);
    if (a.state !== 'ALARM') {
      violations.push(`${where}: a step scaling policy runs on the ALARM state only, not on ${a.state}`);
      continue;
    }
    const op = String(alarm.Properties?.ComparisonOperator);
    const region = breachRegion(op);
    if (!region || alarm.Properties?.Threshold === undefined) {
      violations.push(`${where}: operator ${op} without a fixed threshold: step bounds cannot be checked`);
      continue;
    }
    const above = region.lower !== undefined;
    const steps = toArray(policy.Properties?.StepAdjustments).filter(isObject).map((s) => stepInterval(s, above));
    const holes = uncoveredPoints(region, steps);
    if (holes.length > 0) {
      violations.push(`${where}: ${op} ${alarm.Properties?.Threshold} breaches on ${describeInterval(region)} relative to the threshold, `
        + `but the steps cover ${steps.map(describeInterval).join(' + ') || 'nothing'}: no step matches at ${holes.slice(0, 3).join(', ')} `
        + '("No step adjustment found")');
    }
  }
  return { checked, violations };
}

// ---------------------------------------------------------------------------
// (b) Destructive actions never fire on missing data
// ---------------------------------------------------------------------------

/**
 * API actions after which traffic, data or capacity cannot simply come back: a
 * cache promotion changes the writer (and the old primary's data is discarded on
 * resync); terminating or scaling in removes serving capacity.
 */
export const DESTRUCTIVE_API_ACTIONS = [
  'elasticache:FailoverGlobalReplicationGroup', 'elasticache:DisassociateGlobalReplicationGroup', 'elasticache:TestFailover',
  'memorydb:FailoverShard', 'ec2:TerminateInstances', 'autoscaling:TerminateInstanceInAutoScalingGroup',
];

/** Why an alarm -> target edge is destructive, or undefined. */
export function destructiveReason(model: CfnModel, targetId: string): string | undefined {
  const target = model.resource(targetId);
  if (!target) return undefined;
  if (target.Type === 'AWS::AutoScaling::ScalingPolicy' && target.Properties?.PolicyType !== 'TargetTrackingScaling') {
    const type = String(target.Properties?.AdjustmentType ?? 'ChangeInCapacity');
    const adjustments = target.Properties?.PolicyType === 'StepScaling'
      ? toArray(target.Properties?.StepAdjustments).filter(isObject).map((s) => Number(s.ScalingAdjustment))
      : [Number(target.Properties?.ScalingAdjustment)];
    if (type !== 'ExactCapacity' && adjustments.some((n) => n < 0)) return `scales in (${type} ${adjustments.join('/')})`;
    if (type === 'ExactCapacity') {
      // Setting the capacity to the group's floor is a scale-in (e.g. the standby back to warm after failback).
      const group = model.resource(model.refOf(target.Properties?.AutoScalingGroupName)?.id ?? '');
      const floor = Number(group?.Properties?.MinSize);
      if (Number.isFinite(floor) && adjustments.some((n) => n <= floor)) return `sets the group to its floor (ExactCapacity ${adjustments.join('/')} <= MinSize ${floor})`;
    }
    return undefined;
  }
  if (target.Type === 'AWS::Lambda::Function') {
    const role = model.functionRole(targetId);
    const actions = role ? model.roleStatements(role).flatMap((s) => s.actions) : [];
    const hit = actions.filter((x) => DESTRUCTIVE_API_ACTIONS.some((d) => matchesAction(x, d)));
    if (hit.length > 0) return `invokes a function allowed ${[...new Set(hit)].join(', ')}`;
  }
  return undefined;
}

/**
 * Alarms that set a destructive action in motion must not reach the firing state
 * through missing data: a probe that did not run (throttled, deployment, a
 * CloudWatch hiccup) is not evidence of an outage. ALARM actions need
 * TreatMissingData other than `breaching`, OK actions other than `notBreaching`,
 * and nothing destructive may hang on INSUFFICIENT_DATA (missing data leads
 * there) unless the alarm ignores missing data.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
export function destructiveOnMissingData(model: CfnModel): { checked: string[]; violations: string[] } {
  const checked: string[] = [];
  const violations: string[] = [];
  for (const a of alarmActions(model)) {
    const reason = destructiveReason(model, a.targetId);
    if (!reason) continue;
    for (const alarmId of contributingAlarms(model, a.alarmId)) {
      const treat = String(model.resource(alarmId)?.Properties?.TreatMissingData ?? 'missing');
      const where = `${model.name}: ${alarmId}${alarmId === a.alarmId ? '' : ` (in ${a.alarmId})`} -> ${a.state} -> `
        + `${a.throughId ? `${a.throughId} -> ` : ''}${a.targetId}, which ${reason}`;
      checked.push(where);
      const fires = (a.state === 'ALARM' && treat === 'breaching') || (a.state === 'OK' && treat === 'notBreaching')
        || (a.state === 'INSUFFICIENT_DATA' && treat !== 'ignore');
      if (fires) violations.push(`${where}: missing data (TreatMissingData ${treat}) fires it`);
    }
  }
  return { checked, violations };
}

// ---------------------------------------------------------------------------
// (c) Every server's write endpoint is writable in its region
// ---------------------------------------------------------------------------

/** Variables of lib/core/cache-write-model.ts `CacheWriteEnv` (duplicated so this file reads templates only). */
export const WRITE_ENV = {
  model: 'CACHE_WRITE_MODEL', mode: 'CACHE_WRITE_MODE', writerRegion: 'CACHE_WRITER_REGION', region: 'SERVICE_REGION',
} as const;
/** The variable the servers' Redis client connects to (lib/aws/topologies/deployment.ts `McpCacheEnv.URL`). */
export const CACHE_URL_ENV = 'REDIS_URL';

/**
 * Environment variables a boot script hands the server: `printf '%s=%s\n' NAME 'v'`
 * lines (bundled Node server), `export NAME='v'` (commands) and `-e NAME='v'`
 * (container). Values are shell-unquoted.
 */
export function parseScriptEnvironment(script: string): Record<string, string> {
  const env: Record<string, string> = {};
  const value = `('(?:[^']|'\\\\'')*'|[^\\s'"]*)`;
  const patterns = [
    new RegExp(`printf '%s=%s\\\\n' ([A-Za-z_][A-Za-z0-9_]*) ${value}`, 'g'),
    new RegExp(`(?:^|\\s)export ([A-Za-z_][A-Za-z0-9_]*)=${value}`, 'gm'),
    new RegExp(`\\s-e ([A-Za-z_][A-Za-z0-9_]*)=${value}`, 'g'),
  ];
  for (const p of patterns) for (const m of script.matchAll(p)) env[m[1]] = unquote(m[2]);
  return env;
}

function unquote(v: string): string {
  return v.startsWith("'") && v.endsWith("'") ? v.slice(1, -1).replace(/'\\''/g, "'") : v;
}

/** A fleet: a launch template (its user data) and the server environment it renders. */
export interface Fleet {
  readonly model: CfnModel;
  readonly id: string;
  readonly env: Record<string, string>;
}

export function fleets(model: CfnModel): Fleet[] {
  return model.resources('AWS::EC2::LaunchTemplate').map(([id, lt]) => ({
    model, id, env: parseScriptEnvironment(model.render((lt.Properties?.LaunchTemplateData as Record<string, unknown> | undefined)?.UserData)),
  }));
}

/** What a cache member in a region is under its cross-region relationship. */
export interface CacheMember {
  readonly id: string;
  readonly type: string;
  /** The write model the member implies and the mode a server next to it must run in. */
  readonly model: 'single-region' | 'multi-writer' | 'single-writer';
  readonly mode: 'local' | 'read-only-unless-promoted';
  /** The writer's region at deployment time (single-writer), when it can be found in the app. */
  readonly writerRegion?: string;
}

/**
 * Endpoint attributes that accept writes, per resource type: a replication
 * group's primary endpoint (cluster mode disabled) or configuration endpoint
 * (enabled), a MemoryDB cluster's endpoint. Reader endpoints route to replicas,
 * which refuse writes (READONLY).
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Endpoints.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html (return values)
 */
export const WRITER_ATTRIBUTES: Record<string, string[]> = {
  'AWS::ElastiCache::ReplicationGroup': ['PrimaryEndPoint.Address', 'ConfigurationEndPoint.Address'],
  'AWS::ElastiCache::ServerlessCache': ['Endpoint.Address'],
  'AWS::MemoryDB::Cluster': ['ClusterEndpoint.Address'],
};

/**
 * Classifies a cache resource: a replication group joined to a Global Datastore
 * by `GlobalReplicationGroupId` is a secondary (read-only until promoted); the
 * one named PRIMARY in a GlobalReplicationGroup writes; a MemoryDB cluster in a
 * multi-Region cluster writes locally (active-active); anything else is a
 * single-region cache.
 */
export function classifyCacheMember(app: CfnApp, model: CfnModel, id: string): CacheMember {
  const r = model.resource(id)!;
  if (r.Type === 'AWS::MemoryDB::Cluster' && r.Properties?.MultiRegionClusterName !== undefined) {
    return { id, type: r.Type, model: 'multi-writer', mode: 'local' };
  }
  if (r.Type === 'AWS::ElastiCache::ReplicationGroup') {
    const primaries = app.flatMap((m) => m.resources('AWS::ElastiCache::GlobalReplicationGroup').flatMap(([, g]) =>
      toArray(g.Properties?.Members).filter(isObject).filter((x) => x.Role === 'PRIMARY')
        .map((x) => ({ m, group: x.ReplicationGroupId, region: String(x.ReplicationGroupRegion) }))));
    if (primaries.some((p) => p.m === model && p.m.refOf(p.group)?.id === id)) {
      return { id, type: r.Type, model: 'single-writer', mode: 'local', writerRegion: model.region };
    }
    if (r.Properties?.GlobalReplicationGroupId !== undefined) {
      const writer = primaries.find((p) => p.m !== model);
      return { id, type: r.Type, model: 'single-writer', mode: 'read-only-unless-promoted', writerRegion: writer?.region };
    }
  }
  return { id, type: r.Type, model: 'single-region', mode: 'local', writerRegion: model.region };
}

/**
 * Each fleet's cache URL points at a writable endpoint of a cache member in its
 * own stack (its region), and the fleet is told the write mode that member
 * implies (CacheWriteEnv): a secondary's region runs read-only-unless-promoted
 * and names the writer region; a primary, a multi-writer member and a
 * single-region cache run local.
 */
export function writeEndpoints(app: CfnApp): { checked: string[]; violations: string[] } {
  const checked: string[] = [];
  const violations: string[] = [];
  for (const model of app) {
    for (const fleet of fleets(model)) {
      const url = fleet.env[CACHE_URL_ENV];
      if (url === undefined) continue;
      const where = `${model.name}/${fleet.id} (${model.region})`;
      checked.push(where);
      const refs = model.placeholders(url);
      const caches = refs.filter((x) => WRITER_ATTRIBUTES[model.resource(x.id)!.Type] !== undefined
        || /ElastiCache|MemoryDB/.test(model.resource(x.id)!.Type));
      if (caches.length !== 1) {
        violations.push(`${where}: ${CACHE_URL_ENV}=${url} does not name exactly one cache resource of this stack (region)`);
        continue;
      }
      const [ref] = caches;
      const type = model.resource(ref.id)!.Type;
      if (!(WRITER_ATTRIBUTES[type] ?? []).includes(ref.attribute ?? '')) {
        violations.push(`${where}: ${CACHE_URL_ENV} points at ${ref.id}.${ref.attribute} (${type}), not a writer endpoint `
          + `(${(WRITER_ATTRIBUTES[type] ?? ['none known']).join(' or ')})`);
      }
      if (!/^rediss:\/\//.test(url)) violations.push(`${where}: ${CACHE_URL_ENV}=${url} is not TLS (rediss://)`);
      const member = classifyCacheMember(app, model, ref.id);
      const expect: Record<string, string | undefined> = {
        [WRITE_ENV.model]: member.model, [WRITE_ENV.mode]: member.mode, [WRITE_ENV.region]: model.region,
        ...(member.model === 'multi-writer' ? {} : { [WRITE_ENV.writerRegion]: member.writerRegion }),
      };
      const wrong = Object.entries(expect).filter(([name, want]) => fleet.env[name] !== want)
        .map(([name, want]) => `${name}=${want ?? '(the writer region)'} (renders ${fleet.env[name] ?? 'nothing'})`);
      if (wrong.length > 0) {
        violations.push(`${where}: its cache ${ref.id} is a ${member.model} member, writes ${member.mode}; the server must get ${wrong.join(', ')}`);
      }
    }
  }
  return { checked, violations };
}

// ---------------------------------------------------------------------------
// (d) Functions that call the service's own HTTPS names trust its CA
// ---------------------------------------------------------------------------

/** lib/aws/mcp-probe-handler/trust.ts `TRUST_ENV`: the CA PEM itself, or the SSM parameter holding it. */
export const TRUSTED_CA_ENV = { pem: 'MCP_TRUSTED_CA_PEM', parameter: 'MCP_TRUSTED_CA_PARAMETER' } as const;

/** A certificate the app issues for its names, and who issues it. */
export interface ServiceCertificate {
  readonly model: CfnModel;
  readonly id: string;
  readonly names: string[];
  /** `private-ca` for a Vault-issued (private PKI) certificate, `public` for ACM. */
  readonly issuer: 'public' | 'private-ca';
}

/** Every certificate of the app: ACM certificates (public) and Vault-issued ones (custom resources, private CA). */
export function serviceCertificates(app: CfnApp): ServiceCertificate[] {
  const out: ServiceCertificate[] = [];
  for (const model of app) {
    for (const [id, r] of model.resources()) {
      if (r.Type === 'AWS::CertificateManager::Certificate') {
        out.push({ model, id, issuer: 'public', names: [model.render(r.Properties?.DomainName), ...toArray(r.Properties?.SubjectAlternativeNames).map((n) => model.render(n))] });
      } else if (/^Custom::Vault/.test(r.Type)) {
        const config = JSON.parse(model.render(r.Properties?.Config ?? '{}')) as { commonName?: string; altNames?: string[] };
        out.push({ model, id, issuer: 'private-ca', names: [config.commonName ?? '', ...(config.altNames ?? [])].filter(Boolean) });
      }
    }
  }
  return out;
}

/** True when the certificate name (possibly `*.zone`) covers `host`. */
export function nameCovers(name: string, host: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (n.startsWith('*.')) return h.endsWith(n.slice(1)) && !h.slice(0, -(n.length - 1)).includes('.');
  return n === h;
}

/** The https hosts a function's environment calls (URLs anywhere in its values, JSON included). */
export function httpsHosts(env: Record<string, string>): string[] {
  return [...new Set(Object.values(env).flatMap((v) => [...v.matchAll(/https:\/\/([A-Za-z0-9.-]+)/g)].map((m) => m[1].toLowerCase())))];
}

/**
 * Every function whose environment calls one of the service's own names over
 * HTTPS trusts the CA of the certificate serving that name when it is a private
 * CA: either the PEM inline, or an SSM parameter the function may read and
 * that the certificate's issuer in the app writes (so the trust follows rotation).
 */
export function privateCaTrust(app: CfnApp): { checked: string[]; violations: string[] } {
  const checked: string[] = [];
  const violations: string[] = [];
  const certs = serviceCertificates(app);
  for (const model of app) {
    for (const [fnId] of model.resources('AWS::Lambda::Function')) {
      const env = model.functionEnvironment(fnId);
      for (const host of httpsHosts(env)) {
        const cert = certs.find((c) => c.names.some((n) => nameCovers(n, host)));
        if (!cert || cert.issuer !== 'private-ca') continue;
        const where = `${model.name}/${fnId} calls https://${host} (certificate ${cert.model.name}/${cert.id}, private CA)`;
        checked.push(where);
        const pem = env[TRUSTED_CA_ENV.pem];
        const parameter = env[TRUSTED_CA_ENV.parameter];
        if (pem) {
          if (!pem.includes('-----BEGIN CERTIFICATE-----') && model.placeholders(pem).length === 0) {
            violations.push(`${where}: ${TRUSTED_CA_ENV.pem} holds no PEM certificate`);
          }
          continue;
        }
        if (!parameter) {
          violations.push(`${where}: neither ${TRUSTED_CA_ENV.pem} nor ${TRUSTED_CA_ENV.parameter} is set; the default trust store `
            + 'does not hold the private CA, so every TLS handshake fails');
          continue;
        }
        const role = model.functionRole(fnId);
        const readable = (role ? model.roleStatements(role) : []).some((s) => s.actions.some((x) => matchesAction(x, 'ssm:GetParameter'))
          && s.resources.some((res) => parameterArnMatches(model.render(res), parameter)));
        if (!readable) violations.push(`${where}: its role may not ssm:GetParameter ${parameter}`);
        const name = parameterName(parameter);
        if (!certs.some((c) => c.issuer === 'private-ca' && issuerMaterial(c).includes(name))) {
          violations.push(`${where}: no private-CA certificate issuer of the app writes the CA to ${parameter}`);
        }
      }
    }
  }
  return { checked, violations };
}

/**
 * What a certificate's issuer is configured with, rendered: the custom resource's
 * properties, its function's environment and its role's policies (where it may
 * write an SSM parameter), and the SSM parameters of its stack.
 */
function issuerMaterial(cert: ServiceCertificate): string {
  const m = cert.model;
  const r = m.resource(cert.id)!;
  const fnId = m.refOf(r.Properties?.ServiceToken)?.id;
  const role = fnId ? m.functionRole(fnId) : undefined;
  const parts: unknown[] = [r.Properties, fnId ? m.functionEnvironment(fnId) : {}, role ? m.roleStatements(role) : []];
  return JSON.stringify(renderDeep(m, parts));
}

/** Every intrinsic inside a value replaced by its rendering (`${Id.Attr}`). */
export function renderDeep(m: CfnModel, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((x) => renderDeep(m, x));
  if (!isObject(value)) return value;
  if (Object.keys(value).length === 1 && /^(Ref|Fn::)/.test(Object.keys(value)[0])) return m.render(value);
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, renderDeep(m, x)]));
}

function parameterName(parameter: string): string {
  return parameter.replace(/^arn:[^:]*:ssm:[^:]*:[^:]*:parameter/, '');
}

function parameterArnMatches(resource: string, parameter: string): boolean {
  if (resource === '*') return true;
  const name = parameterName(parameter).replace(/^\//, '');
  const pattern = resource.replace(/^arn:[^:]*:ssm:[^:]*:[^:]*:parameter\/?/, '');
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(name);
}

// ---------------------------------------------------------------------------
// (e) No CNAME at a zone apex
// ---------------------------------------------------------------------------

/** A DNS record as rendered (name with or without the trailing dot). */
export interface DnsRecord {
  readonly where: string;
  readonly name: string;
  readonly type: string;
  readonly zone?: string;
}

export function dnsRecords(model: CfnModel, zoneNames: Record<string, string>): DnsRecord[] {
  const zoneOf = (p: Record<string, unknown> | undefined): string | undefined => {
    if (!p) return undefined;
    if (p.HostedZoneName !== undefined) return model.render(p.HostedZoneName);
    const ref = model.refOf(p.HostedZoneId);
    if (ref) return model.render(model.resource(ref.id)?.Properties?.Name);
    return zoneNames[model.render(p.HostedZoneId)];
  };
  const out: DnsRecord[] = [];
  for (const [id, r] of model.resources('AWS::Route53::RecordSet')) {
    out.push({ where: `${model.name}/${id}`, name: model.render(r.Properties?.Name), type: String(r.Properties?.Type), zone: zoneOf(r.Properties) });
  }
  for (const [id, r] of model.resources('AWS::Route53::RecordSetGroup')) {
    for (const rs of toArray(r.Properties?.RecordSets).filter(isObject)) {
      out.push({ where: `${model.name}/${id}`, name: model.render(rs.Name), type: String(rs.Type), zone: zoneOf(r.Properties) });
    }
  }
  return out;
}

/** Route 53 (like RFC 1034 section 3.6.2) refuses a CNAME at the zone apex, which holds SOA and NS. */
export function apexCnames(records: readonly DnsRecord[]): string[] {
  const norm = (n: string): string => n.toLowerCase().replace(/\.$/, '');
  return records.filter((r) => r.type === 'CNAME' && r.zone !== undefined && norm(r.name) === norm(r.zone))
    .map((r) => `${r.where}: CNAME ${r.name} at the apex of ${r.zone}`);
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** IAM action match with wildcards (`elasticache:*`, `*`). */
export function matchesAction(granted: string, wanted: string): boolean {
  return new RegExp(`^${granted.split('*').map(escapeRegExp).join('.*')}$`, 'i').test(wanted);
}

// ---------------------------------------------------------------------------
// (f) The MCP probes call the MCP endpoint of a name the app serves
// ---------------------------------------------------------------------------

/** The probe handler's URL variable (lib/aws/mcp-probe-handler `ENV.url`). */
export const PROBE_URL_ENV = 'MCP_PROBE_URL';

/**
 * Every MCP probe function calls, over https, a name the app publishes (a DNS
 * record of one of its stacks) on the path the servers serve MCP on
 * (`MCP_PATH` of the fleets), never the readiness or liveness path: a probe of
 * the readiness path passes on a server whose MCP endpoint is broken.
 */
export function probeTargets(app: CfnApp, zoneNames: Record<string, string>): { checked: string[]; violations: string[] } {
  const checked: string[] = [];
  const violations: string[] = [];
  const allFleets = app.flatMap(fleets);
  const mcpPaths = new Set(allFleets.map((f) => f.env.MCP_PATH).filter(Boolean));
  const otherPaths = new Set(allFleets.flatMap((f) => [f.env.MCP_READINESS_PATH, f.env.MCP_LIVENESS_PATH]).filter(Boolean));
  const names = new Set(app.flatMap((m) => dnsRecords(m, zoneNames)).map((r) => r.name.toLowerCase().replace(/\.$/, '')));
  for (const model of app) {
    for (const [fnId] of model.resources('AWS::Lambda::Function')) {
      const url = model.functionEnvironment(fnId)[PROBE_URL_ENV];
      if (url === undefined) continue;
      const where = `${model.name}/${fnId} probes ${url}`;
      checked.push(where);
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        violations.push(`${where}: not a URL`);
        continue;
      }
      if (parsed.protocol !== 'https:') violations.push(`${where}: not https`);
      if (!names.has(parsed.hostname.toLowerCase())) violations.push(`${where}: ${parsed.hostname} is not a name the app publishes`);
      if (mcpPaths.size !== 1 || !mcpPaths.has(parsed.pathname)) {
        violations.push(`${where}: the servers serve MCP on ${[...mcpPaths].join(', ') || '(no fleet found)'}, the probe calls ${parsed.pathname}`
          + `${otherPaths.has(parsed.pathname) ? ' (a health path: it passes while MCP is broken)' : ''}`);
      }
    }
  }
  return { checked, violations };
}
