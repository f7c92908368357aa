/** The reference MCP server, for tests and for embedding. */
export { createServer, runFromEnvironment } from './server';
export type { CreateServerOptions, DrainResult, Readiness, ReferenceServer } from './server';
export { ConfigError, SERVER_ENV, checkTimeouts, defaultTimeouts, readConfig } from './config';
export type { ServerConfig, ServerTimeouts } from './config';
export { SERVER_NAME, STATUS_RESOURCE_URI } from './mcp';
