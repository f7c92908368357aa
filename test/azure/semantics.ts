/**
 * Semantic checks over synthesized Azure stacks, written once and used by every
 * topology test: they read the rendered Terraform JSON, not the constructs.
 */
import { TfJson, resources } from './support';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface RenderedProfile {
  readonly name: string;
  readonly capacity: { minimum: number; maximum: number; default: number };
  readonly recurrence?: { days: string[]; hours: number[]; minutes: number[]; timezone: string };
  readonly fixed_date?: { start: string; end: string; timezone: string };
  readonly rule: RenderedRule[];
}

export interface RenderedRule {
  readonly metric_trigger: {
    metric_name: string; metric_resource_id: string; operator: string; threshold: number; time_aggregation: string;
    statistic: string; time_window: string;
    dimensions?: { name: string; operator: string; values: string[] }[];
  };
  readonly scale_action: { direction: string; type: string; value: number; cooldown: string };
}

/** The autoscale profiles of the setting whose logical id contains `part`. */
export function profilesOf(tf: TfJson, part: string): RenderedProfile[] {
  const entry = Object.entries(resources(tf, 'azurerm_monitor_autoscale_setting')).find(([id]) => id.includes(part));
  if (!entry) throw new Error(`no autoscale setting matching ${part}`);
  return entry[1].profile as RenderedProfile[];
}

/**
 * For every minute of the week, the recurring profile Azure runs: the one whose
 * latest start is at or before that minute (a recurring profile runs until the
 * next one starts; the week wraps). Returns, per minute, the indexes of the
 * profiles active (exactly one when the profiles cover the week once).
 */
export function activeRecurringProfile(profiles: readonly RenderedProfile[]): number[][] {
  const starts: { minute: number; index: number }[] = [];
  profiles.forEach((p, index) => {
    if (!p.recurrence) return;
    for (const day of p.recurrence.days) {
      for (const h of p.recurrence.hours) for (const m of p.recurrence.minutes) starts.push({ minute: DAYS.indexOf(day) * 1440 + h * 60 + m, index });
    }
  });
  const week = 7 * 1440;
  const active: number[][] = [];
  for (let minute = 0; minute < week; minute++) {
    // The latest start at or before `minute`, wrapping to last week's last start.
    let best = -Infinity;
    let found: number[] = [];
    for (const s of starts) {
      const at = s.minute <= minute ? s.minute : s.minute - week;
      if (at > best) { best = at; found = [s.index]; } else if (at === best && !found.includes(s.index)) found.push(s.index);
    }
    active.push(found);
  }
  return active;
}

/**
 * Evaluates a rendered scale rule on a metric series (one value per minute,
 * `undefined` = no data point), as Azure autoscale does: aggregate the window,
 * compare. A window without data does not fire.
 */
export function ruleFires(rule: RenderedRule, series: readonly (number | undefined)[]): boolean {
  const values = series.filter((x): x is number => x !== undefined);
  if (values.length === 0) return false;
  const t = rule.metric_trigger;
  const agg = t.time_aggregation === 'Maximum' ? Math.max(...values)
    : t.time_aggregation === 'Minimum' ? Math.min(...values)
      : values.reduce((a, b) => a + b, 0) / values.length;
  switch (t.operator) {
    case 'LessThan': return agg < t.threshold;
    case 'LessThanOrEqual': return agg <= t.threshold;
    case 'GreaterThan': return agg > t.threshold;
    case 'GreaterThanOrEqual': return agg >= t.threshold;
    default: return agg === t.threshold;
  }
}

/** The boot script (HCL expression) of each scale set, by logical id. */
export function bootScripts(tf: TfJson): Record<string, string> {
  return Object.fromEntries(Object.entries(resources(tf, 'azurerm_linux_virtual_machine_scale_set')).map(([id, r]) => [id, String(r.custom_data)]));
}

/** `KEY='value'` pairs passed to the container in a boot script (HCL references kept as text). */
export function containerEnv(script: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of script.matchAll(/-e ([A-Z_]+)='((?:[^']|"[^"]*")*)'/g)) env[m[1]] = m[2];
  return env;
}

/** A metric series (one value per minute, `undefined` = no data point) for each rule's metric. */
export type MetricWorld = (rule: RenderedRule) => readonly (number | undefined)[];

/**
 * One autoscale evaluation of a rendered profile, as Azure documents it
 * (https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-best-practices):
 * scale out when ANY Increase rule is met, scale in only when ALL Decrease rules are met;
 * the result stays within the profile's minimum and maximum. When several rules of one
 * direction are met, the simulation takes the largest resulting count (the most conservative
 * reading: Azure does not document which action wins), so a scale-in may take several steps.
 */
export function evaluateProfile(profile: RenderedProfile, count: number, world: MetricWorld): number {
  const clamp = (n: number) => Math.min(profile.capacity.maximum, Math.max(profile.capacity.minimum, n));
  const target = (r: RenderedRule): number => {
    const a = r.scale_action;
    const up = a.direction === 'Increase';
    if (a.type === 'ExactCount') return up ? Math.max(count, a.value) : Math.min(count, a.value);
    if (a.type === 'ChangeCount') return up ? count + a.value : count - a.value;
    throw new Error(`unsupported scale action type ${a.type}`);
  };
  const out = profile.rule.filter((r) => r.scale_action.direction === 'Increase' && ruleFires(r, world(r)));
  if (out.length > 0) return clamp(Math.max(...out.map(target)));
  const scaleIn = profile.rule.filter((r) => r.scale_action.direction === 'Decrease');
  if (scaleIn.length > 0 && scaleIn.every((r) => ruleFires(r, world(r)))) return clamp(Math.max(...scaleIn.map(target)));
  return clamp(count);
}

/** Evaluations until the count settles (at most `limit`); returns every count reached, the start included. */
export function settle(profile: RenderedProfile, start: number, world: MetricWorld, limit = 100): number[] {
  const counts = [start];
  for (let i = 0; i < limit; i++) {
    const next = evaluateProfile(profile, counts[counts.length - 1], world);
    if (next === counts[counts.length - 1]) break;
    counts.push(next);
  }
  return counts;
}
