import { TopicConsumer } from '@pdme/common/kafka';
import { counter } from '@pdme/common/metrics';
import { runMain, startServiceRuntime } from '@pdme/common/service';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { loadForecasterEnv } from './config.js';
import { ForecastPublisher } from './forecastPublisher.js';
import { SeriesForecaster } from './seriesForecaster.js';
import { WindowCounter } from './windowCounter.js';

runMain('forecaster', async () => {
  const env = loadForecasterEnv(process.env);
  const rt = await startServiceRuntime('forecaster', env);
  const { forecast } = rt.config;
  const counter_ = new WindowCounter({
    windowMs: forecast.windowMs,
    allowedLatenessMs: forecast.allowedLatenessMs,
  });
  const forecaster = new SeriesForecaster({
    horizonSteps: forecast.horizonSteps,
    minChange: forecast.minChange,
  });
  const output = new ForecastPublisher(rt.publisher, rt.redis, forecast.forecastTtlSeconds);
  const events = counter(rt.registry, 'pdme_forecaster_events_total', 'Query events by outcome', ['outcome']);
  const published = counter(
    rt.registry,
    'pdme_forecaster_forecasts_published_total',
    'Forecasts published',
    [],
  );

  const consumer = new TopicConsumer({
    kafka: rt.kafka,
    groupId: GROUPS.forecaster,
    topic: TOPICS.dnsQueries,
    service: 'forecaster',
    logger: rt.logger,
    publisher: rt.publisher,
    registry: rt.registry,
    handle: async (event) => {
      events.inc({ outcome: counter_.add(event) });
    },
  });

  // Live windows close on the wall clock: queries arrive in real time, so event time ~ now.
  let closing = Promise.resolve();
  const closeDue = () => {
    closing = closing
      .then(async () => {
        const now = Date.now();
        const forecasts = counter_
          .closeUpTo(now)
          .map((window) => forecaster.observe(window, now))
          .filter((f) => f !== undefined);
        await output.publish(forecasts);
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
      })
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
    await consumer.stop();
    await closing;
  });
  await consumer.start();
  rt.lifecycle.markReady();
});
