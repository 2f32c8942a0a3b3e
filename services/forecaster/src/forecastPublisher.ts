import type { Redis } from '@pdme/common/redis';
import type { Publisher } from '@pdme/common/kafka';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { CachedForecast } from '@pdme/common/mirror-state';
import { DemandForecast } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import type { SeriesForecast } from './seriesForecaster.js';

/** Publishes forecasts to Kafka (keyed by resource) and caches the latest per series in Redis. */
export class ForecastPublisher {
  constructor(
    private readonly publisher: Publisher,
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async publish(forecasts: readonly SeriesForecast[]): Promise<void> {
    if (forecasts.length === 0) return;
    await this.publisher.publish(
      TOPICS.demandForecasts,
      forecasts.map((f) => ({
        key: f.resource,
        value: DemandForecast.fromPartial({ ...f, steps: [...f.steps] }),
      })),
    );
    const pipeline = this.redis.pipeline();
    for (const f of forecasts) {
      const cached: CachedForecast = { ...f, steps: [...f.steps] };
      pipeline.set(REDIS_KEYS.forecast(f.cluster, f.resource), JSON.stringify(cached), 'EX', this.ttlSeconds);
    }
    await pipeline.exec();
  }
}
