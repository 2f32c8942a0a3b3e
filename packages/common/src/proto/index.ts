// Generated message types, re-exported so services import one module (see scripts/gen-proto.sh).
export * from './generated/pdme/v1/events.js';
export * from './generated/pdme/v1/forecast.js';
export * from './generated/pdme/v1/mirror.js';
export * from './generated/pdme/v1/stats.js';
export * as dnstap from './generated/dnstap/dnstap.js';
