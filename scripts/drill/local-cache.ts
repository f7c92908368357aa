/**
 * The drill's cross-region cache, behind core's `CacheApi` (lib/core/promotion.ts),
 * so the region drill promotes through the library's own decision (`promote`), as
 * the AWS handler does through ElastiCache's Global Datastore API:
 *
 *   describe  -> each member's role read from its redis-server (`ROLE`); a member that
 *                does not answer keeps its recorded role, as the Global Datastore API
 *                keeps listing a lost region's primary. `status` is `available`, or
 *                `modifying` while a failover runs.
 *   failover  -> `REPLICAOF NO ONE` on the chosen member, then `REPLICAOF <new primary>`
 *                on every other member that answers (the old primary, when it comes
 *                back, is made a replica by `rejoin`).
 *
 * Single-writer only: under multi-writer there is nothing to promote.
 */
import * as net from 'node:net';
import { createClient } from 'redis';
import type { CacheApi, CacheState } from '../../lib/core/promotion';
import { LOOPBACK } from './processes';

export type MemberRole = 'PRIMARY' | 'SECONDARY';

export interface LocalMember {
  readonly region: string;
  port: number;
  role: MemberRole;
}

/** One command on a short-lived connection (no reconnects, bounded). */
export async function redisCommand<T = unknown>(port: number, args: string[], timeoutMs = 1000): Promise<T> {
  const client = createClient({
    url: `redis://${LOOPBACK}:${port}`, disableOfflineQueue: true,
    socket: { connectTimeout: timeoutMs, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = (async () => {
      await client.connect();
      return await client.sendCommand(args) as T;
    })();
    return await Promise.race([run, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis ${args[0]} on ${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    })]);
  } finally {
    clearTimeout(timer);
    try {
      client.destroy();
    } catch {
      // never connected
    }
  }
}

/**
 * One RESP command on a raw loopback socket, resolved with the reply's text once `done`
 * says it is complete (a client library's connection handshake costs 50-200 ms on a
 * loaded machine; the promotion's describe/failover calls are on the clock).
 */
function rawCommand(port: number, args: readonly string[], done: (data: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: LOOPBACK, port });
    let data = '';
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    const timer = setTimeout(() => finish(new Error(`redis ${args[0]} on ${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.startsWith('-')) finish(new Error(data.trim()));
      else if (done(data)) finish();
    });
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(new Error(`redis ${args[0]} on ${port}: connection closed`)));
  });
}

/** `master` / `slave` from ROLE, or undefined when the member does not answer. */
export async function redisRole(port: number, timeoutMs = 500): Promise<'master' | 'slave' | undefined> {
  try {
    const reply = await rawCommand(port, ['ROLE'], (d) => /\r\n(master|slave|sentinel)\r\n/.test(d), timeoutMs);
    const role = /\r\n(master|slave|sentinel)\r\n/.exec(reply)?.[1];
    return role === 'master' || role === 'slave' ? role : undefined;
  } catch {
    return undefined;
  }
}

/** REPLICAOF on a raw socket: `+OK` or an error. */
export async function replicaOf(port: number, args: readonly ['NO', 'ONE'] | readonly [string, string], timeoutMs = 1000): Promise<void> {
  await rawCommand(port, ['REPLICAOF', ...args], (d) => d.includes('\r\n'), timeoutMs);
}

export class LocalReplicatedCache implements CacheApi {
  /** Failover calls this adapter received (the drill asserts none on missing data). */
  public readonly failovers: { readonly region: string; readonly atMs: number; readonly doneAtMs: number }[] = [];
  private status: 'available' | 'modifying' = 'available';

  constructor(public readonly id: string, private readonly members: LocalMember[]) {}

  /** The region whose member is recorded as the writer. */
  public get writerRegion(): string {
    const w = this.members.find((m) => m.role === 'PRIMARY');
    if (!w) throw new Error(`${this.id}: no primary recorded`);
    return w.region;
  }

  public member(region: string): LocalMember {
    const m = this.members.find((x) => x.region === region);
    if (!m) throw new Error(`${this.id}: no member in ${region}`);
    return m;
  }

  public replicationGroupId(region: string): string {
    return `${this.id}-${region}`;
  }

  public async describe(id: string): Promise<CacheState> {
    this.checkId(id);
    const members = await Promise.all(this.members.map(async (m) => {
      const seen = await redisRole(m.port);
      const role: MemberRole = seen === 'master' ? 'PRIMARY' : seen === 'slave' ? 'SECONDARY' : m.role;
      return { region: m.region, replicationGroupId: this.replicationGroupId(m.region), role };
    }));
    return { status: this.status, members };
  }

  public async failover(id: string, region: string, replicationGroupId: string): Promise<void> {
    this.checkId(id);
    if (replicationGroupId !== this.replicationGroupId(region)) throw new Error(`${id}: ${replicationGroupId} is not the member in ${region}`);
    const chosen = this.member(region);
    const atMs = Date.now();
    this.status = 'modifying';
    try {
      await replicaOf(chosen.port, ['NO', 'ONE']);
      for (const m of this.members) {
        if (m === chosen) continue;
        m.role = 'SECONDARY';
        // A member that does not answer (its region is lost) is re-pointed when it rejoins.
        await replicaOf(m.port, [LOOPBACK, String(chosen.port)]).catch(() => undefined);
      }
      chosen.role = 'PRIMARY';
    } finally {
      this.status = 'available';
    }
    this.failovers.push({ region, atMs, doneAtMs: Date.now() });
  }

  private checkId(id: string): void {
    if (id !== this.id) throw new Error(`unknown cache ${id} (this adapter serves ${this.id})`);
  }
}
