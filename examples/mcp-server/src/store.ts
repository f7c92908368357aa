/**
 * Context storage in Redis. Every replica reads and writes the same Redis, so
 * any replica can serve any request: no state lives in process memory.
 *
 * The client fails fast while disconnected (no offline queue): a tool call or a
 * readiness probe during a Redis outage gets an error at once instead of waiting
 * in a queue past the load balancer's timeouts. It reconnects on its own, with a
 * backoff capped at one second.
 */
import { createClient } from 'redis';
import type { Logger } from './logger';
import { errorFields } from './logger';

export interface StoreOptions {
  readonly url: string;
  readonly password?: string;
  readonly username?: string;
  /** Seconds a context entry lives. */
  readonly ttlSeconds: number;
  /** Milliseconds any single Redis command may take. */
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/** The outcome of one PING: latency in milliseconds, or why it failed. */
export type PingResult = { readonly ok: true; readonly latencyMs: number } | { readonly ok: false; readonly reason: string; readonly latencyMs: number };

const KEY_PREFIX = 'mcp-ha:context:';

export class ContextStore {
  private readonly client;
  private readonly options: StoreOptions;
  private wasReady = false;

  constructor(options: StoreOptions) {
    this.options = options;
    this.client = createClient({
      url: options.url,
      password: options.password,
      username: options.username,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(options.commandTimeoutMs, 1000),
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), 1000),
      },
    });
    // node-redis emits 'error' on every failed (re)connect; without a listener it would crash the process.
    this.client.on('error', (err: unknown) => {
      if (this.wasReady) options.logger.warn('redis connection lost', errorFields(err));
      this.wasReady = false;
    });
    this.client.on('ready', () => {
      this.wasReady = true;
      options.logger.info('redis ready');
    });
  }

  /** Starts connecting; resolves at once (readiness reports 503 until Redis answers). */
  public start(): void {
    this.client.connect().catch((err: unknown) => this.options.logger.warn('redis connect failed', errorFields(err)));
  }

  public async get(handle: string, key: string): Promise<string | null> {
    return this.withTimeout(this.client.get(this.key(handle, key)));
  }

  /** Stores a value and returns its TTL in seconds. */
  public async set(handle: string, key: string, value: string, ttlSeconds?: number): Promise<number> {
    const ttl = ttlSeconds ?? this.options.ttlSeconds;
    await this.withTimeout(this.client.set(this.key(handle, key), value, { EX: ttl }));
    return ttl;
  }

  public async delete(handle: string, key: string): Promise<boolean> {
    return (await this.withTimeout(this.client.del(this.key(handle, key)))) > 0;
  }

  public async ping(timeoutMs: number): Promise<PingResult> {
    const started = performance.now();
    try {
      await this.withTimeout(this.client.ping(), timeoutMs);
      return { ok: true, latencyMs: round(performance.now() - started) };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err), latencyMs: round(performance.now() - started) };
    }
  }

  public get isReady(): boolean {
    return this.client.isReady;
  }

  public async stop(): Promise<void> {
    try {
      if (this.client.isOpen) this.client.destroy();
    } catch {
      // already closed
    }
  }

  private key(handle: string, key: string): string {
    // Handles and keys are validated by the tool schema; the separator cannot occur in them.
    return `${KEY_PREFIX}${handle}:${key}`;
  }

  private withTimeout<T>(p: Promise<T>, ms = this.options.commandTimeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
