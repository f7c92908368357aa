/**
 * Load for the drill: MCP clients on the real SDK, each calling tools at a steady
 * rate through the load balancer and recording every call. No retries: a call
 * that fails is counted as failed (the raw number the drill reports).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export type Era = 'modern' | 'legacy';
export type Operation = 'context_set' | 'context_get' | 'server_info' | 'slow_echo';

export interface CallRecord {
  readonly client: number;
  readonly era: Era;
  readonly op: Operation;
  /** Epoch milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
  /** The replica that answered (every tool reports it). */
  readonly replica?: string;
  readonly error?: string;
  /** A get that did not return the value this client last set (state lost, e.g. Redis restarted). */
  readonly mismatch?: boolean;
}

export interface LoadOptions {
  readonly url: string;
  /** Pause between the end of one call and the start of the next. */
  readonly intervalMs: number;
  /** Every n-th call is a slow_echo of `slowMs` (0: never). */
  readonly slowEvery: number;
  readonly slowMs: number;
  /**
   * A call that takes longer fails (client-side timeout; the SDK's request timeout, also
   * used for connect). A backstop: with the drill's local timeout chain HAProxy answers a
   * call stuck on a hung replica with 504 after `timeout server` (the chain's idle timeout), sooner.
   */
  readonly callTimeoutMs: number;
  /** Hard bounds on the loop. */
  readonly maxCalls: number;
  readonly maxDurationMs: number;
  /**
   * An OAuth access token sent on every request (authorization on). One token per client
   * for the whole drill: a failover must not need a new one (no server-side session state).
   * @default - none
   */
  readonly bearerToken?: string;
}

export class LoadClient {
  public readonly records: CallRecord[] = [];
  /** Start (epoch ms) of the call in flight now, if any. */
  public inFlightSinceMs?: number;
  private client?: Client;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(public readonly id: number, public readonly era: Era, private readonly options: LoadOptions) {}

  /** Connects (bounded retries: the drill starts clients before any fault) and starts the loop. */
  public async start(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5 && !this.client; attempt++) {
      try {
        const c = new Client(
          { name: `drill-client-${this.id}`, version: '1.0.0' },
          this.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
        );
        await c.connect(new StreamableHTTPClientTransport(new URL(this.options.url), this.options.bearerToken
          ? { requestInit: { headers: { authorization: `Bearer ${this.options.bearerToken}` } } } : undefined), { timeout: this.options.callTimeoutMs });
        this.client = c;
      } catch (e) {
        lastError = e;
        await sleep(300);
      }
    }
    if (!this.client) throw new Error(`client ${this.id} (${this.era}) could not connect: ${String(lastError)}`);
    this.loop = this.run();
  }

  public async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.client?.close().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const client = this.client as Client;
    const deadline = Date.now() + this.options.maxDurationMs;
    const handle = `drill-${this.id}`;
    let lastSet: string | undefined;
    for (let n = 1; !this.stopped && n <= this.options.maxCalls && Date.now() < deadline; n++) {
      const op: Operation = this.options.slowEvery > 0 && n % this.options.slowEvery === 0
        ? 'slow_echo'
        : (['context_set', 'context_get', 'server_info'] as const)[n % 3];
      const startMs = Date.now();
      this.inFlightSinceMs = startMs;
      const value = `v${this.id}-${n}`;
      try {
        const result = await client.callTool(
          op === 'context_set' ? { name: 'context_lookup', arguments: { handle, key: 'k', action: 'set', value, ttlSeconds: 600 } }
            : op === 'context_get' ? { name: 'context_lookup', arguments: { handle, key: 'k' } }
              : op === 'server_info' ? { name: 'server_info', arguments: {} }
                : { name: 'slow_echo', arguments: { message: value, delayMs: this.options.slowMs } },
          { timeout: this.options.callTimeoutMs },
        );
        const sc = (result.structuredContent ?? {}) as { replica?: string; value?: string; found?: boolean };
        if (result.isError) {
          const text = (result.content as { text?: string }[] | undefined)?.[0]?.text ?? 'tool error';
          this.records.push({ client: this.id, era: this.era, op, startMs, endMs: Date.now(), ok: false, error: `tool error: ${text}` });
        } else {
          const mismatch = op === 'context_get' && lastSet !== undefined && sc.value !== lastSet;
          if (op === 'context_set') lastSet = value;
          this.records.push({ client: this.id, era: this.era, op, startMs, endMs: Date.now(), ok: true, replica: sc.replica, ...(mismatch ? { mismatch } : {}) });
        }
      } catch (e) {
        this.records.push({ client: this.id, era: this.era, op, startMs, endMs: Date.now(), ok: false, error: shortError(e) });
      }
      this.inFlightSinceMs = undefined;
      if (!this.stopped) await sleep(this.options.intervalMs);
    }
  }
}

function shortError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 200 ? `${msg.slice(0, 200)}...` : msg;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
