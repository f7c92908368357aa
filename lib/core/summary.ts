/**
 * The per-stack summary the reference apps print after synthesis. Topologies
 * write it into their templates (CloudFormation template metadata, a Terraform
 * output), computed from the same values they render, and `npm run synth` reads
 * it back from the synthesized files: what is printed is what was rendered.
 */

/** Key of the summary in CloudFormation template metadata and the name of the Terraform output. */
export const SUMMARY_KEY = 'McpHa::Summary';

export interface StackSummary {
  readonly cloud: string;
  readonly topology: string;
  readonly tier: string;
  /** Zones (single region) or regions (multi-region) the stack's part of the service spans. */
  readonly zones?: number;
  readonly regions?: readonly string[];
  readonly minInstances?: number;
  readonly maxInstances?: number;
  readonly budgetSeconds?: number;
  readonly targetSeconds?: number;
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
  /** Instance-hours in a typical week (schedule floor) and the flat-peak comparison. */
  readonly weeklyInstanceHours?: number;
  readonly flatPeakInstanceHours?: number;
  /** Who may call: the issuer's host, or `unauthenticated (opt-out)` (lib/core/authorization.ts). */
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
