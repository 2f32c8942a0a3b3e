import { cidrContains, parseAddress, parseCidr, type ParsedCidr } from './ipAddress.js';

/**
 * Maps addresses to values by longest-prefix match over CIDRs (IPv4 and IPv6). Entries are few
 * (clusters and regions), so a sorted list beats a trie in simplicity at no real cost.
 */
export class PrefixMap<V> {
  private readonly entries: { cidr: ParsedCidr; value: V }[] = [];

  constructor(entries: Iterable<readonly [string, V]> = []) {
    for (const [cidr, value] of entries) this.set(cidr, value);
  }

  set(cidrText: string, value: V): void {
    const cidr = parseCidr(cidrText);
    if (cidr === undefined) throw new Error(`prefix map: invalid CIDR ${JSON.stringify(cidrText)}`);
    this.entries.push({ cidr, value });
    this.entries.sort((a, b) => b.cidr.prefixLength - a.cidr.prefixLength);
  }

  lookup(addressText: string): V | undefined {
    const address = parseAddress(addressText);
    if (address === undefined) return undefined;
    return this.entries.find((entry) => cidrContains(entry.cidr, address))?.value;
  }
}
