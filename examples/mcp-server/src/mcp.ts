/**
 * The MCP surface: tools and a resource, defined once in a factory that the SDK
 * calls for every request (2026-07-28, per-request envelope) and for every
 * stateless 2025-era request. The factory holds no state between requests:
 * contexts live in Redis, so any replica answers any request.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { CacheWriteModel } from '../../../lib/core/cache-write-model';
import type { ToolScopes } from './auth';
import { ContextStore, ReadOnlyCacheError } from './store';

/** Where this server sits in the cache write model (from CACHE_WRITE_MODEL, SERVICE_REGION, CACHE_WRITER_REGION). */
export interface WritePlacement {
  readonly writeModel: CacheWriteModel;
  readonly region: string;
  readonly writerRegion?: string;
}

/**
 * The tool error for a write the cache refused as read-only, naming where writes go.
 * Never a silent failure, never a generic error: the client learns which region writes.
 */
export function readOnlyMessage(p: WritePlacement): string {
  if (p.writeModel === CacheWriteModel.SINGLE_WRITER) {
    if (p.writerRegion && p.writerRegion !== p.region) {
      return `this region (${p.region}) is read-only: writes are served by ${p.writerRegion} `
        + '(single-writer cache: this region\'s member is a read-only replica until the library promotes it). '
        + `Send writes to the ${p.writerRegion} endpoint, or retry after a promotion; reads are served here.`;
    }
    return `this region (${p.region}) is read-only: its cache member is a replica now (the writer was promoted `
      + 'in another region after a failover); writes are served by the region holding the promoted primary. '
      + 'Reads are served here.';
  }
  return `the cache member this server writes to (region ${p.region}, ${p.writeModel} model) answered read-only: `
    + 'an in-region cache failover is probably in progress (the server reconnects); retry the write shortly.';
}

/** What the tools need from the running process. */
export interface McpSurfaceDeps {
  readonly store: ContextStore;
  readonly replicaId: string;
  readonly version: string;
  readonly startedAt: number;
  readonly longestToolCallSeconds: number;
  readonly contextTtlSeconds: number;
  readonly isDraining: () => boolean;
  readonly placement: WritePlacement;
  /** Per-tool OAuth scopes (authorization on): each tool's scope challenge and the `_meta` reporting it. @default - none */
  readonly scopes?: ToolScopes;
}

export const SERVER_NAME = 'mcp-ha-reference';
export const STATUS_RESOURCE_URI = 'mcp-ha://status';

/** Letters, digits and `._@-`; no `:`, which separates the parts of a Redis key. */
const NAME = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, '1-128 characters: letters, digits, ".", "_", "@", "-"');

const contextInput = z.object({
  handle: NAME.describe('Whose context: an explicit user or conversation handle (the server keeps no session).'),
  key: NAME.describe('Which entry of that context.'),
  action: z.enum(['get', 'set', 'delete']).default('get'),
  value: z.string().max(65536).optional().describe('The value to store (action "set").'),
  ttlSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional().describe('Lifetime of the stored value (action "set").'),
});

const contextOutput = z.object({
  handle: z.string(),
  key: z.string(),
  action: z.enum(['get', 'set', 'delete']),
  found: z.boolean(),
  value: z.string().optional(),
  ttlSeconds: z.number().optional(),
  replica: z.string(),
});

const infoOutput = z.object({
  replica: z.string(),
  name: z.string(),
  version: z.string(),
  uptimeSeconds: z.number(),
  pid: z.number(),
  node: z.string(),
  draining: z.boolean(),
});

/** Builds the per-request server factory. */
export function mcpServerFactory(deps: McpSurfaceDeps): () => McpServer {
  return () => buildServer(deps);
}

function buildServer(deps: McpSurfaceDeps): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: deps.version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions: 'Reference MCP server for mcp-ha-constructs: stateless, any replica serves any request.',
    },
  );

  server.registerTool(
    'context_lookup',
    {
      title: 'Context lookup',
      description: 'Get, set or delete a context value for an explicit handle. Values live in Redis with a TTL. '
        + 'In a read-only region (single-writer cache, replica member) set and delete answer an error naming the writer region.'
        + (deps.scopes ? ` ${deps.scopes.describe({ writeActions: ['set', 'delete'] })}` : ''),
      inputSchema: contextInput,
      outputSchema: contextOutput,
      annotations: { idempotentHint: true, openWorldHint: false },
      ...deps.scopes?.byAction(['set', 'delete']),
    },
    async ({ handle, key, action, value, ttlSeconds }) => {
      let out: z.infer<typeof contextOutput>;
      try {
        if (action === 'set') {
          if (value === undefined) return toolError('action "set" needs a value');
          const ttl = await deps.store.set(handle, key, value, ttlSeconds ?? deps.contextTtlSeconds);
          out = { handle, key, action, found: true, value, ttlSeconds: ttl, replica: deps.replicaId };
        } else if (action === 'delete') {
          const found = await deps.store.delete(handle, key);
          out = { handle, key, action, found, replica: deps.replicaId };
        } else {
          const stored = await deps.store.get(handle, key);
          out = stored === null
            ? { handle, key, action, found: false, replica: deps.replicaId }
            : { handle, key, action, found: true, value: stored, replica: deps.replicaId };
        }
      } catch (err) {
        if (err instanceof ReadOnlyCacheError) return toolError(readOnlyMessage(deps.placement));
        return toolError(`context store unavailable: ${err instanceof Error ? err.message : String(err)}`);
      }
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
    },
  );

  server.registerTool(
    'server_info',
    {
      title: 'Server info',
      description: `Names the replica that answered, its version and uptime.${deps.scopes ? ` ${deps.scopes.describe('read')}` : ''}`,
      inputSchema: z.object({}),
      outputSchema: infoOutput,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      ...deps.scopes?.read,
    },
    async () => {
      const out = info(deps);
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
    },
  );

  const maxDelayMs = deps.longestToolCallSeconds * 1000;
  server.registerTool(
    'slow_echo',
    {
      title: 'Slow echo',
      description: `Echoes a message after a delay (at most the longest tool call, ${deps.longestToolCallSeconds} s). For drain tests.${deps.scopes ? ` ${deps.scopes.describe('read')}` : ''}`,
      inputSchema: z.object({
        message: z.string().max(4096),
        delayMs: z.number().int().min(0).max(maxDelayMs),
      }),
      outputSchema: z.object({ message: z.string(), delayMs: z.number(), replica: z.string() }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      ...deps.scopes?.read,
    },
    async ({ message, delayMs }, ctx) => {
      await sleep(delayMs, ctx.mcpReq.signal);
      const out = { message, delayMs, replica: deps.replicaId };
      return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out };
    },
  );

  server.registerResource(
    'status',
    STATUS_RESOURCE_URI,
    {
      title: 'Replica status', description: 'The answering replica, uptime and whether its Redis is reachable.', mimeType: 'application/json',
      ...(deps.scopes ? { scopeChallenge: deps.scopes.read.scopeChallenge } : {}),
    },
    async (uri) => ({
      contents: [{
        uri: uri.href,
        mimeType: 'application/json',
        text: JSON.stringify({
          ...info(deps), redisReady: deps.store.isReady, region: deps.placement.region,
          writeModel: deps.placement.writeModel, cacheRole: deps.store.role, canWrite: deps.store.isReady && deps.store.role !== 'replica',
        }),
      }],
    }),
  );

  return server;
}

function info(deps: McpSurfaceDeps): z.infer<typeof infoOutput> {
  return {
    replica: deps.replicaId,
    name: SERVER_NAME,
    version: deps.version,
    uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 100) / 10,
    pid: process.pid,
    node: process.version,
    draining: deps.isDraining(),
  };
}

function toolError(message: string): { content: { type: 'text'; text: string }[]; isError: true } {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
