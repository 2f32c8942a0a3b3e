export * from './schema.js';
export * from './load.js';
export * from './env.js';
export * from './transport.js';
export * from './resourceTypes.js';
export { z } from 'zod';
export * from './liveStore.js';
export * from './live.js';
