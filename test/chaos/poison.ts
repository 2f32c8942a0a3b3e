import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { dnstap } from '@pdme/common/proto';
import { TOPICS, dlqTopic, type TopicName } from '@pdme/common/topics';
import type { StackState } from '@pdme/cli/stack';
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  encodeControlFrame,
  encodeDataFrame,
} from '../../services/ingest/src/dnstap/frameStreams.js';
import type { Collected } from './topicCollector.js';

/**
 * Poison input through every door PDME has: dnstap frames on ingest's own listener, lines in a
 * followed access log, undecodable protobuf on every topic, bad JSON on every mutating API route.
 * Each case says where it must land (a dead-letter topic with a reason, or a 4xx) and is checked
 * against what the run's topic reader saw.
 */

const { Dnstap, Dnstap_Type, Message_Type, SocketFamily, SocketProtocol } = dnstap;

export interface PoisonCase {
  readonly door: string;
  readonly what: string;
  /** Where it must land: a DLQ topic (checked by `marker` in origin/reason/payload) or an HTTP status class. */
  readonly expect: string;
  outcome: string;
  ok: boolean;
}

function dnstapFrame(message: { queryMessage: Uint8Array; type?: number; address?: number[] }): Uint8Array {
  return Dnstap.encode({
    type: Dnstap_Type.MESSAGE,
    message: {
      type: message.type ?? Message_Type.CLIENT_QUERY,
      socketFamily: SocketFamily.INET,
      socketProtocol: SocketProtocol.UDP,
      queryAddress: Buffer.from(message.address ?? [10, 9, 8, 7]),
      queryPort: 53000,
      queryTimeSec: Math.floor(Date.now() / 1000),
      queryTimeNsec: 1,
      queryMessage: Buffer.from(message.queryMessage),
    },
  }).finish();
}

/** A DNS query for `name`, type A, in wire format. */
function dnsQuestion(name: string): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([
    Buffer.from([0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels,
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
}

/** Malformed dnstap, each as one data frame in one unidirectional Frame Streams session. */
export function poisonDnstapFrames(marker: string): { what: string; frame: Uint8Array }[] {
  const good = dnsQuestion(`video-${marker}-truncated.cdn.pdme.test`);
  const longLabel = 'a'.repeat(63);
  // 5 labels of 63 bytes: a 320-byte name, over the 255-byte limit, written label by label.
  const overlong = Buffer.concat([
    Buffer.from([0, 8, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.from(longLabel)])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
  return [
    { what: 'not protobuf', frame: Buffer.from(`\u00ff\u00ffgarbage ${marker}`, 'latin1') },
    {
      what: 'truncated DNS message',
      frame: dnstapFrame({ queryMessage: good.subarray(0, good.length - 7) }),
    },
    { what: 'overlong name (320 bytes)', frame: dnstapFrame({ queryMessage: overlong }) },
    // A binary, non-UTF-8 label is legal DNS (RFC 2181 section 11): ingest accepts it, so it is not
    // poison; the CI run of 2026-11-26 showed it counted as a normal query.
    { what: 'empty DNS message', frame: dnstapFrame({ queryMessage: new Uint8Array(0) }) },
  ];
}

/** Writes frames to ingest's dnstap unix socket as a second writer (BIND's session is untouched). */
export async function writeDnstap(socketPath: string, frames: readonly Uint8Array[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect(socketPath, () => {
      socket.write(encodeControlFrame(ControlType.START, [DNSTAP_CONTENT_TYPE]));
      for (const frame of frames) socket.write(encodeDataFrame(frame));
      socket.end(encodeControlFrame(ControlType.STOP));
    });
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.resume();
  });
}

/** A session that breaks the protocol itself (a data frame before START, then a bogus control frame). */
export async function writeBrokenStream(socketPath: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = connect(socketPath, () => {
      socket.write(Buffer.from([0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 99]));
      socket.end(Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5]));
    });
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.resume();
  });
}

/** Lines no parser accepts, appended to a followed nginx access log. */
export function poisonAccessLines(marker: string): { what: string; line: Buffer }[] {
  return [
    { what: 'not JSON', line: Buffer.from(`{"time": oops ${marker}\n`) },
    {
      what: 'invalid UTF-8',
      line: Buffer.concat([
        Buffer.from(`{"host":"${marker}-`),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}\n'),
      ]),
    },
    {
      what: 'huge line (2 MiB)',
      line: Buffer.from(`{"host":"${marker}-huge","uri":"/${'x'.repeat(2 * 1024 * 1024)}"}\n`),
    },
    {
      what: 'overlong host',
      line: Buffer.from(
        `{"time":${Date.now() / 1000},"host":"${'h'.repeat(300)}-${marker}.cdn.pdme.test","uri":"/","args":"","method":"GET","status":200,"bytes":1,"request_time":0,"upstream_cache_status":"HIT","user_agent":"x","remote_addr":"10.9.8.7","server":"cache-c1-a"}\n`,
      ),
    },
  ];
}

export function appendAccessLines(file: string, lines: readonly Buffer[]): void {
  for (const line of lines) appendFileSync(file, line);
}

/** Undecodable protobuf (a length running past the end), tagged with the marker. */
export function poisonPayload(marker: string): Buffer {
  return Buffer.concat([Buffer.from([0x0a, 0x7f]), Buffer.from(`poison-${marker}`)]);
}

export async function produceTopicPoison(bootstrap: string, marker: string): Promise<TopicName[]> {
  const kafka = new Kafka({
    clientId: 'pdme-chaos-poison',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const topics = Object.values(TOPICS);
  try {
    for (const topic of topics)
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: `poison-${marker}`, value: poisonPayload(marker) }],
      });
  } finally {
    await producer.disconnect();
  }
  return topics;
}

/** Which topics a running service consumes (and so must dead-letter poison from). */
export const CONSUMED_TOPICS: readonly TopicName[] = [
  TOPICS.dnsQueries,
  TOPICS.externalEvents,
  TOPICS.demandForecasts,
  TOPICS.mirrorResults,
  TOPICS.mirrorCommands,
];

/** The dead letters of the run on `topic`'s DLQ whose payload carries `needle`. */
export function deadLettersWith(data: Collected, topic: TopicName, needle: Buffer): string[] {
  return data.deadLetters
    .filter((d) => d.topic === dlqTopic(topic) && Buffer.from(d.payload).includes(needle))
    .map((d) => `${d.service}: ${d.reason}`);
}

export interface HttpCase {
  readonly route: string;
  readonly method: string;
  readonly body: string;
  readonly contentType?: string;
  readonly status: number;
}

/** Bad bodies on every mutating route, with the admin key (so only the body is wrong). */
export async function badJsonCases(state: StackState, adminKey: string): Promise<HttpCase[]> {
  const base = state.gateway.http;
  const current = await fetch(`${base}/pdme/config`, { headers: { authorization: `Bearer ${adminKey}` } });
  const etag = current.headers.get('etag') ?? '';
  await current.body?.cancel();
  const bodies = [
    { body: '{"clusters": [', what: 'truncated' },
    { body: '\u00ff\u00fe{}', what: 'not UTF-8 JSON' },
    { body: '[1, 2, 3]', what: 'wrong shape' },
    { body: '{"forecast": {"windowMs": "soon"}}', what: 'wrong types' },
  ];
  const routes = [
    { method: 'PUT', route: '/pdme/config', contentType: 'application/json' },
    { method: 'PATCH', route: '/pdme/config', contentType: 'application/merge-patch+json' },
    { method: 'POST', route: '/pdme/events', contentType: 'application/json' },
  ];
  const cases: HttpCase[] = [];
  for (const r of routes) {
    for (const b of bodies) {
      const res = await fetch(`${base}${r.route}`, {
        method: r.method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': r.contentType, 'if-match': etag },
        body: Buffer.from(b.body, 'latin1'),
      });
      await res.body?.cancel();
      cases.push({ route: `${r.route} (${b.what})`, method: r.method, body: b.body, status: res.status });
    }
  }
  return cases;
}
