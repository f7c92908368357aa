/**
 * The drill's stand-in for the promotion trigger: the writer region's health, sampled
 * once per alarm period, evaluated like the extended-outage CloudWatch alarm the AWS
 * topology renders (period = one alarm evaluation, evaluation periods = the escalation
 * ladder's extended-outage time / period, **missing data = not breaching**), and the
 * library's `promote` (lib/core/promotion.ts) called on the transition into ALARM, then
 * once per period while the alarm stays in ALARM and the decision was blocked (what
 * the AWS handler's schedule does).
 *
 * The same samples are also evaluated with missing data treated as breaching, only to
 * report when such an alarm would have fired (the bug issue 11 names): it never acts.
 */
import { Decision, PromotionAction } from '../../lib/core/promotion';

export type AlarmState = 'OK' | 'ALARM';

export interface PromotionTriggerOptions {
  /** One alarm period (scaled), in milliseconds. */
  readonly periodMs: number;
  /** Consecutive breaching periods before ALARM. */
  readonly evaluationPeriods: number;
  /** True when the watched region is unhealthy now (one data point). */
  readonly breaching: () => Promise<boolean>;
  /** Runs the library's promotion decision; its Decision is recorded. */
  readonly promote: () => Promise<Decision>;
  /** Hard bound on the loop. */
  readonly maxRunMs: number;
  readonly log?: (line: string) => void;
}

export interface TriggerEvent {
  readonly atMs: number;
  readonly kind: 'alarm' | 'ok' | 'decision' | 'naive-alarm' | 'error';
  readonly detail?: string;
  readonly decision?: Decision;
}

export class PromotionTrigger {
  public readonly events: TriggerEvent[] = [];
  /** One slot per period: true breaching, false ok, undefined missing (the probe did not report). */
  private readonly slots: (boolean | undefined)[] = [];
  private state: AlarmState = 'OK';
  private naiveState: AlarmState = 'OK';
  private silencedUntil = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly deadline: number;

  constructor(private readonly options: PromotionTriggerOptions) {
    this.deadline = Date.now() + options.maxRunMs;
  }

  public get alarmState(): AlarmState {
    return this.state;
  }

  /** The probe stops reporting (no data points) until `untilMs`. */
  public silence(untilMs: number): void {
    this.silencedUntil = untilMs;
  }

  public start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.periodMs);
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Decisions that promoted (PROMOTED), with their times. */
  public promotions(sinceMs = 0): TriggerEvent[] {
    return this.events.filter((e) => e.kind === 'decision' && e.decision?.action === PromotionAction.PROMOTED && e.atMs >= sinceMs);
  }

  public firstEvent(kind: TriggerEvent['kind'], sinceMs: number): TriggerEvent | undefined {
    return this.events.find((e) => e.kind === kind && e.atMs >= sinceMs);
  }

  /** Forget the samples (after the watched writer changed: a new alarm on the new writer). */
  public reset(): void {
    this.slots.length = 0;
    this.state = 'OK';
    this.naiveState = 'OK';
  }

  /** One alarm period: a data point (unless silenced), the evaluation, and the promotion when due. The timer calls it. */
  public async tick(): Promise<void> {
    if (this.running) return;
    if (Date.now() > this.deadline) {
      this.stop();
      return;
    }
    this.running = true;
    try {
      const now = Date.now();
      const sample = now < this.silencedUntil ? undefined : await this.options.breaching();
      this.slots.push(sample);
      if (this.slots.length > 1000) this.slots.splice(0, this.slots.length - 1000);
      const n = this.options.evaluationPeriods;
      const last = this.slots.slice(-n);
      const full = last.length === n;
      const breaching = full && last.every((s) => s === true);
      const naive = full && last.every((s) => s !== false);
      if (naive && this.naiveState === 'OK') this.events.push({ atMs: now, kind: 'naive-alarm', detail: 'missing data treated as breaching' });
      this.naiveState = naive ? 'ALARM' : 'OK';
      const before = this.state;
      this.state = breaching ? 'ALARM' : 'OK';
      if (before !== this.state) {
        this.events.push({ atMs: now, kind: this.state === 'ALARM' ? 'alarm' : 'ok' });
        this.options.log?.(`promotion trigger: ${before} -> ${this.state}`);
      }
      const lastDecision = [...this.events].reverse().find((e) => e.kind === 'decision')?.decision;
      const retry = before === 'ALARM' && this.state === 'ALARM' && lastDecision?.blocked === true;
      if ((before === 'OK' && this.state === 'ALARM') || retry) {
        try {
          const decision = await this.options.promote();
          this.events.push({ atMs: Date.now(), kind: 'decision', decision, detail: decision.reason });
          this.options.log?.(`promotion decision: ${decision.action} (${decision.reason})`);
        } catch (e) {
          this.events.push({ atMs: Date.now(), kind: 'error', detail: e instanceof Error ? e.message : String(e) });
        }
      }
    } finally {
      this.running = false;
    }
  }
}
