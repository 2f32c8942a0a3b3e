// A minimal DNS client over UDP (readiness probes, the demo and tests; no dig needed).
import { createSocket } from 'node:dgram';

const RR_TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28 } as const;
export type DnsType = keyof typeof RR_TYPES;

export interface DnsAnswer {
  name: string;
  type: string;
  ttl: number;
  /** A: the address; CNAME/NS: the target; TXT: the strings joined; others: hex. */
  data: string;
}

export interface DnsResponse {
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ... */
  rcode: number;
  authoritative: boolean;
  answers: DnsAnswer[];
}

export interface DnsQuery {
  server: string;
  port: number;
  name: string;
  type: DnsType;
  /** Local address to send from (selects the BIND view by subnet). */
  source?: string;
  timeoutMs?: number;
}

function encodeName(name: string): Buffer {
  const labels = name
    .replace(/\.$/, '')
    .split('.')
    .filter((l) => l !== '');
  const parts = labels.map((label) => {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new Error(`dns: label too long in ${name}`);
    return Buffer.concat([Buffer.from([bytes.length]), bytes]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function decodeName(msg: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let next = -1;
  let pos = offset;
  for (let hops = 0; hops < 64; hops++) {
    const len = msg.readUInt8(pos);
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return { name: labels.join('.'), next };
    }
    if ((len & 0xc0) === 0xc0) {
      if (next < 0) next = pos + 2;
      pos = msg.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    labels.push(msg.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  throw new Error('dns: compression loop');
}

function parseResponse(msg: Buffer, id: number): DnsResponse {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw new Error('dns: unexpected response');
  const flags = msg.readUInt16BE(2);
  const qdcount = msg.readUInt16BE(4);
  const ancount = msg.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qdcount; i++) pos = decodeName(msg, pos).next + 4;
  const answers: DnsAnswer[] = [];
  const typeNames = new Map<number, string>(Object.entries(RR_TYPES).map(([k, v]) => [v, k]));
  for (let i = 0; i < ancount; i++) {
    const owner = decodeName(msg, pos);
    pos = owner.next;
    const type = msg.readUInt16BE(pos);
    const ttl = msg.readUInt32BE(pos + 4);
    const rdlength = msg.readUInt16BE(pos + 8);
    const rdata = pos + 10;
    let data: string;
    if (type === RR_TYPES.A && rdlength === 4) data = [...msg.subarray(rdata, rdata + 4)].join('.');
    else if (type === RR_TYPES.CNAME || type === RR_TYPES.NS) data = decodeName(msg, rdata).name;
    else if (type === RR_TYPES.TXT) {
      const strings: string[] = [];
      for (let p = rdata; p < rdata + rdlength;) {
        const len = msg.readUInt8(p);
        strings.push(msg.toString('utf8', p + 1, p + 1 + len));
        p += 1 + len;
      }
      data = strings.join('');
    } else data = msg.toString('hex', rdata, rdata + rdlength);
    answers.push({ name: owner.name, type: typeNames.get(type) ?? `TYPE${type}`, ttl, data });
    pos = rdata + rdlength;
  }
  return { rcode: flags & 0x0f, authoritative: (flags & 0x0400) !== 0, answers };
}

/** Sends one non-recursive query over UDP and parses the answer section. */
export function dnsQuery(query: DnsQuery): Promise<DnsResponse> {
  const id = Math.floor(Math.random() * 0x10000);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0, 2); // standard query, RD=0
  header.writeUInt16BE(1, 4);
  const question = Buffer.concat([encodeName(query.name), Buffer.from([0, RR_TYPES[query.type], 0, 1])]);
  const packet = Buffer.concat([header, question]);
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(
      () => finish(new Error(`dns: no answer from ${query.server}:${query.port} for ${query.name}`)),
      query.timeoutMs ?? 2_000,
    );
    let done = false;
    function finish(error: Error | undefined, response?: DnsResponse): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error !== undefined) reject(error);
      else if (response !== undefined) resolve(response);
    }
    socket.on('error', (error) => finish(error));
    socket.on('message', (msg) => {
      try {
        finish(undefined, parseResponse(msg, id));
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
    const send = (): void =>
      socket.send(packet, query.port, query.server, (error) => (error ? finish(error) : undefined));
    if (query.source !== undefined) socket.bind({ address: query.source, port: 0 }, send);
    else send();
  });
}
