import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  AccessEvent,
  DeadLetter,
  DemandForecast,
  ExternalEvent,
  MirrorCommand,
  MirrorResult,
  QueryEvent,
} from './proto/index.js';
import { TOPICS, type TopicName } from './topics.js';

/** The part of a ts-proto message object that Kafka payload coding needs. */
export interface Codec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

/** Which protobuf message each topic carries: producers and consumers share this one table. */
export interface TopicMessages {
  [TOPICS.dnsQueries]: QueryEvent;
  [TOPICS.accessLogs]: AccessEvent;
  [TOPICS.externalEvents]: ExternalEvent;
  [TOPICS.demandForecasts]: DemandForecast;
  [TOPICS.mirrorCommands]: MirrorCommand;
  [TOPICS.mirrorResults]: MirrorResult;
}

export type MessageOf<T extends TopicName> = TopicMessages[T];

const TOPIC_CODECS: { [K in TopicName]: Codec<TopicMessages[K]> } = {
  [TOPICS.dnsQueries]: QueryEvent,
  [TOPICS.accessLogs]: AccessEvent,
  [TOPICS.externalEvents]: ExternalEvent,
  [TOPICS.demandForecasts]: DemandForecast,
  [TOPICS.mirrorCommands]: MirrorCommand,
  [TOPICS.mirrorResults]: MirrorResult,
};

export function encodeMessage<T extends TopicName>(topic: T, message: MessageOf<T>): Buffer {
  const codec: Codec<MessageOf<T>> = TOPIC_CODECS[topic];
  return Buffer.from(codec.encode(message).finish());
}

/** Decodes a payload; throws (a poison message) when the bytes are not a valid message. */
export function decodeMessage<T extends TopicName>(topic: T, payload: Uint8Array): MessageOf<T> {
  const codec: Codec<MessageOf<T>> = TOPIC_CODECS[topic];
  return codec.decode(payload);
}

export function encodeDeadLetter(letter: DeadLetter): Buffer {
  return Buffer.from(DeadLetter.encode(letter).finish());
}

/**
 * `DemandForecast.model` of a series' last forecast: idle for the forecaster's forget horizon (far
 * longer than any unmirror hysteresis), its demand is zero and its mirrors can go now.
 */
export const SERIES_END_MODEL = 'series-end';
