import { createHash } from 'node:crypto';
import { counter } from '@pdme/common/metrics';
import { Source, type QueryEvent } from '@pdme/common/proto';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { TOPICS } from '@pdme/common/topics';
import { Anonymizer } from './anonymizer.js';
import { Batcher } from './batcher.js';
import { ClusterResolver } from './clusterResolver.js';
import { loadIngestEnv } from './config.js';
import { decodeDnstap } from './dnstap/dnstapDecode.js';
import { FrameStreamServer } from './dnstap/frameStreamServer.js';
import { toQueryEvent } from './queryEvents.js';

runMain('ingest', async () => {
  const env = loadIngestEnv(process.env);
  const rt = await startServiceRuntime('ingest', env);
  const { config, logger } = rt;
  const anonymizer = new Anonymizer({ ...config.anonymization, secret: env.anonSecret });
  const clusters = new ClusterResolver(config, config.clusters[0]?.id ?? 'default');
  const events = counter(
    rt.registry,
    'pdme_ingest_events_total',
    'Observations read, by source and outcome',
    ['source', 'outcome'],
  );

  const batcher = new Batcher<QueryEvent>({
    maxBatch: 500,
    lingerMs: 20,
    send: async (batch) => {
      await rt.publisher.publish(
        TOPICS.dnsQueries,
        batch.map((event) => ({ key: event.resource, value: event })),
      );
      events.inc({ source: 'dnstap', outcome: 'published' }, batch.length);
    },
    onSendError: (error, attempt) =>
      logger.warn(
        { event: 'ingest.kafka.publish_retry', attempt, error: String(error) },
        'publish failed, retrying',
      ),
  });

  let frames = 0;
  const dnstap = new FrameStreamServer({
    socketPath: env.DNSTAP_SOCKET,
    tcp: env.DNSTAP_TCP === undefined ? undefined : parseHostPort(env.DNSTAP_TCP),
    onData: async (payload, connectionId) => {
      frames++;
      events.inc({ source: 'dnstap', outcome: 'read' });
      const decoded = decodeDnstap(payload, { messageTypes: new Set(['AUTH_QUERY', 'CLIENT_QUERY']) });
      if (!decoded.ok) {
        events.inc({ source: 'dnstap', outcome: 'rejected' });
        await rt.publisher.deadLetter([
          {
            sourceTopic: TOPICS.dnsQueries,
            origin: `dnstap:connection-${connectionId}#frame-${frames}`,
            reason: `dnstap ${decoded.reason}${decoded.detail === undefined ? '' : `: ${decoded.detail}`}`,
            payload,
            service: 'ingest',
          },
        ]);
        return;
      }
      const event = toQueryEvent(
        {
          tsMs: decoded.tsMs,
          qname: decoded.qname,
          qtype: decoded.qtype,
          clientAddress: decoded.clientAddress,
          ecsAddress: decoded.ecs?.address,
          source: Source.SOURCE_DNSTAP,
          sourceId: `dnstap:${createHash('sha256').update(payload).digest('base64')}`,
        },
        anonymizer,
        clusters,
      );
      await batcher.add(event);
    },
    onError: (reason, connectionId) =>
      logger.warn({ event: 'ingest.dnstap.stream_error', reason, connectionId }, 'dnstap stream error'),
    onConnection: (connectionId) =>
      logger.info({ event: 'ingest.dnstap.connected', connectionId }, 'dnstap writer connected'),
  });
  await dnstap.listen();
  rt.lifecycle.onShutdown('servers', 'dnstap-listener', () => dnstap.close());
  // Everything read is published before the producer disconnects.
  rt.lifecycle.onShutdown('consumers', 'batcher-drain', () => batcher.close());
  logger.info(
    { event: 'ingest.started', dnstapSocket: env.DNSTAP_SOCKET, dnstapTcp: env.DNSTAP_TCP },
    'ingest listening for dnstap',
  );
  rt.lifecycle.markReady();
});

function parseHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
}
