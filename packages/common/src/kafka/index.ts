export * from './client.js';
export * from './publisher.js';
export * from './consumer.js';
