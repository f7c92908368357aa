/**
 * A loopback stand-in for the Memorystore for Valkey API (memorystore.googleapis.com/v1), in
 * front of the drill's local cross-region cache (local-cache.ts), so the region drill on Google
 * drives the library's own Google promotion handler (lib/gcp/cache-promotion-handler: `run`,
 * `MemorystoreApi`) end to end:
 *
 *   GET   /v1/projects/<p>/locations/<r>/instances/<i>
 *         -> `state` (ACTIVE, or UPDATING while a switchover runs) and
 *            `crossInstanceReplicationConfig.instanceRole` (PRIMARY / SECONDARY, read from the
 *            member's redis-server); a member whose region is lost answers 503 (its regional
 *            control plane is gone with it).
 *   PATCH /v1/projects/<p>/locations/<r>/instances/<i>?updateMask=crossInstanceReplicationConfig
 *         -> the switchover. Accepted only as docs/GCP.md documents it (the provider's update of
 *            `cross_instance_replication_config`): a Bearer token, JSON, `updateMask` exactly
 *            `crossInstanceReplicationConfig`, a body holding only
 *            `{ crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [
 *            every other member's full name ] } }`, on an instance that is a SECONDARY now.
 *            Then `REPLICAOF NO ONE` on that member's redis-server and `REPLICAOF <it>` on every
 *            other member that answers (the old primary becomes a secondary of the new one, as a
 *            switchover makes it); answered with a long-running operation.
 *
 * Anything else is refused (400/401/404) and recorded: the drill asserts none happened.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalReplicatedCache } from './local-cache';
import { LOOPBACK } from './processes';

export interface MemorystoreRequest {
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Why a request was refused (undefined when it was served). */
  readonly refused?: string;
}

export interface FakeMemorystoreOptions {
  readonly cache: LocalReplicatedCache;
  readonly project: string;
  /** The instance id of each region's member. */
  readonly instances: Readonly<Record<string, string>>;
  /** The access token the function's service account presents (Authorization: Bearer). */
  readonly token: string;
  /** True while a region is lost (its member's API answers 503). */
  readonly isLost: (region: string) => boolean;
}

export class FakeMemorystoreApi {
  public readonly requests: MemorystoreRequest[] = [];
  public baseUrl = '';
  private readonly server: http.Server;

  constructor(private readonly options: FakeMemorystoreOptions) {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Full names of every member (`projects/p/locations/r/instances/i`), in region order. */
  public get members(): string[] {
    return Object.entries(this.options.instances).map(([region, id]) => this.nameOf(region, id));
  }

  public nameOf(region: string, id = this.options.instances[region]): string {
    return `projects/${this.options.project}/locations/${region}/instances/${id}`;
  }

  /** Switchover requests that were accepted. */
  public get switchovers(): MemorystoreRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH' && r.status === 200);
  }

  public get refused(): MemorystoreRequest[] {
    return this.requests.filter((r) => r.refused !== undefined);
  }

  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, LOOPBACK, resolve));
    this.baseUrl = `http://${LOOPBACK}:${(this.server.address() as AddressInfo).port}/v1`;
    return this.baseUrl;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://memorystore.local');
    const send = (status: number, body: unknown, refused?: string): void => {
      this.requests.push({ atMs: Date.now(), method: req.method ?? '', path: url.pathname + url.search, status, refused });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.headers.authorization !== `Bearer ${this.options.token}`) {
        send(401, { error: { code: 401, status: 'UNAUTHENTICATED' } }, 'no or wrong Bearer token');
        return;
      }
      const m = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/instances\/([^/]+)$/.exec(url.pathname);
      const region = m?.[2];
      if (!m || m[1] !== this.options.project || region === undefined || this.options.instances[region] !== m[3]) {
        send(404, { error: { code: 404, status: 'NOT_FOUND' } }, `unknown instance ${url.pathname}`);
        return;
      }
      if (this.options.isLost(region)) {
        send(503, { error: { code: 503, status: 'UNAVAILABLE' } });
        return;
      }
      const name = this.nameOf(region);
      if (req.method === 'GET') {
        const state = await this.options.cache.describe(this.options.cache.id);
        const member = state.members.find((x) => x.region === region);
        send(200, {
          name, state: state.status === 'available' ? 'ACTIVE' : 'UPDATING',
          crossInstanceReplicationConfig: { instanceRole: member?.role ?? 'NONE' },
        });
        return;
      }
      if (req.method !== 'PATCH') {
        send(405, { error: { code: 405 } }, `method ${req.method}`);
        return;
      }
      const problem = await this.checkSwitchover(region, url, req.headers['content-type'], raw);
      if (problem) {
        send(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: problem } }, problem);
        return;
      }
      await this.options.cache.failover(this.options.cache.id, region, this.options.cache.replicationGroupId(region));
      send(200, { name: `projects/${this.options.project}/locations/${region}/operations/switchover-${Date.now()}`, done: false });
    } catch (err) {
      send(500, { error: { code: 500, message: err instanceof Error ? err.message : String(err) } }, 'internal error');
    }
  }

  /** The documented switchover request, or why this one is not it. */
  private async checkSwitchover(region: string, url: URL, contentType: string | undefined, raw: string): Promise<string | undefined> {
    if (!/^application\/json/.test(contentType ?? '')) return `content-type ${contentType ?? 'none'}, expected application/json`;
    if ([...url.searchParams.keys()].join(',') !== 'updateMask' || url.searchParams.get('updateMask') !== 'crossInstanceReplicationConfig') {
      return `query ${url.search}: expected exactly updateMask=crossInstanceReplicationConfig`;
    }
    let body: { crossInstanceReplicationConfig?: { instanceRole?: unknown; secondaryInstances?: { instance?: unknown }[] } };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return 'body is not JSON';
    }
    if (Object.keys(body).join(',') !== 'crossInstanceReplicationConfig') return `body fields ${Object.keys(body).join(',')}: expected only crossInstanceReplicationConfig`;
    const cfg = body.crossInstanceReplicationConfig ?? {};
    if (cfg.instanceRole !== 'PRIMARY') return `instanceRole ${String(cfg.instanceRole)}: expected PRIMARY`;
    const others = this.members.filter((n) => n !== this.nameOf(region)).sort();
    const named = (cfg.secondaryInstances ?? []).map((s) => String(s.instance)).sort();
    if (JSON.stringify(named) !== JSON.stringify(others)) return `secondaryInstances ${named.join(',')}: expected every other member (${others.join(',')})`;
    const state = await this.options.cache.describe(this.options.cache.id);
    if (state.status !== 'available') return 'a switchover is already running';
    const role = state.members.find((x) => x.region === region)?.role;
    if (role !== 'SECONDARY') return `${this.nameOf(region)} is ${role ?? 'unknown'}, not a SECONDARY: nothing to switch over`;
    return undefined;
  }
}
