/**
 * The timeout chain: one set of request timeouts, validated end to end.
 *
 *   longest tool call  <  origin read timeout  <  load-balancer idle timeout
 *   stream keep-alive  <  load-balancer idle timeout
 *   drain (deregistration delay)  >=  longest tool call
 *
 * A streamed MCP response cut at the load balancer's default 60 s idle timeout is
 * the most common field failure; a drain shorter than the longest tool call cuts
 * calls during every scale-in and deploy. Breaking the chain is a synth-time error.
 */
import { CLOUD_FACTS } from './cloud-limits';
import { Validator } from './errors';

/** Request timeouts; every field is optional and the tier fills what is left out. */
export interface TimeoutChainOptions {
  /** The longest a single MCP tool call may take, end to end. @default - from the tier */
  readonly longestToolCallSeconds?: number;
  /**
   * How long the server (or the load balancer's backend, where it has such a
   * setting: GCP backend service timeout, Application Gateway request timeout)
   * waits for a response before giving up. @default - from the tier
   */
  readonly originReadTimeoutSeconds?: number;
  /** Load balancer idle timeout: a connection with no bytes for this long is closed. @default - from the tier */
  readonly idleTimeoutSeconds?: number;
  /** Interval of the server's stream keep-alive (SSE comment/ping) on long responses. @default - from the tier */
  readonly keepAliveSeconds?: number;
  /** Deregistration delay / connection draining before an instance stops. @default - from the tier */
  readonly drainSeconds?: number;
}

/** A complete timeout chain, every value given (what `TimeoutChain.of` takes and `toOptions` returns). */
export interface TimeoutChainSettings {
  /** The longest a single MCP tool call may take, end to end. */
  readonly longestToolCallSeconds: number;
  /** How long the server (or the load balancer's backend) waits for a response before giving up. */
  readonly originReadTimeoutSeconds: number;
  /** Load balancer idle timeout: a connection with no bytes for this long is closed. */
  readonly idleTimeoutSeconds: number;
  /** Interval of the server's stream keep-alive (SSE comment/ping) on long responses. */
  readonly keepAliveSeconds: number;
  /** Deregistration delay / connection draining before an instance stops. */
  readonly drainSeconds: number;
}

/** A complete, validated timeout chain. */
export class TimeoutChain {
  /**
   * Validates a complete chain; problems go to `validator` when given (the caller
   * throws), else they are thrown here.
   */
  public static of(options: TimeoutChainSettings, validator?: Validator): TimeoutChain {
    const v = validator ?? new Validator({ propPrefix: 'timeouts' });
    const chain = new TimeoutChain(options);
    chain.validate(v);
    if (!validator) v.throwIfInvalid();
    return chain;
  }

  public readonly longestToolCallSeconds: number;
  public readonly originReadTimeoutSeconds: number;
  public readonly idleTimeoutSeconds: number;
  public readonly keepAliveSeconds: number;
  public readonly drainSeconds: number;

  private constructor(o: TimeoutChainSettings) {
    this.longestToolCallSeconds = o.longestToolCallSeconds;
    this.originReadTimeoutSeconds = o.originReadTimeoutSeconds;
    this.idleTimeoutSeconds = o.idleTimeoutSeconds;
    this.keepAliveSeconds = o.keepAliveSeconds;
    this.drainSeconds = o.drainSeconds;
  }

  public toOptions(): TimeoutChainSettings {
    return {
      longestToolCallSeconds: this.longestToolCallSeconds,
      originReadTimeoutSeconds: this.originReadTimeoutSeconds,
      idleTimeoutSeconds: this.idleTimeoutSeconds,
      keepAliveSeconds: this.keepAliveSeconds,
      drainSeconds: this.drainSeconds,
    };
  }

  private validate(v: Validator): void {
    const idle = CLOUD_FACTS.awsAlbIdleTimeoutSeconds;
    const drain = CLOUD_FACTS.awsDeregistrationDelaySeconds;
    for (const prop of ['longestToolCallSeconds', 'originReadTimeoutSeconds', 'keepAliveSeconds'] as const) {
      v.check(Number.isInteger(this[prop]) && this[prop] > 0, prop, this[prop], 'a positive whole number of seconds');
    }
    // The widest range any supported load balancer accepts; each cloud layer checks its own.
    v.integerInRange('idleTimeoutSeconds', this.idleTimeoutSeconds, idle,
      `Application Load Balancer idle timeout, ${idle.docUrl}`);
    v.integerInRange('drainSeconds', this.drainSeconds, drain,
      `target group deregistration delay, ${drain.docUrl}`);
    v.check(this.longestToolCallSeconds < this.originReadTimeoutSeconds, 'originReadTimeoutSeconds',
      this.originReadTimeoutSeconds,
      `more than longestToolCallSeconds (${this.longestToolCallSeconds}): the origin would give up on the longest tool call`);
    v.check(this.originReadTimeoutSeconds < this.idleTimeoutSeconds, 'idleTimeoutSeconds', this.idleTimeoutSeconds,
      `more than originReadTimeoutSeconds (${this.originReadTimeoutSeconds}): the load balancer would cut a response the origin is still producing`);
    v.check(this.keepAliveSeconds < this.idleTimeoutSeconds, 'keepAliveSeconds', this.keepAliveSeconds,
      `less than idleTimeoutSeconds (${this.idleTimeoutSeconds}): a quiet stream would be closed between keep-alives`);
    v.check(this.drainSeconds >= this.longestToolCallSeconds, 'drainSeconds', this.drainSeconds,
      `at least longestToolCallSeconds (${this.longestToolCallSeconds}): scale-in and deploys would cut calls in flight`);
  }
}
