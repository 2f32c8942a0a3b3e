export * from './keyring.js';
export * from './envelope.js';
export * from './sealedValues.js';
export * from './atRest.js';
