import { shuffle } from "../util/random";

/** The fields of a stored event that altering listening touches. */
interface StoredEvent {
  eventId: string;
  trackId: string;
  type: string;
  clientTs: number;
  receivedAt: number;
}

/**
 * `count` new events at `now`, as a few requests after a start add them: a listener of a stored event plays
 * (or, one time in three, skips) the track of another, so tracks come in with their popularity.
 */
export function newListening<E extends StoredEvent>(
  stored: readonly E[],
  count: number,
  random: () => number,
  now: number,
  idPrefix: string,
): E[] {
  const pick = () => stored[Math.floor(random() * stored.length)]!;
  return Array.from({ length: count }, (_, n) => ({
    ...pick(),
    eventId: `${idPrefix}-${n}`,
    trackId: pick().trackId,
    type: random() < 1 / 3 ? "skip" : "play",
    clientTs: now,
    receivedAt: now,
  }));
}

/** The events with their tracks dealt out again at random: the same plays per track, but tastes become noise. */
export function garbledListening<E extends StoredEvent>(stored: readonly E[], random: () => number): E[] {
  const tracks = shuffle(
    stored.map((e) => e.trackId),
    random,
  );
  return stored.map((e, n) => ({ ...e, trackId: tracks[n]! }));
}
