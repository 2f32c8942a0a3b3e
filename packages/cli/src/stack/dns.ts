// The stack's DNS side, as one import for the CLI, the demo and tests.
export * from './topology.js';
export * from './host.js';
export * from './tsigKeyFile.js';
export * from './bind.js';
export * from './dnsQuery.js';
