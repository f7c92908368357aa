/**
 * Context storage in Redis. Every replica reads and writes the same Redis, so
 * any replica can serve any request: no state lives in process memory.
 *
 * The client fails fast while disconnected (no offline queue): a tool call or a
 * readiness probe during a Redis outage gets an error at once instead of waiting
 * in a queue past the load balancer's timeouts. It reconnects on its own, with a
 * backoff capped at one second.
 */
import { createClient, createCluster } from 'redis';
import { CacheAuthMode, CredentialsState, MetadataTokenSource, trustedCas } from './cache-credentials';
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
  /** Longest pause between reconnect attempts. @default 1000 */
  readonly reconnectMaxMs?: number;
  /** Reconnect when a write meets a read-only member (this region is meant to write). @default false */
  readonly reconnectOnReadOnly?: boolean;
  /**
   * The cache runs in cluster mode (REDIS_CLUSTER=true: Amazon MemoryDB, ElastiCache cluster mode,
   * Azure Managed Redis OSS clustering): `url` is the configuration endpoint and a cluster client
   * follows the slot map, so writes reach the shard's primary instead of failing with MOVED.
   * @default false
   */
  readonly cluster?: boolean;
  /**
   * How to authenticate (REDIS_AUTH_MODE): `gcp-iam` sends the service account's access token
   * from the metadata server at `metadataHost` as the password, on every (re)connection, and
   * re-authenticates open connections when the token is replaced. @default password
   */
  readonly authMode?: CacheAuthMode;
  /** host[:port] of the metadata server (gcp-iam). @default metadata.google.internal */
  readonly metadataHost?: string;
  /** PEM CA(s) trusted for rediss:// besides the public roots (Memorystore's per-instance CA). */
  readonly tlsCa?: string;
  /** The name the cache's certificate must carry, instead of the URL's host (also sent as SNI). */
  readonly tlsServername?: string;
  readonly logger: Logger;
}

/** The outcome of one PING: latency in milliseconds, or why it failed. */
export type PingResult = { readonly ok: true; readonly latencyMs: number } | { readonly ok: false; readonly reason: string; readonly latencyMs: number };

/**
 * The role of the cache member this server is connected to, read at run time: a
 * Global Datastore secondary (or a Redis `replicaof`) is a `replica` and refuses
 * writes; after a promotion the same member answers `primary`, without a restart.
 */
export type CacheRole = 'primary' | 'replica' | 'unknown';

/** One round trip to the cache: reachable or not, the latency, and the member's role. */
export type ProbeResult =
  | { readonly ok: true; readonly latencyMs: number; readonly role: CacheRole }
  | { readonly ok: false; readonly reason: string; readonly latencyMs: number };

/**
 * A write the cache refused because the member is a read-only replica (Redis `READONLY`).
 * The tools turn it into a clear "read-only region" tool error.
 */
export class ReadOnlyCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadOnlyCacheError';
  }
}

/** Redis answers a write on a replica with `READONLY You can't write against a read only replica.` */
export function isReadOnlyError(err: unknown): boolean {
  return err instanceof Error && /^READONLY\b/.test(err.message);
}

/** `ROLE`'s first element (`master`, `slave`, `sentinel`) or INFO's `role:` line, as a CacheRole. */
export function parseRole(reply: unknown): CacheRole {
  const first = Array.isArray(reply) ? reply[0] : reply;
  const text = first instanceof Uint8Array ? Buffer.from(first).toString() : String(first ?? '');
  const info = /(?:^|\n)role:(\w+)/.exec(text);
  const role = (info ? info[1] : text).trim().toLowerCase();
  if (role === 'master') return 'primary';
  if (role === 'slave' || role === 'replica') return 'replica';
  return 'unknown';
}

const KEY_PREFIX = 'mcp-ha:context:';

/** What the store needs of a connection: a single-node client or a cluster client. */
interface Connection {
  connect(): Promise<unknown>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly isReady: boolean;
  readonly isOpen: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { EX: number }): Promise<unknown>;
  del(key: string): Promise<number>;
  /** A command without a key (PING, ROLE, INFO): a cluster sends it to one of its nodes. */
  command(args: string[]): Promise<unknown>;
}

/** Sends AUTH on every open connection (a single client, or every node of a cluster). */
type ReAuth = (password: string) => Promise<void>;

function connect(options: StoreOptions, tokens: MetadataTokenSource | undefined): Connection & { reAuth: ReAuth } {
  const tlsSocket = options.url.startsWith('rediss:')
    ? { tls: true as const, ...(options.tlsCa ? { ca: trustedCas(options.tlsCa) } : {}), ...(options.tlsServername ? { servername: options.tlsServername } : {}) }
    : {};
  const socket = {
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), options.reconnectMaxMs ?? 1000),
    ...tlsSocket,
  };
  // gcp-iam: each handshake (first connection and every reconnection) asks for the current token.
  const credentials = tokens
    ? { credentialsProvider: { type: 'async-credentials-provider' as const, credentials: async () => ({ password: await tokens.token() }) } }
    : { password: options.password, username: options.username };
  if (options.cluster) {
    const cluster = createCluster({
      rootNodes: [{ url: options.url }],
      // Nodes found through CLUSTER SLOTS are reached with these (TLS like the configuration endpoint).
      defaults: { ...credentials, disableOfflineQueue: true, socket },
    });
    const nodes = (): unknown[] => [...cluster.masters, ...cluster.replicas].map((n) => (n as { client?: unknown }).client);
    return Object.assign(cluster as unknown as Connection, {
      command: (args: string[]) => cluster.sendCommand(undefined, true, args),
      reAuth: async (password: string) => {
        await Promise.all(nodes().map(async (c) => {
          const client = c as { isReady?: boolean; sendCommand?: (a: string[]) => Promise<unknown> } | undefined;
          if (client?.isReady && client.sendCommand) await client.sendCommand(['AUTH', password]);
        }));
      },
    });
  }
  const client = createClient({ url: options.url, ...credentials, disableOfflineQueue: true, socket });
  return Object.assign(client as unknown as Connection, {
    command: (args: string[]) => client.sendCommand(args),
    reAuth: async (password: string) => {
      if (client.isReady) await client.sendCommand(['AUTH', password]);
    },
  });
}

export class ContextStore {
  private readonly client: Connection & { reAuth: ReAuth };
  private readonly options: StoreOptions;
  /** gcp-iam: the service account's access token (undefined in the other modes). */
  private readonly tokens?: MetadataTokenSource;
  /** AUTH commands sent on open connections after a token rotation (tests read it). */
  public reAuthentications = 0;
  private wasReady = false;
  private lostAt?: number;
  private lastRole: CacheRole = 'unknown';
  private roleCommand: 'ROLE' | 'INFO' | 'none' = 'ROLE';
  private lastReconnect = 0;

  constructor(options: StoreOptions) {
    this.options = options;
    if (options.authMode === CacheAuthMode.GCP_IAM) {
      this.tokens = new MetadataTokenSource({
        host: options.metadataHost ?? 'metadata.google.internal',
        logger: options.logger,
        onRotate: async (t) => {
          try {
            await this.withTimeout(this.client.reAuth(t.token));
            this.reAuthentications++;
          } catch (err) {
            // The connection keeps its old authentication; a reconnect authenticates with the new token.
            options.logger.warn('cache credentials: re-authentication of the open connection failed', errorFields(err));
          }
        },
      });
    }
    this.client = connect(options, this.tokens);
    // In cluster mode writes always reach a shard primary; ROLE would name whichever node answers.
    if (options.cluster) this.roleCommand = 'none';
    // node-redis emits 'error' on every failed (re)connect; without a listener it would crash the process.
    this.client.on('error', (err: unknown) => {
      if (this.wasReady) options.logger.warn('redis connection lost', errorFields(err));
      this.wasReady = false;
      this.markLost();
    });
    this.client.on('end', () => this.markLost());
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

  /** Stores a value and returns its TTL in seconds. Throws ReadOnlyCacheError on a read-only member. */
  public async set(handle: string, key: string, value: string, ttlSeconds?: number): Promise<number> {
    const ttl = ttlSeconds ?? this.options.ttlSeconds;
    await this.write(() => this.client.set(this.key(handle, key), value, { EX: ttl }));
    return ttl;
  }

  /** Throws ReadOnlyCacheError on a read-only member. */
  public async delete(handle: string, key: string): Promise<boolean> {
    return (await this.write(() => this.client.del(this.key(handle, key)))) > 0;
  }

  /** The role seen by the last probe or write (`unknown` before the first). */
  public get role(): CacheRole {
    return this.lastRole;
  }

  /** Epoch ms since which the cache has been unreachable, or undefined while it answers. */
  public get unreachableSinceMs(): number | undefined {
    return this.lostAt;
  }

  /**
   * One round trip that also reads the member's role: `ROLE` (not in ElastiCache's restricted
   * commands, https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ClientConfig.RestrictedCommands.html),
   * else `INFO replication`, else a plain PING (role unknown: writes still find out, by READONLY).
   */
  public async probe(timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    try {
      let role: CacheRole = 'unknown';
      if (this.roleCommand === 'ROLE') {
        try {
          role = parseRole(await this.withTimeout(this.client.command(['ROLE']), timeoutMs));
        } catch (err) {
          if (!isUnsupported(err)) throw err;
          this.roleCommand = 'INFO';
        }
      }
      if (this.roleCommand === 'INFO') {
        try {
          role = parseRole(await this.withTimeout(this.client.command(['INFO', 'replication']), timeoutMs));
        } catch (err) {
          if (!isUnsupported(err)) throw err;
          this.roleCommand = 'none';
        }
      }
      if (this.roleCommand === 'none') {
        await this.withTimeout(this.client.command(['PING']), timeoutMs);
        role = this.options.cluster ? (this.lastRole === 'replica' ? 'replica' : 'primary') : 'unknown';
      }
      this.lastRole = role;
      this.lostAt = undefined;
      return { ok: true, latencyMs: round(performance.now() - started), role };
    } catch (err) {
      this.markLost();
      return { ok: false, reason: err instanceof Error ? err.message : String(err), latencyMs: round(performance.now() - started) };
    }
  }

  public async ping(timeoutMs: number): Promise<PingResult> {
    const r = await this.probe(timeoutMs);
    return r.ok ? { ok: true, latencyMs: r.latencyMs } : r;
  }

  public get isReady(): boolean {
    return this.client.isReady;
  }

  /**
   * The cache credentials: `static` (a fixed password or none), else the access token's state
   * (`ok`, `refresh-failing` while the current token is still valid, `unavailable`).
   */
  public get credentials(): { readonly state: CredentialsState; readonly error?: string } {
    if (!this.tokens) return { state: 'static' };
    return { state: this.tokens.state, ...(this.tokens.error ? { error: this.tokens.error } : {}) };
  }

  public async stop(): Promise<void> {
    this.tokens?.stop();
    try {
      if (this.client.isOpen) this.client.destroy();
    } catch {
      // already closed
    }
  }

  /**
   * Runs a write. A `READONLY` answer means the member is a replica now: the role is
   * recorded and ReadOnlyCacheError thrown. With `reconnectOnReadOnly` (a region that
   * should write: an in-region failover may have left this connection on the demoted
   * node, whose address the primary endpoint no longer names) the client reconnects,
   * at most every 5 s, so the endpoint's name is resolved again.
   */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    try {
      const out = await this.withTimeout(run());
      this.lastRole = 'primary';
      this.lostAt = undefined;
      return out;
    } catch (err) {
      if (!isReadOnlyError(err)) throw err;
      this.lastRole = 'replica';
      if (this.options.reconnectOnReadOnly && Date.now() - this.lastReconnect > 5000) {
        this.lastReconnect = Date.now();
        this.options.logger.warn('cache member is read-only although this region writes: reconnecting', errorFields(err));
        void this.reconnect();
      }
      throw new ReadOnlyCacheError((err as Error).message);
    }
  }

  private async reconnect(): Promise<void> {
    try {
      this.client.destroy();
      await this.client.connect();
    } catch (err) {
      this.options.logger.warn('redis reconnect failed', errorFields(err));
    }
  }

  private markLost(): void {
    if (this.lostAt === undefined) this.lostAt = Date.now();
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

/** An unknown or forbidden command (a managed cache that renamed or blocked it). */
function isUnsupported(err: unknown): boolean {
  return err instanceof Error && /^(ERR unknown command|NOPERM|ERR .*disabled)/i.test(err.message);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
