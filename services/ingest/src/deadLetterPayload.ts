import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * What a dead letter may carry. DLQ topics are read by operators to fix inputs, but a raw line or
 * frame holds client addresses, which must never leave ingest. So text keeps its shape with every
 * IPv4/IPv6 address replaced by `[addr]`, and a binary frame (dnstap) is replaced by its length and
 * SHA-256: the origin (file and byte offset) says where to find the original.
 */
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;
// Candidates only; a candidate is replaced when node:net says it is an address (not `10:15:30`).
const IPV6 =
  /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?:%[\w.-]+)?(?![\w:.])/g;

export function redactLine(line: string): string {
  return line
    .replace(IPV6, (candidate) => (isIP(candidate.split('%')[0] ?? '') === 6 ? '[addr]' : candidate))
    .replace(IPV4, (candidate) => (isIP(candidate) === 4 ? '[addr]' : candidate));
}

export function redactedLinePayload(line: string): Buffer {
  return Buffer.from(redactLine(line));
}

export function redactedFramePayload(frame: Uint8Array): Buffer {
  const digest = createHash('sha256').update(frame).digest('hex');
  return Buffer.from(
    `dnstap frame withheld (may hold client addresses): ${frame.length} bytes, sha256 ${digest}`,
  );
}
