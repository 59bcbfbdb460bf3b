import type { QueuedExposure, QueueMessage } from "../../shared/api/schemas";
import { bulkInsertStatements } from "../../shared/db/bulk";
import { experimentExposures } from "../../shared/db/schema";

/**
 * The statements storing the first exposures among a batch's messages (already past the erasure rule),
 * for the consumer's one atomic batch. OR IGNORE on (experiment, listener): a redelivered exposure,
 * or one resent by the session object's outbox, keeps the first serving time stored.
 */
export function exposureStatements(db: D1Database, messages: readonly QueueMessage[]) {
  const exposures = messages.filter((m): m is QueuedExposure => m.kind === "exposure");
  return bulkInsertStatements(
    db,
    experimentExposures,
    exposures.map((e) => ({
      experimentId: e.experimentId,
      listenerId: e.listener,
      variant: e.variant,
      exposedAt: e.exposedAt,
    })),
    "ignore",
  );
}
