export * from './ipAddress.js';
export * from './prefixMap.js';
