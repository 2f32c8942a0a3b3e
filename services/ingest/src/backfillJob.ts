import { EnvelopeCipher, loadKeyringFile } from '@pdme/common/crypto';
import { loadConfigFile } from '@pdme/common/config';
import { createKafka, Publisher } from '@pdme/common/kafka';
import { createLogger } from '@pdme/common/logging';
import { backfillFiles, type FileResult } from './backfill.js';
import type { IngestToolEnv } from './config.js';
import { EventSink, type IngestCounts } from './eventSink.js';
import { createIngestContext } from './ingestContext.js';
import type { InputFormat } from './lineFormats.js';
import type { LogTimeZone } from './parsers/logTime.js';

export interface BackfillJobOptions {
  readonly files: readonly string[];
  readonly format: InputFormat | 'auto';
  readonly timeZone: LogTimeZone;
  readonly defaultHost?: string | undefined;
  readonly server?: string | undefined;
  readonly env: IngestToolEnv;
  readonly batchSize?: number;
  readonly onProgress?: (bytesRead: number) => void;
  /** Where kafkajs warnings go (the CLI passes stderr so stdout stays the summary). */
  readonly logDestination?: NodeJS.WritableStream;
}

export interface BackfillSummary {
  readonly counts: IngestCounts;
  readonly files: readonly FileResult[];
  readonly elapsedMs: number;
  readonly cpuMs: number;
}

/**
 * `pdme ingest backfill`: files into Kafka through the service's own sink, anonymizer and parsers,
 * waiting for every acknowledgement before it returns the counts.
 */
export async function runBackfillJob(options: BackfillJobOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const config = loadConfigFile(options.env.PDME_CONFIG_FILE);
  const logger = createLogger('ingest-backfill', { level: 'warn', destination: options.logDestination });
  const kafka = createKafka({ brokers: options.env.KAFKA_BROKERS, clientId: 'pdme-backfill', logger });
  // Sealed like the service's own events, so consumers treat backfilled events the same way.
  const keyringFile = options.env.PDME_ENVELOPE_KEYRING_FILE;
  const cipher = keyringFile === undefined ? undefined : new EnvelopeCipher(loadKeyringFile(keyringFile));
  const publisher = new Publisher(kafka, { cipher });
  await publisher.connect();
  try {
    const sink = new EventSink({
      publisher,
      service: 'ingest-backfill',
      maxBatch: options.batchSize ?? 2000,
      lingerMs: 50,
      maxPendingBatches: 2,
      onSendError: (error, attempt) =>
        logger.warn({ event: 'ingest.backfill.publish_retry', attempt, error: String(error) }, 'retrying'),
    });
    const files = await backfillFiles(options.files, {
      format: options.format,
      timeZone: options.timeZone,
      defaultHost: options.defaultHost,
      server: options.server,
      sink,
      context: createIngestContext({
        config,
        secret: options.env.anonSecret,
        maxmindDbFile: options.env.MAXMIND_DB_FILE,
      }),
      onProgress: options.onProgress,
    });
    await sink.close();
    const used = process.cpuUsage(cpu);
    return {
      counts: sink.counts,
      files,
      elapsedMs: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
    };
  } finally {
    await publisher.disconnect();
  }
}
