import { TOPICS, type TopicName } from '@pdme/common/topics';
import { toAccessEvent, type AccessEventContext } from './accessEvents.js';
import { redactedLinePayload } from './deadLetterPayload.js';
import type { EventSink } from './eventSink.js';
import type { LineParser } from './lineFormats.js';
import { toQueryEvent } from './queryEvents.js';

export interface LinePosition {
  /** For the dead-letter origin: `file:line`. */
  readonly origin: string;
  /** Stable identity of the line for event ids (replays give the same id). */
  readonly sourceId: string;
}

/**
 * One text line to one event or one dead letter, through the same `toQueryEvent`/`toAccessEvent`
 * every source uses. Counts `read` and `skipped`; the sink counts the rest.
 */
export class LineIngester {
  constructor(
    private readonly parser: LineParser,
    private readonly sink: EventSink,
    private readonly context: AccessEventContext,
  ) {}

  async line(text: string, position: LinePosition): Promise<void> {
    const { sink, parser } = this;
    sink.counts.read++;
    if (parser.kind === 'query') {
      const outcome = parser.parse(text);
      if (outcome.kind === 'ok') {
        const observation = { ...outcome.value, source: parser.source, sourceId: position.sourceId };
        await sink.query(toQueryEvent(observation, this.context.anonymizer, this.context.clusters));
        return;
      }
      if (outcome.kind === 'skip') {
        sink.counts.skipped++;
        return;
      }
      await this.reject(text, position, { topic: TOPICS.dnsQueries, ...outcome });
      return;
    }
    const outcome = parser.parse(text);
    if (outcome.kind === 'ok') {
      await sink.access(toAccessEvent({ ...outcome.value, sourceId: position.sourceId }, this.context));
      return;
    }
    if (outcome.kind === 'skip') {
      sink.counts.skipped++;
      return;
    }
    await this.reject(text, position, { topic: TOPICS.accessLogs, ...outcome });
  }

  private reject(
    text: string,
    position: LinePosition,
    failure: { topic: TopicName; reason: string; detail?: string },
  ): Promise<void> {
    return this.sink.reject({
      sourceTopic: failure.topic,
      origin: position.origin,
      reason: `${this.parser.format} ${failure.reason}`,
      detail: failure.detail,
      payload: redactedLinePayload(text),
    });
  }
}
