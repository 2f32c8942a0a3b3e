import { createHmac } from 'node:crypto';
import { formatAddress, parseAddress, truncate } from '@pdme/common/net';

export interface AnonymizerOptions {
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
  readonly keyRotationMs: number;
  /** Master secret; each epoch's key is derived from it, so all ingest instances agree. */
  readonly secret: Buffer;
  readonly now?: () => number;
}

export interface AnonymizedClient {
  readonly clientHash: string;
  readonly keyEpoch: number;
}

/**
 * Turns a client address into a keyed hash of its truncated prefix. The raw address never leaves
 * this class; the key changes every rotation period, so hashes cannot be linked across epochs by
 * anyone who lacks the master secret.
 */
export class Anonymizer {
  private epoch = -1;
  private key: Buffer = Buffer.alloc(0);

  constructor(private readonly options: AnonymizerOptions) {
    if (options.secret.length < 16)
      throw new Error('anonymizer: the HMAC secret must have at least 16 bytes');
  }

  anonymize(address: string, tsMs: number = (this.options.now ?? Date.now)()): AnonymizedClient {
    const epoch = Math.floor(tsMs / this.options.keyRotationMs);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.key = createHmac('sha256', this.options.secret).update(`pdme-anon-epoch:${epoch}`).digest();
    }
    const parsed = parseAddress(address);
    const prefix =
      parsed === undefined
        ? 'unparsable'
        : formatAddress(
            truncate(
              parsed,
              parsed.family === 4 ? this.options.ipv4PrefixLength : this.options.ipv6PrefixLength,
            ),
          );
    const clientHash = createHmac('sha256', this.key).update(prefix).digest('hex').slice(0, 32);
    return { clientHash, keyEpoch: epoch };
  }
}
