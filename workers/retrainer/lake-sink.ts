import type { QueuedEvent } from "../../shared/api/schemas";
import { dropErasedLines, indexLakeObjects } from "../../shared/lake/objects";
import { batchObjects } from "../../shared/lake/partitions";
import { lakeRecord } from "../../shared/lake/records";
import type { EventSink } from "../../shared/lake/sink";

/**
 * The event lake in R2: a batch's events as one NDJSON object per day of arrival. Which listener has lines
 * in which object is recorded in D1 first (export and erasure read it), then the objects are written, then
 * lines of listeners erased meanwhile are taken out again.
 */
export function r2EventSink(bucket: R2Bucket, db: D1Database): EventSink {
  return {
    async append(events: readonly QueuedEvent[], batch: string) {
      if (events.length === 0) return;
      const objects = batchObjects(events.map(lakeRecord), batch);
      await indexLakeObjects(db, objects);
      await Promise.all(
        objects.map((o) => bucket.put(o.key, o.body, { httpMetadata: { contentType: "application/x-ndjson" } })),
      );
      await dropErasedLines(bucket, db, objects);
    },
  };
}
