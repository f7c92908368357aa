/** The AWS building blocks (aws-cdk-lib). */
export * from './validation';
export * from './load-balancer';
export * from './fleet';
export * from './cache';
export * from './dns-failover';
export * from './accelerator';
export * from './scheduled-scaling';
export * from './mcp-probe';
export * from './monitoring';
export * from './cross-region';
export * from './cache-promotion';
export * from './certificate';
export * from './topologies';
export * from './server-bundle';
