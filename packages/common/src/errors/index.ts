/** Every failure PDME reports carries one of these codes, so callers branch on codes, not messages. */
export const PDME_ERROR_CODES = [
  'CONFIG_INVALID',
  'BAD_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'UNAVAILABLE',
  'TIMEOUT',
  'CAPACITY',
  'DNS_REFUSED',
  'WARM_FAILED',
  'INTERNAL',
] as const;

export type PdmeErrorCode = (typeof PDME_ERROR_CODES)[number];

/** Codes whose cause may go away on its own: worth a retry with backoff. */
const RETRYABLE: ReadonlySet<PdmeErrorCode> = new Set(['UNAVAILABLE', 'TIMEOUT']);

export interface PdmeErrorOptions {
  readonly cause?: unknown;
  /** Structured context for logs and API answers (never secrets or raw client addresses). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly retryable?: boolean;
}

export class PdmeError extends Error {
  readonly code: PdmeErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(code: PdmeErrorCode, message: string, options: PdmeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PdmeError';
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? RETRYABLE.has(code);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
]);

/** Failures of a dependency (connection refused, closed, timed out) are transient by nature. */
function looksTransient(error: Error): boolean {
  const fields = error as Error & { code?: unknown; retriable?: unknown };
  if (typeof fields.code === 'string' && NETWORK_CODES.has(fields.code)) return true;
  if (fields.retriable === true) return true; // kafkajs marks its retriable errors
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable/.test(
    error.message,
  );
}

/** Wraps anything thrown into a PdmeError, keeping the original as `cause`. */
export function toPdmeError(error: unknown, fallback: PdmeErrorCode = 'INTERNAL'): PdmeError {
  if (error instanceof PdmeError) return error;
  if (error instanceof Error) {
    return new PdmeError(looksTransient(error) ? 'UNAVAILABLE' : fallback, error.message, { cause: error });
  }
  return new PdmeError(fallback, String(error), { cause: error });
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
