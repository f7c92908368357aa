/**
 * Child processes for the drill and the integration tests: redis-server, server
 * replicas and HAProxy, all bound to 127.0.0.1. Every process started here is
 * tracked by pid and stopped by pid (never by name): `ProcessGroup.stopAll` in a
 * finally block, and a synchronous SIGKILL of whatever is left when the Node
 * process exits.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, WriteStream } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const LOOPBACK = '127.0.0.1';

/** Debian packages that provide the binaries the drill needs. */
export const DEBIAN_PACKAGES: Record<string, string> = { 'redis-server': 'redis-server', haproxy: 'haproxy' };

/**
 * The absolute path of a binary, or an error that says what to install. CI
 * installs these (see .ci/run); a missing binary is a failure, never a skip.
 */
export function requireBinary(name: string): string {
  const candidates = [name, `/usr/sbin/${name}`, `/usr/bin/${name}`, `/usr/local/bin/${name}`, `/usr/local/sbin/${name}`];
  for (const c of candidates) {
    const r = spawnSync(c, c.includes('haproxy') ? ['-v'] : ['--version'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return c;
  }
  const pkg = DEBIAN_PACKAGES[name] ?? name;
  throw new Error(
    `${name} is not installed (looked on PATH, /usr/sbin, /usr/bin, /usr/local). `
    + `CI installs it: apt-get install -y ${pkg}. Install it locally the same way; this test does not skip.`,
  );
}

/**
 * Ports this process handed out: never handed out twice, so drills running side by side in one
 * process (each binding its ports a little after asking) cannot be given the same one.
 */
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1 (bound, read, released; the caller binds it right after). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.unref();
      srv.on('error', reject);
      srv.listen(0, LOOPBACK, () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port that this process has not handed out already (50 attempts)');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes (bounded). */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One round trip of a plain-text protocol over TCP (for PING/PONG checks). */
export function tcpExchange(port: number, payload: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: LOOPBACK, port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly hasExited: boolean;
  /** SIGSTOPped by `ProcessGroup.suspend` and not resumed yet. */
  readonly isSuspended: boolean;
  readonly logFile?: string;
}

const liveChildren = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a crash, an uncaught error or process.exit() still takes the children down
  // (SIGKILL also ends a SIGSTOPped process).
  process.on('exit', () => {
    for (const pid of liveChildren.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** The processes one drill or test started; stops exactly those, by pid. */
export class ProcessGroup {
  public readonly dir: string;
  private readonly members: Managed[] = [];
  /** Pids this group SIGSTOPped and has not SIGCONTed. */
  private readonly suspended = new Set<number>();

  constructor(prefix = 'mcp-ha-drill-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    installExitHook();
  }

  /** Spawns a process; stdout and stderr go to `<dir>/<name>.log` (or to `onLine`). */
  public spawn(name: string, command: string, args: readonly string[], options: {
    env?: NodeJS.ProcessEnv;
    onLine?: (line: string) => void;
  } = {}): Managed {
    const logFile = join(this.dir, `${name}.log`);
    const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
    // A log that cannot be written (its directory removed) must not crash the drill.
    log.on('error', () => undefined);
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const pid = child.pid;
    liveChildren.set(pid, name);
    let buffered = '';
    const onData = (d: Buffer): void => {
      // Output can still arrive after 'exit' (the pipes drain later): never write after end.
      if (!log.writableEnded) log.write(d);
      if (options.onLine) {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const l of lines) if (l) options.onLine(l);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let hasExited = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => {
        hasExited = true;
        liveChildren.delete(pid);
        resolve({ code, signal });
      });
      // The log closes once the child's pipes have drained ('close' comes after 'exit').
      child.on('close', () => log.end());
    });
    const suspended = this.suspended;
    const managed: Managed = {
      name, pid, child, exited, logFile,
      get hasExited() { return hasExited; },
      get isSuspended() { return suspended.has(pid) && !hasExited; },
    };
    this.members.push(managed);
    return managed;
  }

  /** Sends a signal to one process by pid. */
  public signal(m: Managed, sig: NodeJS.Signals): void {
    if (m.hasExited) return;
    try {
      process.kill(m.pid, sig);
    } catch {
      // already gone
    }
  }

  /** SIGSTOP: the process stays alive, its listening sockets keep accepting in the kernel, nothing answers. */
  public suspend(m: Managed): void {
    if (m.hasExited) return;
    this.suspended.add(m.pid);
    this.signal(m, 'SIGSTOP');
  }

  /** SIGCONT a process `suspend` stopped. */
  public resume(m: Managed): void {
    if (!this.suspended.delete(m.pid)) return;
    this.signal(m, 'SIGCONT');
  }

  /** SIGTERM (after SIGCONT when suspended), then SIGKILL after `graceMs`; resolves once it has exited. */
  public async stop(m: Managed, graceMs = 5000): Promise<void> {
    if (m.hasExited) return;
    this.signal(m, 'SIGTERM');
    // A stopped process only acts on SIGTERM once continued.
    this.resume(m);
    const timer = setTimeout(() => this.signal(m, 'SIGKILL'), graceMs);
    await m.exited;
    clearTimeout(timer);
  }

  /** Stops everything this group started and still runs (in reverse start order). */
  public async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.members].reverse().map((m) => this.stop(m, graceMs)));
  }
}

/** A redis-server without persistence on a loopback port. */
export interface RedisHandle {
  readonly port: number;
  readonly url: string;
  readonly process: Managed;
}

export interface RedisOptions {
  /** @default - a free port */
  readonly port?: number;
  /** Log file name in the group's directory. @default 'redis' */
  readonly name?: string;
  /**
   * Start as a read-only replica of the redis-server on this loopback port
   * (`--replicaof 127.0.0.1 <port>`, `--replica-read-only yes`): what a Global Datastore
   * secondary is to its primary.
   */
  readonly replicaOf?: number;
}

export async function startRedis(group: ProcessGroup, options: RedisOptions = {}): Promise<RedisHandle> {
  const bin = requireBinary('redis-server');
  const port = options.port ?? await freePort();
  const proc = group.spawn(options.name ?? 'redis', bin, [
    '--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no',
    '--protected-mode', 'yes', '--daemonize', 'no', '--dir', group.dir, '--loglevel', 'warning',
    // Each instance its own files (a replica's sync writes an RDB unless diskless).
    '--dbfilename', `${options.name ?? 'redis'}-${port}.rdb`, '--repl-diskless-sync', 'yes', '--repl-diskless-load', 'swapdb',
    ...(options.replicaOf !== undefined
      ? ['--replicaof', LOOPBACK, String(options.replicaOf), '--replica-read-only', 'yes', '--repl-diskless-sync-delay', '0']
      : ['--repl-diskless-sync-delay', '0']),
  ]);
  await waitFor(`redis-server on ${LOOPBACK}:${port}`, async () => {
    if (proc.hasExited) throw new Error(`redis-server exited; see ${proc.logFile}`);
    return (await tcpExchange(port, 'PING\r\n')).startsWith('+PONG');
  }, 10_000, 50).catch((e: unknown) => {
    if (proc.hasExited) throw new Error(`redis-server exited at start; see ${proc.logFile}`);
    throw e;
  });
  return { port, url: `redis://${LOOPBACK}:${port}`, process: proc };
}

/** GET a URL on loopback; resolves with the status (or 0 when the connection fails). */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}
