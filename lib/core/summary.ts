/**
 * The per-stack summary the reference apps print after synthesis. Topologies
 * write it into their templates (CloudFormation template metadata, a Terraform
 * output), computed from the same values they render, and `npm run synth` reads
 * it back from the synthesized files: what is printed is what was rendered.
 */

/** Key of the summary in CloudFormation template metadata and the name of the Terraform output. */
export const SUMMARY_KEY = 'McpHa::Summary';

/**
 * What a topology records about the stack it built (template metadata on AWS, a Terraform output on
 * Azure and Google Cloud), printed by `npm run synth`. Absent fields do not apply to that stack.
 */
export interface StackSummary {
  /** `aws`, `azure` or `gcp`. */
  readonly cloud: string;
  /** `active-active`, `active-passive` or `multi-region`. */
  readonly topology: string;
  /** The availability tier. */
  readonly tier: string;
  /** Zones the stack's part of the service spans. @default - not stated (a global or multi-region stack: see `regions`) */
  readonly zones?: number;
  /** Regions of a multi-region service. @default - not stated (single region: see `zones`) */
  readonly regions?: string[];
  /** Instances the fleet keeps at least. @default - not stated (a stack without a fleet) */
  readonly minInstances?: number;
  /** Instances the fleet may grow to. @default - not stated (a stack without a fleet) */
  readonly maxInstances?: number;
  /** The failover budget's total, seconds. @default - not stated (a stack that holds no failover path) */
  readonly budgetSeconds?: number;
  /** The tier's target for this topology, seconds. @default - not stated (with `budgetSeconds`) */
  readonly targetSeconds?: number;
  /** Name of the budget's largest term. @default - not stated (with `budgetSeconds`) */
  readonly largestTerm?: string;
  /**
   * The cache write model (`single-region`, `multi-writer`, `single-writer`).
   * @default - no cache: the column prints `-`
   */
  readonly cacheWriteModel?: string;
  /**
   * Seconds from the writer's loss until a surviving deployment writes again (0 for multi-writer).
   * @default - no cache
   */
  readonly writeRecoverySeconds?: number;
  /**
   * Each region's write mode at deployment time (`local`, `read-only-unless-promoted`).
   * @default - no cache
   */
  readonly regionWriteModes?: Readonly<Record<string, string>>;
  /** Instance-hours in a typical week at the schedule's floor. @default - not stated (no fleet in the stack) */
  readonly weeklyInstanceHours?: number;
  /** Instance-hours of a week at flat peak capacity, for comparison. @default - not stated (no fleet in the stack) */
  readonly flatPeakInstanceHours?: number;
  /** Who may call: the issuer's host, or `unauthenticated (opt-out)` (lib/core/authorization.ts). @default - not stated (a stack without servers) */
  readonly authorization?: string;
}

/** One printed row: the stack's name, its resource count and its summary (if it has one). */
export interface SummaryRow {
  readonly stack: string;
  readonly resources: number;
  readonly summary?: StackSummary;
}

const HEADERS = [
  'stack', 'cloud', 'topology', 'tier', 'resources', 'zones/regions', 'min-max inst', 'serving RTO', 'write recovery', 'weekly inst-h', 'authorization',
];

/** `single-writer 420 s (eu-west-1 read-only)`, `multi-writer 0 s`, `single-region 30 s`, or `-`. */
export function formatWriteRecovery(s: StackSummary | undefined): string {
  if (s?.cacheWriteModel === undefined || s.writeRecoverySeconds === undefined) return '-';
  const readOnly = Object.entries(s.regionWriteModes ?? {}).filter(([, m]) => m !== 'local').map(([r]) => r);
  return `${s.cacheWriteModel} ${s.writeRecoverySeconds} s${readOnly.length > 0 ? ` (${readOnly.join(', ')} read-only)` : ''}`;
}

/** Renders rows as an aligned plain-text table. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const cells = rows.map((r) => {
    const s = r.summary;
    const where = s?.regions ? `${s.regions.length} regions` : s?.zones !== undefined ? `${s.zones} zones` : '-';
    const budget = s?.budgetSeconds !== undefined
      ? `${s.budgetSeconds} s / ${s.targetSeconds} s${s.budgetSeconds > (s.targetSeconds ?? Infinity) ? ' OVER' : ''} (${s.largestTerm})`
      : '-';
    const hours = s?.weeklyInstanceHours !== undefined
      ? `${s.weeklyInstanceHours}${s.flatPeakInstanceHours ? ` (flat ${s.flatPeakInstanceHours})` : ''}`
      : '-';
    return [
      r.stack, s?.cloud ?? '-', s?.topology ?? '-', s?.tier ?? '-', String(r.resources), where,
      s?.minInstances !== undefined ? `${s.minInstances}-${s.maxInstances}` : '-', budget, formatWriteRecovery(s), hours, s?.authorization ?? '-',
    ];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => c.map((x, i) => x.padEnd(widths[i])).join('  ').trimEnd();
  return [line(HEADERS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
