import type { QueuedEvent } from "../api/schemas";

/**
 * Where accepted events go besides D1: the event lake. The consumer appends every event it stored and acks
 * its batch only once this has returned, so an event in D1 is in the lake too (a failure retries the batch;
 * `batch` names it, so a retry writes the same objects again). Locally and today this is R2 NDJSON files
 * (workers/retrainer/lake-sink.ts); in production a Cloudflare Pipelines stream into R2 Data Catalog can
 * take this role (README, "Event lake").
 */
export interface EventSink {
  append(events: readonly QueuedEvent[], batch: string): Promise<void>;
}
