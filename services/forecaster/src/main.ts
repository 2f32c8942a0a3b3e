import { TopicConsumer } from '@pdme/common/kafka';
import { REDIS_KEYS } from '@pdme/common/keys';
import { counter, gauge, histogram } from '@pdme/common/metrics';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { LatencyReporter } from '@pdme/common/stats-reports';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { AccuracyReporter } from './accuracyReporter.js';
import { loadForecasterEnv } from './config.js';
import { EventAnnouncer } from './eventAnnouncer.js';
import { ForecastPublisher } from './forecastPublisher.js';
import { SeriesForecaster } from './seriesForecaster.js';
import type { ClosedWindow } from './windowCounter.js';
import { WindowPipeline } from './windowPipeline.js';
import { WindowStateStore } from './windowStateStore.js';

runMain('forecaster', async () => {
  const env = loadForecasterEnv(process.env);
  const rt = await startServiceRuntime('forecaster', env);
  const { forecast } = rt.config;
  const forecaster = new SeriesForecaster({
    horizonSteps: forecast.horizonSteps,
    minChange: forecast.minChange,
  });
  const announcer = new EventAnnouncer({
    windowMs: forecast.windowMs,
    maxEventSteps: Math.max(forecast.horizonSteps, 120),
    clusters: () => rt.config.clusters.map((c) => c.id),
    forecaster,
  });
  const output = new ForecastPublisher(rt.publisher, rt.redis, forecast.forecastTtlSeconds);
  const events = counter(rt.registry, 'pdme_forecaster_events_total', 'Query events by outcome', ['outcome']);
  // Forecast-poisoning defence: what the per-group cap removed, and windows one group dominated.
  const influenceCap = forecast.influenceCap.enabled ? forecast.influenceCap : undefined;
  const cappedEvents = counter(
    rt.registry,
    'pdme_forecaster_influence_capped_events_total',
    'Query events left out of window counts by the per-client-group influence cap',
    [],
  );
  const dominatedWindows = counter(
    rt.registry,
    'pdme_forecaster_dominated_windows_total',
    'Closed windows in which one anonymized client group sent most of the queries (possible poisoning)',
    ['cluster'],
  );
  const watchInfluence = (closed: readonly ClosedWindow[]) => {
    for (const window of closed) {
      const removed = (window.rawCount ?? window.count) - window.count;
      if (removed > 0) cappedEvents.inc(removed);
      if (window.dominated !== true) continue;
      dominatedWindows.inc({ cluster: window.cluster });
      // Resource and cluster only: the group is a keyed hash, still not logged.
      rt.logger.warn(
        {
          event: 'forecaster.influence.dominated',
          resource: window.resource,
          cluster: window.cluster,
          rawCount: window.rawCount,
          count: window.count,
          topGroupShare: window.topGroupShare,
        },
        'one client group dominated a window; its influence was capped',
      );
    }
  };
  const published = counter(
    rt.registry,
    'pdme_forecaster_forecasts_published_total',
    'Forecasts published',
    [],
  );

  // One-step-ahead accuracy by model (per series it is held in memory: too many series for labels).
  const accuracyGauges = {
    mase: gauge(rt.registry, 'pdme_forecaster_mase_ratio', 'One-step MASE (naive-scaled) by model', [
      'model',
    ]),
    wape: gauge(rt.registry, 'pdme_forecaster_wape_ratio', 'One-step WAPE by model', ['model']),
    coverage90: gauge(rt.registry, 'pdme_forecaster_p90_coverage_ratio', 'Share of windows at or under p90', [
      'model',
    ]),
    points: gauge(rt.registry, 'pdme_forecaster_scored_windows', 'Windows scored by model', ['model']),
  };
  const seriesGauge = gauge(rt.registry, 'pdme_forecaster_series', 'Series with model state', []);
  const activeEvents = gauge(
    rt.registry,
    'pdme_forecaster_external_events',
    'External events pending or on',
    [],
  );
  const exportAccuracy = () => {
    for (const [model, accuracy] of forecaster.accuracyByModel()) {
      for (const name of ['mase', 'wape', 'coverage90', 'points'] as const) {
        const value = accuracy[name];
        if (Number.isFinite(value)) accuracyGauges[name].set({ model }, value);
      }
    }
    seriesGauge.set(forecaster.seriesCount);
    activeEvents.set(announcer.book.size);
  };

  // Closed windows -> models updated, forecasts published and cached: the forecaster's processing
  // latency per window update, summarized (p50/p99) into Redis for the gateway's stats.
  const windowUpdate = histogram(
    rt.registry,
    'pdme_forecaster_window_update_seconds',
    'Closed windows to forecasts published and cached, per batch of windows closing together',
    [],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const statsReports = {
    accuracy: new AccuracyReporter({
      redis: rt.redis,
      key: REDIS_KEYS.forecastAccuracy,
      instance: env.INSTANCE_ID,
      forecaster,
      windowMs: forecast.windowMs,
      logger: rt.logger,
      topSeries: env.STATS_TOP_SERIES,
      everyMs: env.STATS_REPORT_EVERY_MS,
    }),
    latency: new LatencyReporter(REDIS_KEYS.latency, {
      redis: rt.redis,
      service: 'forecaster',
      instance: env.INSTANCE_ID,
      logger: rt.logger,
      everyMs: env.STATS_REPORT_EVERY_MS,
      sources: [
        {
          name: 'window-update',
          description: 'closed windows to forecasts published and cached',
          histogram: windowUpdate,
        },
      ],
    }),
  };

  // Live windows close on the wall clock: queries arrive in real time, so event time ~ now.
  const windows = new WindowPipeline({
    kafka: rt.kafka,
    groupId: `${GROUPS.forecaster}${env.KAFKA_GROUP_SUFFIX}`,
    store: new WindowStateStore(rt.redis, env.WINDOW_STATE_KEY_PREFIX, rt.atRest?.cipher),
    logger: rt.logger,
    windowMs: forecast.windowMs,
    allowedLatenessMs: forecast.allowedLatenessMs,
    persistEveryMs: env.WINDOW_PERSIST_EVERY_MS,
    watermark: () => Date.now(),
    cipher: rt.atRest?.cipher,
    influenceCap,
    onOutcome: (outcome) => events.inc({ outcome }),
    onPoison: async (origin, reason, payload) => {
      rt.logger.warn({ event: 'forecaster.kafka.dead_letter', origin, reason }, 'message dead-lettered');
      await rt.publisher.deadLetter([
        { sourceTopic: TOPICS.dnsQueries, origin, reason, payload, service: 'forecaster' },
      ]);
    },
  });

  // Every instance needs every event (series are spread over instances), so each has its own group,
  // and reads the topic from the start to rebuild the events still pending after a restart.
  const externalEvents = new TopicConsumer({
    kafka: rt.kafka,
    groupId: `${GROUPS.forecaster}-events-${env.INSTANCE_ID}${env.KAFKA_GROUP_SUFFIX}`,
    topic: TOPICS.externalEvents,
    service: 'forecaster',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    fromBeginning: true,
    handle: async (message) => {
      const now = Date.now();
      const { event, forecasts } = announcer.announce(message, now);
      if (event === undefined) return;
      await output.publish(forecasts);
      published.inc(forecasts.length);
      rt.logger.info(
        {
          event: 'forecaster.external_event.announced',
          eventId: event.eventId,
          startInMs: event.startMs - now,
          forecasts: forecasts.length,
        },
        'external event applied',
      );
    },
  });

  let closing = Promise.resolve();
  const closeDue = () => {
    closing = closing
      .then(() =>
        windows.closeDue(async (closed) => {
          const started = process.hrtime.bigint();
          const now = Date.now();
          watchInfluence(closed);
          const forecasts = closed
            .map((window) => forecaster.observe(window, now))
            .filter((f) => f !== undefined)
            .map((f) => announcer.raise(f, now));
          announcer.book.dropExpired(now);
          exportAccuracy();
          await output.publish(forecasts);
          if (closed.length > 0) windowUpdate.observe(Number(process.hrtime.bigint() - started) / 1e9);
          published.inc(forecasts.length);
          for (const f of forecasts) {
            rt.logger.info(
              {
                event: 'forecaster.forecast.published',
                resource: f.resource,
                cluster: f.cluster,
                observed: f.observed,
                mean: f.steps[0]?.mean,
                flashCrowd: f.flashCrowd,
              },
              'forecast published',
            );
          }
        }),
      )
      .catch((error: unknown) => {
        rt.logger.error(
          { event: 'forecaster.forecast.publish_failed', error: String(error) },
          'publish failed',
        );
      });
  };
  const timer = setInterval(closeDue, Math.max(250, Math.floor(forecast.windowMs / 4)));
  rt.lifecycle.onShutdown('consumers', 'dns-queries-consumer', async () => {
    clearInterval(timer);
    await closing;
    await statsReports.accuracy.stop();
    await statsReports.latency.stop();
    await externalEvents.stop();
    await windows.stop();
  });
  await externalEvents.start();
  await windows.start();
  statsReports.accuracy.start();
  statsReports.latency.start();
  rt.lifecycle.markReady();
});
