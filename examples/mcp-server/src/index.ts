/** The reference MCP server, for tests and for embedding. */
export { createServer, resolveCacheSecret, runFromEnvironment } from './server';
export type { CreateServerOptions, DrainResult, Readiness, ReferenceServer, RequestContext, RequestStep } from './server';
export {
  ConfigError, LOOPBACK_NAMES, SERVER_ENV, checkTimeouts, defaultCacheGraceSeconds, defaultTimeouts, isLoopbackBind, readConfig,
  withLoopbackNames,
} from './config';
export type { ServerConfig, ServerTimeouts } from './config';
export { SERVER_NAME, STATUS_RESOURCE_URI, readOnlyMessage } from './mcp';
export type { WritePlacement } from './mcp';
export { ReadOnlyCacheError, isReadOnlyError, parseRole } from './store';
export type { CacheRole, ProbeResult } from './store';
export { hostCheck, originCheck } from './transport-security';
export { CACHE_AUTH_ENV, CacheAuthMode, MetadataTokenSource, readCacheAuthConfig, refreshLeadMs } from './cache-credentials';
export type { CacheAuthConfig, CredentialsState } from './cache-credentials';
export { DEFAULT_SECRET_MANAGER_ENDPOINT, accessSecretVersion, crc32c } from './secret-manager';
