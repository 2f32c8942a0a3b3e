import { createHmac } from 'node:crypto';
import { formatAddress, parseAddress, truncate } from '@pdme/common/net';

const MAX_CACHED_PREFIXES = 100_000;

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
  /** Prefix to hash for the current epoch: many clients share a /24, and HMAC is the costly part. */
  private readonly hashes = new Map<string, string>();

  constructor(private readonly options: AnonymizerOptions) {
    if (options.secret.length < 16)
      throw new Error('anonymizer: the HMAC secret must have at least 16 bytes');
  }

  anonymize(address: string, tsMs: number = (this.options.now ?? Date.now)()): AnonymizedClient {
    const epoch = Math.floor(tsMs / this.options.keyRotationMs);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.key = createHmac('sha256', this.options.secret).update(`pdme-anon-epoch:${epoch}`).digest();
      this.hashes.clear();
    }
    const prefix = this.prefixOf(address);
    let clientHash = this.hashes.get(prefix);
    if (clientHash === undefined) {
      clientHash = createHmac('sha256', this.key).update(prefix).digest('hex').slice(0, 32);
      if (this.hashes.size >= MAX_CACHED_PREFIXES) this.hashes.clear();
      this.hashes.set(prefix, clientHash);
    }
    return { clientHash, keyEpoch: epoch };
  }

  /** The truncated address as text; dotted quads cut on an octet boundary skip the bigint path. */
  private prefixOf(address: string): string {
    const v4Bits = this.options.ipv4PrefixLength;
    if (v4Bits % 8 === 0) {
      const octets = address.split('.');
      if (octets.length === 4 && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)) {
        return octets.map((o, i) => (i < v4Bits / 8 ? String(Number(o)) : '0')).join('.');
      }
    }
    const parsed = parseAddress(address);
    return parsed === undefined
      ? 'unparsable'
      : formatAddress(
          truncate(
            parsed,
            parsed.family === 4 ? this.options.ipv4PrefixLength : this.options.ipv6PrefixLength,
          ),
        );
  }
}
