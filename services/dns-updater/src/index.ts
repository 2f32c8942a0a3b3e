// The dns-updater's reusable pieces: our RFC 2136 + TSIG client (the CLI reads TSIG key files with it).
export * from './rfc2136/index.js';
