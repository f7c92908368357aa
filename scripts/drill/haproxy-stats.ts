/**
 * Reads HAProxy's view of the replicas from its stats socket (`show stat`) and
 * records every state transition with a wall-clock time, so the drill can say
 * when HAProxy stopped (and started again) routing to a replica.
 */
import * as net from 'node:net';

export interface ServerStat {
  readonly backend: string;
  readonly server: string;
  /** `UP`, `DOWN`, `UP 1/2` (going down), `DOWN 1/2` (going up), `MAINT`, `no check`. */
  readonly status: string;
  /** Last health-check result, e.g. `L7OK`, `L4CON`, `L7STS`, `L4TOUT`. */
  readonly checkStatus: string;
  /** Seconds since the last UP/DOWN change. */
  readonly lastChangeSeconds: number;
  /** Requests the server is handling now (`scur`). */
  readonly sessions: number;
}

/** One `show stat` over the unix socket, as server rows. */
export async function showStat(socketPath: string, timeoutMs = 1000): Promise<ServerStat[]> {
  return parseShowStat(await showStatRaw(socketPath, timeoutMs));
}

/** Parses the CSV of `show stat` into server rows (frontends and BACKEND rows are left out). */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const cols = header.slice(2).split(',');
  const idx = (name: string): number => cols.indexOf(name);
  const [px, sv, st, chk, lc, cur] = ['pxname', 'svname', 'status', 'check_status', 'lastchg', 'scur'].map(idx);
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((f) => f[sv] !== 'FRONTEND' && f[sv] !== 'BACKEND')
    .map((f) => ({
      backend: f[px],
      server: f[sv],
      status: f[st],
      checkStatus: f[chk] ?? '',
      lastChangeSeconds: Number(f[lc] ?? 0),
      sessions: Number(f[cur] || 0),
    }));
}

/** A backend's retry counters: connection attempts retried, and requests sent to another server. */
export interface BackendCounters {
  readonly retries: number;
  readonly redispatches: number;
}

/** Parses the BACKEND row's `wretr` and `wredis` columns of `show stat`. */
export function parseBackendCounters(csv: string, backend: string): BackendCounters {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return { retries: 0, redispatches: 0 };
  const cols = header.slice(2).split(',');
  const row = lines.filter((l) => !l.startsWith('#')).map((l) => l.split(','))
    .find((f) => f[cols.indexOf('pxname')] === backend && f[cols.indexOf('svname')] === 'BACKEND');
  return {
    retries: Number(row?.[cols.indexOf('wretr')] || 0),
    redispatches: Number(row?.[cols.indexOf('wredis')] || 0),
  };
}

/** One `show stat`, as the raw CSV. */
export function showStatRaw(socketPath: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('show stat: timeout'));
    }, timeoutMs);
    socket.on('connect', () => socket.write('show stat\n'));
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface Transition {
  readonly server: string;
  readonly from: string;
  readonly to: string;
  /** Epoch milliseconds when the poll first saw the new state. */
  readonly atMs: number;
  readonly checkStatus: string;
}

/** Polls `show stat` and keeps the UP/DOWN transitions of one backend's servers. */
export class StateWatcher {
  public readonly transitions: Transition[] = [];
  private readonly current = new Map<string, string>();
  private readonly sessionCount = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(private readonly socketPath: string, private readonly backend: string, private readonly pollMs = 100) {}

  public async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
  }

  public stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** UP / DOWN (the first word of the status; `UP 1/2` is still UP). */
  public state(server: string): string | undefined {
    return this.current.get(server);
  }

  /** Requests `server` was handling at the last poll. */
  public sessions(server: string): number {
    return this.sessionCount.get(server) ?? 0;
  }

  /** The first transition of `server` into `to` at or after `sinceMs`. */
  public find(server: string, to: string, sinceMs: number): Transition | undefined {
    return this.transitions.find((t) => t.server === server && t.to === to && t.atMs >= sinceMs);
  }

  /** Waits (bounded) for `server` to reach `to` at or after `sinceMs`. */
  public async waitFor(server: string, to: string, sinceMs: number, timeoutMs: number): Promise<Transition | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const t = this.find(server, to, sinceMs);
      if (t) return t;
      await new Promise((r) => setTimeout(r, this.pollMs / 2));
    }
    return this.find(server, to, sinceMs);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      for (const row of await showStat(this.socketPath)) {
        if (row.backend !== this.backend) continue;
        const state = row.status.split(' ')[0];
        const prev = this.current.get(row.server);
        if (prev !== undefined && prev !== state) {
          this.transitions.push({ server: row.server, from: prev, to: state, atMs: now, checkStatus: row.checkStatus });
        }
        this.current.set(row.server, state);
        this.sessionCount.set(row.server, row.sessions);
      }
    } catch {
      // HAProxy busy or restarting: the next poll tries again
    } finally {
      this.polling = false;
    }
  }
}
