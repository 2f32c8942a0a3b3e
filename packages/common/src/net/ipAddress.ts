import { isIP } from 'node:net';

/** An address as family + 128-bit integer, for prefix arithmetic without string games. */
export interface ParsedAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export function parseAddress(text: string): ParsedAddress | undefined {
  const family = isIP(text);
  if (family === 4) {
    let value = 0n;
    for (const part of text.split('.')) value = (value << 8n) | BigInt(Number(part));
    return { family: 4, value };
  }
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
    if (mapped?.[1] !== undefined) return parseAddress(mapped[1]);
    const [head = '', tail = ''] = text.split('::') as [string?, string?];
    const headParts = head === '' ? [] : head.split(':');
    let tailParts = tail === '' ? [] : tail.split(':');
    // An embedded IPv4 tail (::1.2.3.4) counts as two groups.
    const last = tailParts.at(-1) ?? headParts.at(-1);
    if (last?.includes('.')) {
      const v4 = parseAddress(last);
      if (v4 === undefined) return undefined;
      const groups = [((v4.value >> 16n) & 0xffffn).toString(16), (v4.value & 0xffffn).toString(16)];
      if (tailParts.length > 0) tailParts = [...tailParts.slice(0, -1), ...groups];
      else headParts.splice(-1, 1, ...groups);
    }
    const missing = 8 - headParts.length - tailParts.length;
    const groups = text.includes('::')
      ? [...headParts, ...Array<string>(missing).fill('0'), ...tailParts]
      : headParts;
    let value = 0n;
    for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
    return { family: 6, value };
  }
  return undefined;
}

export function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** Zeroes every bit after the first `prefixLength`. */
export function truncate(address: ParsedAddress, prefixLength: number): ParsedAddress {
  const bits = BigInt(bitsOf(address.family));
  const keep = BigInt(Math.min(Math.max(prefixLength, 0), bitsOf(address.family)));
  const mask = ((1n << keep) - 1n) << (bits - keep);
  return { family: address.family, value: address.value & mask };
}

export function formatAddress(address: ParsedAddress): string {
  if (address.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => ((address.value >> shift) & 0xffn).toString()).join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    groups.push(((address.value >> shift) & 0xffffn).toString(16));
  return groups.join(':');
}

export interface ParsedCidr {
  readonly network: ParsedAddress;
  readonly prefixLength: number;
}

export function parseCidr(text: string): ParsedCidr | undefined {
  const [base, bits, extra] = text.split('/');
  if (base === undefined || bits === undefined || extra !== undefined) return undefined;
  const address = parseAddress(base);
  const prefixLength = Number(bits);
  if (address === undefined || !Number.isInteger(prefixLength)) return undefined;
  if (prefixLength < 0 || prefixLength > bitsOf(address.family)) return undefined;
  return { network: truncate(address, prefixLength), prefixLength };
}

export function cidrContains(cidr: ParsedCidr, address: ParsedAddress): boolean {
  return (
    cidr.network.family === address.family &&
    truncate(address, cidr.prefixLength).value === cidr.network.value
  );
}
