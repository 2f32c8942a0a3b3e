export * from './scopes.js';
export * from './apiKeys.js';
export * from './jwt.js';
export * from './authenticator.js';
export * from './bootstrap.js';
