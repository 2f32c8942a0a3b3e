/**
 * Binary IP addresses (as dnstap and EDNS Client Subnet carry them) to canonical text.
 * One canonical spelling per address matters because anonymization truncates and hashes the text:
 * two spellings of one client would become two clients.
 */

export function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0] ?? 0}.${bytes[1] ?? 0}.${bytes[2] ?? 0}.${bytes[3] ?? 0}`;
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as '::'. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** True for ::ffff:a.b.c.d, which a dual-stack socket reports for an IPv4 client. */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Text for a 4- or 16-byte address, undefined for any other length. IPv4-mapped IPv6 addresses
 * become plain IPv4 so that one client reaching BIND over v4 and v6 sockets is spelled one way.
 */
export function ipText(bytes: Uint8Array): string | undefined {
  if (bytes.length === 4) return ipv4Text(bytes);
  if (bytes.length !== 16) return undefined;
  return isIpv4Mapped(bytes) ? ipv4Text(bytes.subarray(12)) : ipv6Text(bytes);
}

/** Copy of bytes with every bit after the first prefixLength set to zero. */
export function maskPrefix(bytes: Uint8Array, prefixLength: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const bitsKept = Math.min(8, Math.max(0, prefixLength - i * 8));
    out[i] = (bytes[i] ?? 0) & ((0xff << (8 - bitsKept)) & 0xff);
  }
  return out;
}
