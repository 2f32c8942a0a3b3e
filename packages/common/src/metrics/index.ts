export * from './registry.js';
export * from './opsServer.js';
