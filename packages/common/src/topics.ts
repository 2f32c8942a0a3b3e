/**
 * Every Kafka topic PDME uses, in one place. Data flows one way:
 * ingest -> dns-queries -> forecaster -> demand-forecasts -> decision -> mirror-commands -> dns-updater
 * -> mirror-results -> decision. Keys are resource names so one resource stays on one partition.
 */
export const TOPICS = {
  dnsQueries: 'pdme.dns-queries.v1',
  accessLogs: 'pdme.access-logs.v1',
  externalEvents: 'pdme.external-events.v1',
  demandForecasts: 'pdme.demand-forecasts.v1',
  mirrorCommands: 'pdme.mirror-commands.v1',
  mirrorResults: 'pdme.mirror-results.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Dead-letter topic of a topic: poison messages land here with the reason. */
export function dlqTopic(topic: TopicName): string {
  return `${topic}.dlq`;
}

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
}

/** The topics to create before any service starts (kafkajs cannot auto-create on KRaft). */
export function allTopicSpecs(partitions = 6): TopicSpec[] {
  return Object.values(TOPICS).flatMap((topic) => [
    { topic, numPartitions: partitions },
    { topic: dlqTopic(topic), numPartitions: 1 },
  ]);
}

/** Consumer groups are named after the service that owns them. */
export const GROUPS = {
  forecaster: 'forecaster',
  decision: 'decision',
  decisionResults: 'decision-results',
  dnsUpdater: 'dns-updater',
  gateway: 'gateway',
} as const;
