import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { EnvelopeCipher, loadKeyringFile, openConsumed } from '@pdme/common/crypto';
import { requireStack } from './localStack.js';

/** The local stack's at-rest keyring file (`stack up` writes it beside the other secrets). */
export function stackKeyringFile(): string {
  return join(requireStack().configFile, '..', 'secrets', 'envelope-keyring.json');
}

/** A cipher over the stack's keyring as it is now; undefined when the stack has none. */
export function stackCipher(): EnvelopeCipher | undefined {
  const file = stackKeyringFile();
  return existsSync(file) ? new EnvelopeCipher(loadKeyringFile(file)) : undefined;
}

/**
 * Reads consumed messages as the services do: sealed payloads (query and access events, their
 * dead letters) are opened with the stack's keyring, others pass as they are.
 */
export function stackOpener(): (topic: string, message: KafkaMessage) => Buffer {
  let cipher = stackCipher();
  return (topic, message) => {
    const read = () =>
      openConsumed(cipher, {
        topic,
        key: message.key,
        value: message.value ?? Buffer.alloc(0),
        headers: message.headers,
      });
    try {
      return read();
    } catch (error) {
      // A key added (rotation) since this opener was made: read the keyring again once.
      cipher = stackCipher();
      if (cipher === undefined) throw error;
      return read();
    }
  };
}
