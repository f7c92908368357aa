/** The three Azure topologies and what they share. */
export * from './props';
export * from './active-active';
export * from './active-passive';
export * from './multi-region';
export { McpRegion, McpCacheEnv } from './regional';
