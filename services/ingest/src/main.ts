import { counter, gauge } from '@pdme/common/metrics';
import { Source } from '@pdme/common/proto';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { TOPICS } from '@pdme/common/topics';
import { loadIngestEnv, parseAccessLogSpec } from './config.js';
import { redactedFramePayload } from './deadLetterPayload.js';
import { decodeDnstap } from './dnstap/dnstapDecode.js';
import { FrameStreamServer } from './dnstap/frameStreamServer.js';
import { ROOM } from './batcher.js';
import { EventSink } from './eventSink.js';
import { createIngestContext } from './ingestContext.js';
import { lineParserFor, type LineFormat } from './lineFormats.js';
import { LineIngester } from './lineIngester.js';
import { dnstapSourceId, toQueryEvent } from './queryEvents.js';
import { followLogInto } from './sources/followLog.js';

runMain('ingest', async () => {
  const env = loadIngestEnv(process.env);
  const rt = await startServiceRuntime('ingest', env);
  const { config, logger } = rt;
  const context = createIngestContext({
    config,
    secret: env.anonSecret,
    maxmindDbFile: env.MAXMIND_DB_FILE,
  });
  const events = counter(rt.registry, 'pdme_ingest_events_total', 'Inputs read and rejected, by source', [
    'source',
    'outcome',
  ]);
  const published = counter(
    rt.registry,
    'pdme_ingest_published_total',
    'Events and dead letters acknowledged by Kafka, by topic',
    ['topic'],
  );
  const buffered = gauge(
    rt.registry,
    'pdme_ingest_buffered_events',
    'Read and not yet acknowledged by Kafka: how far ingest lags its sources',
    [],
  );

  const sink = new EventSink({
    publisher: rt.publisher,
    service: 'ingest',
    // Large batches at line rate (kafkajs costs much less per message in big ones); the linger
    // still sends a quiet minute's few events within 20 ms.
    maxBatch: 4000,
    lingerMs: 20,
    maxPendingBatches: 2,
    onPublished: (topic, count) => published.inc({ topic }, count),
    onSendError: (error, attempt) =>
      logger.warn(
        { event: 'ingest.kafka.publish_retry', attempt, error: String(error) },
        'publish failed, retrying',
      ),
  });
  const lagTimer = setInterval(() => buffered.set(sink.buffered), 1000);
  lagTimer.unref();

  let frames = 0;
  const dnstapTypes = new Set(['AUTH_QUERY', 'CLIENT_QUERY'] as const);
  // Bound once: looking a child up by its labels for every frame is a visible cost at line rate.
  const dnstapRead = events.labels({ source: 'dnstap', outcome: 'read' });
  const dnstapRejected = events.labels({ source: 'dnstap', outcome: 'rejected' });
  // Synchronous unless the sink is full: a returned promise pauses the socket until it settles, and
  // pausing and resuming for every frame cost more than decoding it.
  const untilRoom = (pending: Promise<void>): Promise<void> | undefined =>
    pending === ROOM ? undefined : pending;
  const dnstap = new FrameStreamServer({
    socketPath: env.DNSTAP_SOCKET,
    tcp: env.DNSTAP_TCP === undefined ? undefined : parseHostPort(env.DNSTAP_TCP),
    onData: (payload, connectionId) => {
      frames++;
      sink.counts.read++;
      dnstapRead.inc();
      const decoded = decodeDnstap(payload, { messageTypes: dnstapTypes });
      if (!decoded.ok) {
        dnstapRejected.inc();
        return untilRoom(
          sink.reject({
            sourceTopic: TOPICS.dnsQueries,
            origin: `dnstap:connection-${connectionId}#frame-${frames}`,
            reason: `dnstap ${decoded.reason}`,
            detail: decoded.detail,
            payload: redactedFramePayload(payload),
          }),
        );
      }
      const event = toQueryEvent(
        {
          tsMs: decoded.tsMs,
          qname: decoded.qname,
          qtype: decoded.qtype,
          clientAddress: decoded.clientAddress,
          ecsAddress: decoded.ecs?.address,
          source: Source.SOURCE_DNSTAP,
          sourceId: dnstapSourceId(payload),
        },
        context.anonymizer,
        context.clusters,
      );
      return untilRoom(sink.query(event));
    },
    onError: (reason, connectionId) =>
      logger.warn({ event: 'ingest.dnstap.stream_error', reason, connectionId }, 'dnstap stream error'),
    onConnection: (connectionId) =>
      logger.info({ event: 'ingest.dnstap.connected', connectionId }, 'dnstap writer connected'),
  });
  if (env.DNSTAP_SOCKET !== undefined || env.DNSTAP_TCP !== undefined) {
    await dnstap.listen();
    rt.lifecycle.onShutdown('servers', 'dnstap-listener', () => dnstap.close());
  }

  // Followed logs: nginx access logs (ACCESS_LOG_FILES) and BIND query logs (QUERY_LOG_FILES).
  const stopFollowing = new AbortController();
  const follow = (spec: string, format: LineFormat): Promise<void> => {
    const { path, server } = parseAccessLogSpec(spec);
    const source = format === 'nginx' ? 'access-log' : 'query-log';
    const parser = lineParserFor(format, { timeZone: 'local', server });
    const counted: typeof parser =
      parser.kind === 'query'
        ? { ...parser, parse: (line) => countOutcome(parser.parse(line), source) }
        : { ...parser, parse: (line) => countOutcome(parser.parse(line), source) };
    return followLogInto(path, new LineIngester(counted, sink, context), {
      signal: stopFollowing.signal,
      onReopen: (why) => logger.info({ event: 'ingest.follow.reopened', path, why }, 'log file reopened'),
    }).catch((error: unknown) =>
      logger.error({ event: 'ingest.follow.failed', path, error: String(error) }, 'stopped following'),
    );
  };
  const countOutcome = <T extends { kind: string }>(outcome: T, source: string): T => {
    events.inc({ source, outcome: 'read' });
    if (outcome.kind === 'fail') events.inc({ source, outcome: 'rejected' });
    return outcome;
  };
  const followers = [
    ...env.ACCESS_LOG_FILES.map((spec) => follow(spec, 'nginx')),
    ...env.QUERY_LOG_FILES.map((spec) => follow(spec, 'bind')),
  ];
  rt.lifecycle.onShutdown('servers', 'log-followers', async () => {
    stopFollowing.abort();
    await Promise.all(followers);
  });

  // Everything read is published before the producer disconnects.
  rt.lifecycle.onShutdown('consumers', 'sink-drain', async () => {
    clearInterval(lagTimer);
    await sink.close();
  });
  logger.info(
    {
      event: 'ingest.started',
      dnstapSocket: env.DNSTAP_SOCKET,
      dnstapTcp: env.DNSTAP_TCP,
      accessLogs: env.ACCESS_LOG_FILES.length,
      queryLogs: env.QUERY_LOG_FILES.length,
    },
    'ingest listening',
  );
  rt.lifecycle.markReady();
});

function parseHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
}
