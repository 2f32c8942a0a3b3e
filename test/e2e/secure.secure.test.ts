// The secure profile end to end: `stack up --secure` next to the plain stack, a DNS crowd through
// ingest → Kafka (SASL_SSL) → forecaster → decision → dns-updater (HTTPS to the caches, TSIG to BIND)
// until the CNAME appears, the gateway over HTTPS and gRPC over TLS, and a loopback capture of every
// TCP port of the stack (DNS excepted: plaintext by design, TSIG-signed) that must hold no PDME
// plaintext. A negative check first proves the same capture finds plaintext on the plain stack.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterClient, dnsQuery } from '@pdme/cli/dns';
import { isAlive, readPid } from '@pdme/cli/processes';
import {
  readStackState,
  runningProcesses,
  SECURE_PORTS,
  secureProfile,
  stackDown,
  stackPaths,
  stackUp,
  type StackState,
} from '@pdme/cli/stack';
import { readBootstrapKey } from '@pdme/common/auth';
import { StatsServiceClient, type GetStatsResponse } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { findPlaintext, readCapture, startCapture } from '../support/packetCapture.js';

const profile = secureProfile();
const log = (message: string): void => {
  process.stdout.write(`[secure] ${message}\n`);
};
const workDir = mkdtempSync(join(tmpdir(), 'pdme-secure-'));
// A name nobody asked for before, so earlier runs cannot make this one pass.
const resource = `video-sec-${randomBytes(4).toString('hex')}.cdn.pdme.test`;

/** Every TCP port the secure stack listens on, except DNS. */
const SECURE_TCP_PORTS = [
  SECURE_PORTS.kafka,
  SECURE_PORTS.kafkaController,
  ...(SECURE_PORTS.kafkaInternal === undefined ? [] : [SECURE_PORTS.kafkaInternal]),
  SECURE_PORTS.redis,
  SECURE_PORTS.bindStats,
  SECURE_PORTS.cache,
  SECURE_PORTS.origin,
  SECURE_PORTS.gatewayHttp,
  SECURE_PORTS.gatewayGrpc,
  ...Object.values(SECURE_PORTS.ops),
];

/** What must never cross the wire in clear: names, topics, key prefixes, credentials, JSON fields. */
function markers(apiKey: string, name: string): string[] {
  return [
    name,
    TOPICS.dnsQueries,
    TOPICS.demandForecasts,
    TOPICS.mirrorCommands,
    TOPICS.mirrorResults,
    'pdme:',
    apiKey,
    '"resource"',
    '"serverHost"',
  ];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function get(
  url: string,
  headers: Record<string, string>,
  ca?: Buffer,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = url.startsWith('https:')
      ? httpsRequest(url, { headers, ca, timeout: 10_000 }, onResponse)
      : httpRequest(url, { headers, timeout: 10_000 }, onResponse);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function bearer(key: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
}

function secretsOf(state: StackState): string {
  return join(dirname(state.configFile), 'secrets');
}

const plain = readStackState(stackPaths());
const plainRunning = plain !== undefined && runningProcesses(stackPaths(), plain.topology).length > 0;

describe('secure profile: TLS on every hop', () => {
  let state: StackState;
  let ca: Buffer;
  let readKey = '';

  beforeAll(async () => {
    // Start clean: a secure stack left by an interrupted run is replaced, the plain one is not touched.
    await stackDown(log, profile);
    const started = Date.now();
    state = await stackUp({ profile, log });
    log(`FIGURE secure stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (state.caFile === undefined) throw new Error('the secure stack recorded no CA');
    ca = readFileSync(state.caFile);
    readKey = readBootstrapKey(secretsOf(state), 'pdme:read') ?? '';
  }, 300_000);

  afterAll(async () => {
    // Safety net when a test failed before the last one: leave no process behind.
    await stackDown(log, profile);
    rmSync(workDir, { recursive: true, force: true });
  }, 120_000);

  it.skipIf(!plainRunning)(
    'negative check: the same capture finds plaintext on the plain stack',
    async () => {
      if (plain === undefined) return;
      const plainKey = readBootstrapKey(secretsOf(plain), 'pdme:read') ?? '';
      const plainName = `video-plaintext-${randomBytes(4).toString('hex')}.${plain.bind.zone}`;
      const ports = [plain.gateway.http, plain.kafka.bootstrap, plain.redisUrl].map((u) =>
        Number(/:(\d+)/.exec(u.replace(/^\w+:\/\//, ''))?.[1]),
      );
      const file = join(workDir, 'plain.pcap');
      const capture = await startCapture(ports, file);
      try {
        const cluster = plain.topology[0];
        if (cluster === undefined) throw new Error('plain stack without clusters');
        for (let i = 0; i < 5; i++)
          await dnsQuery({
            server: plain.bind.server,
            port: plain.bind.port,
            name: plainName,
            type: 'A',
            source: clusterClient(cluster, i),
          });
        const stats = await get(`${plain.gateway.http}/pdme/stats`, { authorization: `Bearer ${plainKey}` });
        expect(stats.status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 3_000)); // ingest batches into Kafka
      } finally {
        await capture.stop();
      }
      const contents = readCapture(file, ports);
      const found = findPlaintext(contents, markers(plainKey, plainName));
      log(
        `negative check: ${contents.packets} packets, plaintext markers found: ${[...found.keys()]
          .map((m) => (m === plainKey ? '<the API key>' : m)) // the key itself stays out of the test log
          .join(', ')}`,
      );
      // The API key (HTTP), PDME's Redis keys and its topic names (Kafka requests) are all in clear.
      expect(found.has(plainKey)).toBe(true);
      expect(found.has('pdme:')).toBe(true);
      expect(found.has(TOPICS.dnsQueries)).toBe(true);
    },
  );

  it('runs the pipeline end to end and nothing crosses loopback in clear', async () => {
    const file = join(workDir, 'secure.pcap');
    const capture = await startCapture(SECURE_TCP_PORTS, file);
    try {
      const cluster = state.topology[0];
      if (cluster === undefined) throw new Error('secure stack without clusters');
      const ask = (i: number) =>
        dnsQuery({
          server: state.bind.server,
          port: state.bind.port,
          name: resource,
          type: 'A',
          source: clusterClient(cluster, i),
        });
      const crowdStarted = Date.now();
      for (let i = 0; i < 80; i++) await ask(10 + (i % 50));
      const answer = await until(
        'the mirror CNAME in the secure stack',
        async () => (await ask(1)).answers.find((a) => a.type === 'CNAME'),
        150_000,
      );
      const target = answer.data.replace(/\.$/, '');
      log(`FIGURE crowd → CNAME in ${((Date.now() - crowdStarted) / 1000).toFixed(1)} s (→ ${target})`);
      expect(cluster.servers.map((s) => s.host)).toContain(target);

      // The gateway answers over HTTPS (the stack's CA) and gRPC over TLS, with the read key.
      const stats = await get(`${state.gateway.http}/pdme/stats`, { authorization: `Bearer ${readKey}` }, ca);
      expect(state.gateway.http.startsWith('https://')).toBe(true);
      expect(stats.status).toBe(200);
      expect(stats.body).toContain('"mirrors"');
      const client = new StatsServiceClient(state.gateway.grpc, credentials.createSsl(ca));
      try {
        const grpc = await new Promise<GetStatsResponse>((resolve, reject) =>
          client.getStats({ cluster: cluster.id, resource }, bearer(readKey), (error, response) =>
            error ? reject(error) : resolve(response),
          ),
        );
        expect(grpc).toBeDefined();
      } finally {
        client.close();
      }
    } finally {
      await capture.stop();
    }
    // Plain HTTP on the HTTPS port gets no API answer. Outside the capture and without a key: a client
    // that speaks plaintext leaks what it sends whatever the server does (an earlier version of this
    // check, inside the capture, was caught sending the key in clear).
    await expect(get(`http://127.0.0.1:${SECURE_PORTS.gatewayHttp}/pdme/stats`, {})).rejects.toThrow();

    const contents = readCapture(file, SECURE_TCP_PORTS);
    log(
      `FIGURE capture: ${contents.packets} packets, ${contents.fileBytes} bytes on disk, ${contents.payloadBytes} payload bytes, ` +
        `${contents.streams.size} stream directions, ports with payload ${[...contents.portsWithPayload].sort().join(',')}`,
    );
    // The capture saw the hops that carried the pipeline: Kafka, Redis, the caches, the gateway.
    for (const port of [
      SECURE_PORTS.kafka,
      SECURE_PORTS.redis,
      SECURE_PORTS.cache,
      SECURE_PORTS.gatewayHttp,
      SECURE_PORTS.gatewayGrpc,
    ])
      expect([...contents.portsWithPayload], `payload seen on port ${port}`).toContain(port);
    expect(Object.fromEntries(findPlaintext(contents, markers(readKey, resource)))).toEqual({});
  });

  it('limits each service to its own Kafka topics and Redis keys', async () => {
    const password = (kind: string, user: string) =>
      readFileSync(join(secretsOf(state), `${kind}-${user}.password`), 'utf8').trim();
    // The gateway's Redis user reaches pdme:* keys only.
    const redis = new Redis(state.redisUrl, {
      tls: { ca },
      username: 'gateway',
      password: password('redis', 'gateway'),
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    await redis.connect();
    try {
      expect(await redis.exists('pdme:config')).toBeGreaterThanOrEqual(0);
      await expect(redis.get('not-pdme:anything')).rejects.toThrow(/NOPERM/);
      await expect(redis.flushall()).rejects.toThrow(/NOPERM/);
    } finally {
      redis.disconnect();
    }
    // The gateway's Kafka user may not write mirror commands (decision's topic).
    const producer = new Kafka({
      clientId: 'secure-test',
      brokers: [state.kafka.bootstrap],
      ssl: { ca },
      sasl: { mechanism: 'scram-sha-512', username: 'gateway', password: password('kafka', 'gateway') },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    try {
      await expect(
        producer.send({ topic: TOPICS.mirrorCommands, messages: [{ value: 'forged' }] }),
      ).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
  });

  it('stack down --secure stops every process of the profile and leaves the plain stack alone', async () => {
    const pidsBefore = runningProcesses(profile.paths, state.topology).map((name) =>
      readPid(profile.paths, name),
    );
    expect(pidsBefore.length).toBeGreaterThan(5);
    await stackDown(log, profile);
    expect(runningProcesses(profile.paths, state.topology)).toEqual([]);
    for (const pid of pidsBefore) if (pid !== undefined) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    if (plain !== undefined && plainRunning)
      expect(runningProcesses(stackPaths(), plain.topology).length).toBeGreaterThan(0);
  });
});
