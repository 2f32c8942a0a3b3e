import type { ExternalEvent } from '@pdme/common/proto';
import { announcementForecast, raiseForEvents, type EventForecastOptions } from './eventForecast.js';
import { announcementTargets, ExternalEventBook, type ActiveEvent } from './externalEvents.js';
import type { SeriesForecast, SeriesForecaster } from './seriesForecaster.js';

export interface EventAnnouncerOptions {
  readonly windowMs: number;
  readonly maxEventSteps: number;
  readonly clusters: () => readonly string[];
  readonly forecaster: SeriesForecaster;
  readonly maxEvents?: number;
}

/**
 * Applies announced external events to the forecasts: an announcement yields forecasts at once
 * for every series it covers, and regular forecasts are raised while an event is pending or on.
 */
export class EventAnnouncer {
  readonly book: ExternalEventBook;
  private readonly forecastOptions: EventForecastOptions;

  constructor(private readonly options: EventAnnouncerOptions) {
    this.book = new ExternalEventBook(options.maxEvents);
    this.forecastOptions = {
      windowMs: options.windowMs,
      maxEventSteps: options.maxEventSteps,
      baseline: (series) => options.forecaster.baseline(series.resource, series.cluster),
    };
  }

  /** Records the event and returns the forecasts to publish now (none for an expired event). */
  announce(message: ExternalEvent, nowMs: number): { event?: ActiveEvent; forecasts: SeriesForecast[] } {
    const event = this.book.add(
      {
        eventId: message.eventId,
        resources: message.resources,
        patterns: message.patterns,
        clusters: message.clusters,
        intensity: message.intensity,
        startMs: Number(message.startMs),
        endMs: Number(message.endMs),
      },
      nowMs,
    );
    if (event === undefined) return { forecasts: [] };
    const targets = announcementTargets(
      event,
      this.options.forecaster.knownSeries(),
      this.options.clusters(),
    );
    const forecasts = targets
      .map((series) =>
        announcementForecast(
          series,
          this.book.matching(series.resource, series.cluster, nowMs),
          nowMs,
          this.forecastOptions,
        ),
      )
      .filter((f) => f !== undefined);
    return { event, forecasts };
  }

  /** A regular forecast raised by the events pending or under way for its series. */
  raise(forecast: SeriesForecast, nowMs: number): SeriesForecast {
    if (this.book.size === 0) return forecast;
    return raiseForEvents(
      forecast,
      this.book.matching(forecast.resource, forecast.cluster, nowMs),
      this.forecastOptions,
    );
  }
}
