/** What the CLI and benches use from ingest: the same code paths the service runs. */
export { backfillFiles, type BackfillOptions, type FileResult } from './backfill.js';
export { loadIngestToolEnv, type IngestToolEnv } from './config.js';
export { EventSink, type EventPublisher, type IngestCounts } from './eventSink.js';
export { createIngestContext } from './ingestContext.js';
export { INPUT_FORMATS, type InputFormat } from './lineFormats.js';
export type { LogTimeZone } from './parsers/logTime.js';
export { runBackfillJob, type BackfillJobOptions, type BackfillSummary } from './backfillJob.js';
