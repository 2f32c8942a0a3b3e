import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Paths that may hold secrets in anything we log: pino replaces them before writing. */
const REDACT = [
  'secret',
  '*.secret',
  'key',
  '*.key',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'clientAddress',
  '*.clientAddress',
  // Transport secrets (Kafka SASL, Redis ACL, TLS keys) should never reach a log call; if an options
  // object does, these paths keep its secrets out.
  'sasl',
  '*.sasl',
  'ssl.key',
  '*.ssl.key',
  'tls.key',
  '*.tls.key',
  'passphrase',
  '*.passphrase',
];

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  /** A destination stream, for tests. */
  readonly destination?: NodeJS.WritableStream;
}

/** One structured JSON logger per service; events are named `<service>.<area>.<what>` in `event`. */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return options.destination ? pino(base, options.destination) : pino(base);
}
