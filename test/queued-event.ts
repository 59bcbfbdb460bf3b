import type { QueuedEvent } from "../shared/api/schemas";

/** A listening event as the edge queues it, for tests that deliver queue batches by hand. */
export const queuedEvent = (eventId: string, over: Partial<QueuedEvent> = {}): QueuedEvent => ({
  kind: "event",
  listener: "l_test",
  eventId,
  trackId: "trk-00001",
  type: "play",
  target: null,
  clientTs: 1_800_000_000_000,
  receivedAt: 1_800_000_000_500,
  positionMs: null,
  msPlayed: null,
  device: null,
  context: null,
  region: null,
  ...over,
});
