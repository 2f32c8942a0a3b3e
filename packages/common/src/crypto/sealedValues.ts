import { PdmeError } from '../errors/index.js';
import type { EnvelopeCipher } from './envelope.js';

/**
 * How services put envelopes on Kafka and in Redis. The AAD binds a sealed value to where it was
 * written (topic and message key, or Redis key), so a value copied to another resource or key does
 * not open. During a switch-over readers accept plaintext too, unless told to require sealing.
 */

/** Kafka header marking a sealed value; its value is the envelope format version. */
export const SEALED_HEADER = 'pdme-enc';
/** Prefix of a sealed Redis string value (base64 of the envelope follows). */
export const SEALED_REDIS_PREFIX = 'pdme-enc1:';

export type MessageHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

export interface ReadPolicy {
  /** Refuse values that are not sealed (once every writer seals). Default false: migration mode. */
  readonly requireSealed?: boolean;
}

function kafkaAad(topic: string, key: string | Buffer | null | undefined): Buffer {
  const keyBytes = key === null || key === undefined ? Buffer.alloc(0) : Buffer.from(key);
  return Buffer.concat([Buffer.from(`kafka\u0000${topic}\u0000`), keyBytes]);
}

function redisAad(redisKey: string): Buffer {
  return Buffer.from(`redis\u0000${redisKey}`);
}

function headerText(value: MessageHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

function notSealed(where: string): PdmeError {
  return new PdmeError('BAD_INPUT', `${where}: value is not sealed and sealing is required`, {
    details: { reason: 'not_sealed' },
  });
}

/** Seals a Kafka message value; add the returned header to the message's headers. */
export function sealMessage(
  cipher: EnvelopeCipher,
  message: {
    readonly topic: string;
    readonly key: string | Buffer | null | undefined;
    readonly value: Uint8Array;
  },
): { value: Buffer; headers: Record<string, string> } {
  return {
    value: cipher.seal(message.value, kafkaAad(message.topic, message.key)),
    headers: { [SEALED_HEADER]: '1' },
  };
}

/** The plaintext of a consumed message value: opened when its header says sealed. */
export function openMessage(
  cipher: EnvelopeCipher,
  message: {
    readonly topic: string;
    readonly key: string | Buffer | null | undefined;
    readonly value: Buffer;
    readonly headers?: MessageHeaders | undefined;
  },
  policy: ReadPolicy = {},
): Buffer {
  const marker = headerText(message.headers?.[SEALED_HEADER]);
  if (marker === undefined) {
    if (policy.requireSealed === true) throw notSealed(`kafka ${message.topic}`);
    return message.value;
  }
  return cipher.open(message.value, kafkaAad(message.topic, message.key));
}

/** A Redis string value holding `text` sealed for `redisKey`. */
export function sealRedisValue(cipher: EnvelopeCipher, redisKey: string, text: string): string {
  return `${SEALED_REDIS_PREFIX}${cipher.seal(Buffer.from(text, 'utf8'), redisAad(redisKey)).toString('base64')}`;
}

/** The text of a Redis value read from `redisKey`: opened when it carries the sealed prefix. */
export function openRedisValue(
  cipher: EnvelopeCipher,
  redisKey: string,
  stored: string,
  policy: ReadPolicy = {},
): string {
  if (!stored.startsWith(SEALED_REDIS_PREFIX)) {
    if (policy.requireSealed === true) throw notSealed(`redis ${redisKey}`);
    return stored;
  }
  const sealed = Buffer.from(stored.slice(SEALED_REDIS_PREFIX.length), 'base64');
  return cipher.open(sealed, redisAad(redisKey)).toString('utf8');
}
