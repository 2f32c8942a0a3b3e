// Loopback packet capture with tshark (Debian package tshark), for tests that prove what crosses the
// wire: capture chosen TCP ports to a pcap file, then reassemble each TCP stream's payload and look
// for plaintext markers in it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';

export interface Capture {
  readonly file: string;
  stop(): Promise<void>;
}

/** Starts tshark on `lo` for the given TCP ports; resolves once it is capturing. */
export async function startCapture(ports: readonly number[], file: string): Promise<Capture> {
  if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).error)
    throw new Error('tshark is missing: apt-get install tshark (scripts/setup.sh installs it)');
  const filter = `tcp and (${ports.map((p) => `port ${p}`).join(' or ')})`;
  const child: ChildProcess = spawn('tshark', ['-i', 'lo', '-f', filter, '-w', file, '-q'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tshark did not start capturing: ${stderr}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // "Capturing on" comes before the capture really runs; newer tshark also says "Capture started".
      if (stderr.includes('Capture started')) {
        clearTimeout(timer);
        resolve();
      } else if (stderr.includes('Capturing on')) {
        clearTimeout(timer);
        setTimeout(resolve, 1_500);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tshark exited (${String(code)}) before capturing: ${stderr}`));
    });
  });
  return {
    file,
    stop: async () => {
      // Let the last exchanges reach dumpcap's buffer: an immediate SIGINT can lose the final packets.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT'); // tshark flushes the pcap on SIGINT
      });
    },
  };
}

export interface CaptureContents {
  readonly packets: number;
  readonly fileBytes: number;
  readonly payloadBytes: number;
  /** Reassembled payload per TCP stream and direction, keyed `srcport>dstport#stream`. */
  readonly streams: ReadonlyMap<string, Buffer>;
  /** Every server-side port that carried payload. */
  readonly portsWithPayload: ReadonlySet<number>;
}

/** Reads a pcap with tshark: every frame, and the TCP payload of each stream direction in order. */
export function readCapture(file: string, serverPorts: readonly number[]): CaptureContents {
  const out = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-T',
      'fields',
      '-E',
      'separator=\t',
      '-e',
      'tcp.stream',
      '-e',
      'tcp.srcport',
      '-e',
      'tcp.dstport',
      '-e',
      'tcp.payload',
    ],
    { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 },
  );
  if (out.status !== 0) throw new Error(`tshark -r ${file} failed: ${out.stderr}`);
  const chunks = new Map<string, Buffer[]>();
  const portsWithPayload = new Set<number>();
  const servers = new Set(serverPorts);
  let packets = 0;
  let payloadBytes = 0;
  for (const line of out.stdout.split('\n')) {
    if (line.trim() === '') continue;
    packets++;
    const [stream = '', src = '', dst = '', hex = ''] = line.split('\t');
    if (hex === '') continue;
    const payload = Buffer.from(hex.replace(/:/g, ''), 'hex');
    payloadBytes += payload.length;
    const key = `${src}>${dst}#${stream}`;
    chunks.set(key, [...(chunks.get(key) ?? []), payload]);
    for (const port of [Number(src), Number(dst)]) if (servers.has(port)) portsWithPayload.add(port);
  }
  const streams = new Map([...chunks].map(([key, parts]) => [key, Buffer.concat(parts)] as const));
  return { packets, fileBytes: statSync(file).size, payloadBytes, streams, portsWithPayload };
}

/** Which markers appear in clear in which stream directions. */
export function findPlaintext(contents: CaptureContents, markers: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const marker of markers) {
    const needle = Buffer.from(marker);
    const where = [...contents.streams].filter(([, data]) => data.includes(needle)).map(([key]) => key);
    if (where.length > 0) found.set(marker, where);
  }
  return found;
}
