import type { Authenticator } from '@pdme/common/auth';
import type { Logger } from '@pdme/common/logging';
import type { ExternalEvent } from '@pdme/common/proto';
import type { RequestHandler, Router } from 'express';
import { parseExternalEvent } from './externalEvent.js';
import { principalOf, requireScope } from './httpAuth.js';
import { jsonBody } from './jsonBody.js';

/** Where accepted events go: the Kafka topic pdme.external-events.v1 in production. */
export interface EventSink {
  publish(event: ExternalEvent): Promise<void>;
}

export interface EventRouteDeps {
  readonly sink: EventSink;
  readonly auth: Authenticator | undefined;
  readonly clusters: () => readonly string[];
  readonly logger: Logger;
  readonly writeLimiter: RequestHandler;
}

/** POST /pdme/events: an announced external signal, validated, then published (202 once acknowledged). */
export function addEventRoutes(app: Router, deps: EventRouteDeps): void {
  app.post(
    '/pdme/events',
    requireScope(deps.auth, 'pdme:admin'),
    deps.writeLimiter,
    jsonBody('256kb'),
    async (req, res) => {
      const event = parseExternalEvent(req.body, deps.clusters());
      await deps.sink.publish(event);
      deps.logger.info(
        {
          event: 'gateway.events.accepted',
          eventId: event.eventId,
          source: event.source,
          who: principalOf(res).subject,
          resources: event.resources.length,
          patterns: event.patterns.length,
        },
        'external event accepted',
      );
      res.status(202).json({ eventId: event.eventId });
    },
  );
}
