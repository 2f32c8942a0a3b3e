import { statSync } from 'node:fs';
import { errorMessage, PdmeError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import { TOPICS } from '../topics.js';
import { EnvelopeCipher, EnvelopeError } from './envelope.js';
import { loadKeyringFile, type Keyring } from './keyring.js';
import { openMessage, SEALED_HEADER, type MessageHeaders, type ReadPolicy } from './sealedValues.js';

/**
 * Topics whose payloads PDME seals at rest: query and access events carry client traits (client
 * hash, key epoch, resolver and ECS groups). Their dead-letter topics hold copies, sealed too.
 * Forecasts, commands and results name resources and caches only.
 */
export const SEALED_TOPICS: ReadonlySet<string> = new Set<string>([TOPICS.dnsQueries, TOPICS.accessLogs]);

export function isSealedTopic(topic: string): boolean {
  return SEALED_TOPICS.has(topic);
}

/** How often a service looks at its keyring file for a rotation step. */
export const KEYRING_RELOAD_MS = 2_000;

export interface AtRestKeysOptions {
  /** A keyring document (`{"active":"k2","keys":{...}}`), e.g. a mounted Kubernetes Secret key. */
  readonly file: string;
  readonly logger: Logger;
  readonly reloadMs?: number;
}

/**
 * The envelope cipher of a service, kept in step with its keyring file: a rotation step (new key
 * added, key activated, old key dropped) is a file change that every service picks up within
 * `reloadMs`, without a restart. A file that does not parse is logged and the keyring in force kept.
 */
export class AtRestKeys {
  readonly cipher: EnvelopeCipher;
  private mtimeMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AtRestKeysOptions) {
    this.mtimeMs = statSync(options.file).mtimeMs;
    this.cipher = new EnvelopeCipher(loadKeyringFile(options.file));
    options.logger.info(
      { event: 'crypto.keyring.loaded', keyring: this.cipher.keyring.toJSON() },
      'at-rest keyring loaded',
    );
  }

  get keyring(): Keyring {
    return this.cipher.keyring;
  }

  start(): void {
    this.timer ??= setInterval(() => this.reload(), this.options.reloadMs ?? KEYRING_RELOAD_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the file again when it changed; true when a new keyring is in force. */
  reload(): boolean {
    const { file, logger } = this.options;
    try {
      const mtimeMs = statSync(file).mtimeMs;
      if (mtimeMs === this.mtimeMs) return false;
      const next = loadKeyringFile(file);
      this.mtimeMs = mtimeMs;
      const previous = this.cipher.keyring.toJSON();
      this.cipher.useKeyring(next);
      logger.info(
        { event: 'crypto.keyring.reloaded', previous, keyring: next.toJSON() },
        'at-rest keyring reloaded',
      );
      return true;
    } catch (error) {
      logger.error(
        { event: 'crypto.keyring.reload_failed', file, error: errorMessage(error) },
        'at-rest keyring not reloaded; keeping the one in force',
      );
      return false;
    }
  }
}

/** The service's at-rest keys from PDME_ENVELOPE_KEYRING_FILE, or undefined (plaintext at rest). */
export function loadAtRestKeys(file: string | undefined, logger: Logger): AtRestKeys | undefined {
  if (file === undefined || file === '') {
    logger.warn(
      { event: 'crypto.keyring.absent' },
      'PDME_ENVELOPE_KEYRING_FILE is not set: client traits and audit data are stored unencrypted',
    );
    return undefined;
  }
  return new AtRestKeys({ file, logger });
}

/**
 * The plaintext of a consumed Kafka message: opened when sealed, as it is otherwise (unless the
 * policy requires sealing). Throws an EnvelopeError or PdmeError naming the reason (unknown key id,
 * tampered, no keyring), never the payload: the caller dead-letters the message with it.
 */
export function openConsumed(
  cipher: EnvelopeCipher | undefined,
  message: {
    readonly topic: string;
    readonly key: string | Buffer | null | undefined;
    readonly value: Buffer;
    readonly headers?: MessageHeaders | undefined;
  },
  policy: ReadPolicy = {},
): Buffer {
  if (cipher === undefined) {
    if (message.headers?.[SEALED_HEADER] !== undefined) {
      throw new PdmeError(
        'PRECONDITION_FAILED',
        `kafka ${message.topic}: value is sealed but no keyring is loaded`,
        {
          details: { reason: 'no_keyring' },
        },
      );
    }
    return message.value;
  }
  return openMessage(cipher, message, policy);
}

/** A dead-letter reason for a payload that did not open, e.g. `envelope unknown_key (key k1)`. */
export function openFailureReason(error: unknown): string {
  if (error instanceof EnvelopeError) {
    const keyId = typeof error.details['keyId'] === 'string' ? error.details['keyId'] : undefined;
    return `envelope ${error.reason}${keyId === undefined ? '' : ` (key ${keyId})`}: ${error.message}`;
  }
  return `envelope: ${errorMessage(error)}`;
}
