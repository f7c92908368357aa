/** The three AWS topologies and what they share. */
export * from './common';
export * from './deployment';
export * from './active-active';
export * from './active-passive';
export * from './multi-region';
export { McpRegion } from './regional';
