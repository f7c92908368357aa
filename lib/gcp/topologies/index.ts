export * from './props';
export * from './active-active';
export * from './active-passive';
export * from './multi-region';
