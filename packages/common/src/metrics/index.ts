export * from './registry.js';
export * from './opsServer.js';
export * from './latencySummary.js';
