import { syntheticListening } from "../model/synthetic";

/**
 * Synthetic listening as single play events, for a bulk backfill of D1 (`npm run import --
 * --synthetic-listening N`): the taste-group listening of shared/model/synthetic.ts, each (listener,
 * item) pair's play count played out as that many events. The whole run is fixed by its size, so a
 * range of it can be drawn on its own (`syntheticEventRange`), by any worker, in any order, again.
 */
export interface SyntheticListeningSize {
  /** Events in the whole run. */
  events: number;
  listeners: number;
  /** Catalog tracks the plays fall on (the first `items` of the catalog by id). */
  items: number;
  seed: number;
}

export interface SyntheticEvent {
  /** The event's number in the run: its id, and its place. */
  n: number;
  listener: number;
  item: number;
  /** Milliseconds before the run's end time; a listener's plays are spread over SPREAD_MS. */
  ageMs: number;
}

/** Plays fall in the last four weeks: inside raw-event retention (90 days), so a retrain reads them as events. */
export const SPREAD_MS = 28 * 24 * 3600 * 1000;
/** Mean plays per drawn pair in syntheticListening (1 + a mean-20 exponential count): sizes its draws. */
const MEAN_PLAYS_PER_DRAW = 21;

const cache = new Map<string, { listener: Int32Array; item: Int32Array; plays: Float32Array; starts: Float64Array }>();

/** The run's pairs in order, with where each pair's first event falls in the run (cumulative plays). */
function pairsOf(size: SyntheticListeningSize) {
  const key = JSON.stringify(size);
  let pairs = cache.get(key);
  if (!pairs) {
    const drawn = syntheticListening({
      listeners: size.listeners,
      items: size.items,
      interactions: Math.max(size.listeners, Math.ceil(size.events / MEAN_PLAYS_PER_DRAW)),
      seed: size.seed,
    }).interactions;
    const count = drawn.indices.length;
    const listener = new Int32Array(count);
    for (let l = 0; l < drawn.rows; l++) listener.fill(l, drawn.indptr[l]!, drawn.indptr[l + 1]!);
    const starts = new Float64Array(count + 1);
    for (let p = 0; p < count; p++) starts[p + 1] = starts[p]! + drawn.values[p]!;
    pairs = { listener, item: drawn.indices, plays: drawn.values, starts };
    // One run at a time is imported; the entry is the size of its pairs, a few MB at millions of events.
    cache.clear();
    cache.set(key, pairs);
  }
  return pairs;
}

/**
 * Events [from, from + count) of the run. Past the drawn plays the pairs are played again from the
 * start (a later round, other event numbers), so a run has exactly `size.events` events.
 */
export function syntheticEventRange(size: SyntheticListeningSize, from: number, count: number): SyntheticEvent[] {
  const { listener, item, starts } = pairsOf(size);
  const round = starts[starts.length - 1]!;
  const out: SyntheticEvent[] = [];
  const end = Math.min(size.events, from + count);
  let n = from;
  while (n < end) {
    const within = n % round;
    // The pair holding play `within`: the last pair starting at or before it.
    let lo = 0,
      hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= within) lo = mid;
      else hi = mid - 1;
    }
    for (let k = within - starts[lo]!; n < end && starts[lo]! + k < starts[lo + 1]!; k++, n++) {
      // Spread deterministically over the window: the event number scrambled, not a random draw.
      out.push({ n, listener: listener[lo]!, item: item[lo]!, ageMs: (Math.imul(n, 2654435761) >>> 0) % SPREAD_MS });
    }
  }
  return out;
}
