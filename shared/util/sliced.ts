/**
 * Long computations cut into slices: a `Sliced` computation is a generator that yields (nothing) wherever it
 * may pause, and returns its result. Run in a go (`finish`) it is the plain computation; run by
 * `finishYielding` it hands the runtime back at each pause. Locally the retrainer's Workflow shares one
 * runtime with the edge, which answers a request only while the retrainer waits: a pause every few
 * milliseconds of work is what keeps the edge answering during a retrain. The result is the same either
 * way, since a pause changes nothing but when the next slice runs.
 */
export type Sliced<T> = Generator<void, T, void>;

/** Runs a sliced computation to its end without pausing. */
export function finish<T>(work: Sliced<T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}

/** Runs a sliced computation to its end, awaiting `between` at each of its pauses (none: no pause). */
export async function finishYielding<T>(work: Sliced<T>, between?: () => Promise<void>): Promise<T> {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    await between?.();
  }
}

/**
 * Hands the runtime back for a moment. A timer, since locally a step lets other work in (an edge request)
 * when it awaits one: a run of calls to the R2 simulator, which runs inside the same runtime, held it much
 * as computing does (see ARRAYS_BETWEEN_PAUSES in the trainer). 3 ms rather than 0: a request beside the
 * step is a chain of round trips (rate limits, the session object, KV), and a zero timer may run the step
 * again before the request's next round trip has come back (see the README's "Serving during a retrain").
 */
export const yieldToRuntime = () => new Promise<void>((resolve) => setTimeout(resolve, 3));

/** `items.map(fn)`, pausing after every `every` items. */
export function* mapSliced<T, U>(items: readonly T[], every: number, fn: (item: T, index: number) => U): Sliced<U[]> {
  const mapped: U[] = [];
  for (let n = 0; n < items.length; n++) {
    if (n > 0 && n % every === 0) yield;
    mapped.push(fn(items[n]!, n));
  }
  return mapped;
}

/** `items.map(fn)` handing the runtime back after every `every` items (see yieldToRuntime). */
export const mapYielding = <T, U>(items: readonly T[], every: number, fn: (item: T, index: number) => U) =>
  finishYielding(mapSliced(items, every, fn), yieldToRuntime);

/**
 * Counts work done between two pauses of a sliced computation, and says when the next is due. Work is
 * counted in units of about a nanosecond of CPU on the development machine (a multiply-add about 1, a
 * push into a top-k heap about 30), so one bound serves loops of very different costs.
 */
export class Pacer {
  private done = 0;

  /** A pause every `every` units of work (Infinity: never). */
  constructor(private readonly every: number) {}

  /** Counts `work` more units; true when a pause is due, which starts the count afresh. */
  due(work: number): boolean {
    this.done += work;
    if (this.done < this.every) return false;
    this.done = 0;
    return true;
  }
}

/**
 * For a loop in async code: `await pause()` once an iteration awaits `between` (by default yieldToRuntime)
 * every `every` iterations, and costs nothing in between.
 */
export function pauseEvery(every: number, between = yieldToRuntime): () => Promise<void> | undefined {
  let count = 0;
  return () => (++count % every === 0 ? between() : undefined);
}
