/**
 * Structured logs: one JSON object per line on stdout, which journald, the
 * CloudWatch agent, Azure Monitor and Cloud Logging all ingest as is.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogSink = (line: string) => void;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger writing one JSON line per event; `base` fields (e.g. the replica) go on every line. */
export function createLogger(base: Record<string, unknown>, sink: LogSink = (l) => process.stdout.write(l)): Logger {
  const log = (level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    sink(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields })}\n`);
  };
  return {
    log,
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** An error as loggable fields (no stack for expected failures such as a refused connection). */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { error: err.message, errorName: err.name };
  return { error: String(err) };
}
