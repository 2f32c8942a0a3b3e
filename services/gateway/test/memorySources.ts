import type { PdmeConfig } from '@pdme/common/config';
import { PdmeError } from '@pdme/common/errors';
import type { ExternalEvent } from '@pdme/common/proto';
import {
  viewOf,
  type AuditEntry,
  type ConfigChangeRequest,
  type ConfigSource,
  type ConfigView,
} from '../src/configStore.js';
import type { EventSink } from '../src/eventRoutes.js';

/** An in-process ConfigSource with the same version check as the Redis one, for unit tests. */
export class MemoryConfigSource implements ConfigSource {
  private view: ConfigView;
  readonly entries: AuditEntry[] = [];

  constructor(config: PdmeConfig) {
    this.view = viewOf({ version: 1, config });
  }

  async current(): Promise<ConfigView> {
    return this.view;
  }

  async replace(change: ConfigChangeRequest): Promise<ConfigView> {
    if (change.baseVersion !== this.view.version)
      throw new PdmeError('PRECONDITION_FAILED', 'changed meanwhile');
    this.view = viewOf({ version: change.baseVersion + 1, config: change.config });
    this.entries.unshift({
      id: String(this.view.version),
      version: this.view.version,
      who: change.who,
      atMs: 0,
      diff: change.diff,
    });
    return this.view;
  }

  async audit(count: number): Promise<AuditEntry[]> {
    return this.entries.slice(0, count);
  }
}

/** Keeps published events in memory. */
export class MemoryEventSink implements EventSink {
  readonly events: ExternalEvent[] = [];
  async publish(event: ExternalEvent): Promise<void> {
    this.events.push(event);
  }
}
