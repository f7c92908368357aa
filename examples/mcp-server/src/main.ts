/**
 * Entry point of the bundled server (dist/server.js): reads the environment,
 * listens, and drains on SIGTERM. A configuration error exits with 78
 * (EX_CONFIG), which the systemd unit does not restart.
 */
import { ConfigError } from './config';
import { runFromEnvironment } from './server';

function fatal(msg: string, fields: Record<string, unknown>, code: number): never {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, ...fields })}\n`);
  process.exit(code);
}

process.on('uncaughtException', (err) => fatal('uncaught exception', { error: err.message, stack: err.stack }, 1));
process.on('unhandledRejection', (err) => fatal('unhandled rejection', { error: err instanceof Error ? err.message : String(err) }, 1));

runFromEnvironment().catch((err: unknown) => {
  if (err instanceof ConfigError) fatal('invalid configuration', { problems: err.problems }, 78);
  fatal('start failed', { error: err instanceof Error ? err.message : String(err) }, 1);
});
