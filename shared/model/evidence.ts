/** Per-(listener, item) event counts as the event log records them. */
export interface EventCounts {
  plays: number;
  completes: number;
  skips: number;
  likes: number;
  dislikes: number;
  repeats: number;
  adds: number;
}

/** Counts of a track nothing has happened to yet, to add events to. */
export const NO_EVENTS: Readonly<EventCounts> = {
  plays: 0,
  completes: 0,
  skips: 0,
  likes: 0,
  dislikes: 0,
  repeats: 0,
  adds: 0,
};

/**
 * Signed evidence of taste from event counts. Explicit actions outweigh passive ones: a like or a playlist
 * add is a deliberate choice, a repeat means a play was wanted again, a completion that a play was not
 * abandoned. A play that ends in a skip nets slightly negative (the play is counted too), a dislike is
 * strongly negative. The result feeds
 * `Interaction.weight`; the model turns its magnitude into a log-scaled confidence.
 */
export function evidenceWeight(counts: EventCounts): number {
  const positive = counts.plays + counts.completes + 2 * counts.repeats + 5 * counts.likes + 4 * counts.adds;
  const negative = 1.5 * counts.skips + 10 * counts.dislikes;
  return positive - negative;
}

/** Confidence grows with the log of the evidence so a few heavy listeners do not drown everyone else. */
export function confidence(weight: number): number {
  return Math.log1p(Math.abs(weight));
}
