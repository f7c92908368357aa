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
    dimensions?: { name: string; values: string[] }[];
  };
  readonly scale_action: { direction: string; type: string; value: number };
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
