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
  /** The same for dotted quads, keyed by the masked address as a number: no string work per event. */
  private readonly v4Hashes = new Map<number, string>();
  private readonly v4Mask: number;

  constructor(private readonly options: AnonymizerOptions) {
    if (options.secret.length < 16)
      throw new Error('anonymizer: the HMAC secret must have at least 16 bytes');
    // Only octet-aligned IPv4 prefixes take the numeric path (others keep the generic truncation).
    const v4Bits = options.ipv4PrefixLength;
    this.v4Mask = v4Bits % 8 !== 0 ? -1 : v4Bits === 0 ? 0 : (0xffffffff << (32 - v4Bits)) >>> 0;
  }

  anonymize(address: string, tsMs: number = (this.options.now ?? Date.now)()): AnonymizedClient {
    const epoch = Math.floor(tsMs / this.options.keyRotationMs);
    if (epoch !== this.epoch) {
      this.epoch = epoch;
      this.key = createHmac('sha256', this.options.secret).update(`pdme-anon-epoch:${epoch}`).digest();
      this.hashes.clear();
      this.v4Hashes.clear();
    }
    const quad = this.v4Mask < 0 ? -1 : dottedQuadValue(address);
    if (quad >= 0) {
      const masked = (quad & this.v4Mask) >>> 0;
      let v4Hash = this.v4Hashes.get(masked);
      if (v4Hash === undefined) {
        v4Hash = this.hashOf(quadText(masked));
        if (this.v4Hashes.size >= MAX_CACHED_PREFIXES) this.v4Hashes.clear();
        this.v4Hashes.set(masked, v4Hash);
      }
      return { clientHash: v4Hash, keyEpoch: epoch };
    }
    const prefix = this.prefixOf(address);
    let clientHash = this.hashes.get(prefix);
    if (clientHash === undefined) {
      clientHash = this.hashOf(prefix);
      if (this.hashes.size >= MAX_CACHED_PREFIXES) this.hashes.clear();
      this.hashes.set(prefix, clientHash);
    }
    return { clientHash, keyEpoch: epoch };
  }

  private hashOf(prefix: string): string {
    return createHmac('sha256', this.key).update(prefix).digest('hex').slice(0, 32);
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

/**
 * `a.b.c.d` (one to three digits per octet, each at most 255) as an unsigned 32-bit number, or -1
 * for anything else; read by hand because this runs for every event.
 */
export function dottedQuadValue(address: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let octets = 0;
  for (let i = 0; i <= address.length; i++) {
    const c = i < address.length ? address.charCodeAt(i) : 46; // the end closes the last octet like a dot
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return -1;
      octet = octet * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && octet <= 255 && octets < 4) {
      value = value * 256 + octet;
      octets++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return octets === 4 ? value : -1;
}

/** The same text the octet path of `prefixOf` gives for a truncated address. */
function quadText(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
