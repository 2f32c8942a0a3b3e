export * from './influenceCap.js';
export * from './influenceLedger.js';
