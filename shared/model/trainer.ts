import { kernels, type Kernels } from "../kernels/kernels";
import { seededRandom } from "../util/random";
import { finish, finishYielding, Pacer, pauseEvery, type Sliced } from "../util/sliced";
import { gramian, gramianInSlices, initialFactors, solveRows, type Factors } from "./als";
import {
  COMPONENTS,
  EXPOSURE_LIST,
  BlendTuning,
  blendMeasure,
  type Blend,
  type CandidateSet,
  type Component,
} from "./blend";
import { contentNeighbourRows, contentVectorsInSlices, exactNeighbourWork } from "./content";
import { bucketOptions, ContentBuckets } from "./contentBuckets";
import { evidenceMatrix, interactionCount, signedConfidence } from "./interactions";
import { knnInputs, knnNeighbourRows, type KnnInputs } from "./itemKnn";
import { ListenerKnn } from "./listenerKnn";
import { neighbourBlock, type NeighbourTable } from "./neighbours";
import { resolveOptions, type ResolvedOptions, type TrainOptions } from "./options";
import { listenerCounts } from "./popularity";
import { columnBlock, packLists, selectRows, transpose, unpackLists, type CsrMatrix } from "./sparse";
import { splitEvidence } from "./split";
import { TopKHeap } from "./topK";
import type { Scored, TrainingData } from "./types";
import { alsOptions, ComponentScores, ListenerRows, type ModelParts } from "./scoring";

export type StateArray = Int32Array | Float32Array | Float64Array;

/** What the plan of phases and the model depend on, fixed when training starts. */
export interface TrainerShape {
  listeners: number;
  items: number;
  interactions: number;
  withContent: boolean;
  /** Whether some tags name their listener, so validation needs content of its own. */
  withTaggers: boolean;
  /** Listener-kNN scores need the positive matrix in both orientations at once (see LISTENER_KNN_MAX_INTERACTIONS). */
  withListenerKnn: boolean;
  /** Items with positive evidence in all the data: the catalogue the final model serves. */
  catalogSize: number;
  /** ALS refines factors left in the store (TrainOptions.warmStart); a resumed trainer keeps the plan it began with. */
  warmStart: boolean;
  /** The blend is tuned, not given (TrainOptions.blend); likewise part of the plan. */
  tunesBlend: boolean;
}

/** Where a trainer stands, as JSON: its arrays are kept apart, in a TrainerStore or in `arrays`. */
export interface TrainerState {
  phase: number;
  cursor: number;
  blend?: Blend;
  shape: TrainerShape;
  /** Names of the arrays held in the store. */
  stored: string[];
}

/** A whole trainer in memory: its state and every array. */
export interface TrainerSnapshot extends TrainerState {
  arrays: Record<string, StateArray>;
}

/** Where a trainer keeps the arrays its current phase does not need (R2 between a Workflow's steps, files in a bench). */
export interface TrainerStore {
  get(name: string): Promise<StateArray | undefined>;
  put(name: string, array: StateArray): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface TrainingProgress {
  phase: string;
  /** Work units done / total in the current phase (items, listeners or blocks of an ALS half-sweep). */
  done: number;
  total: number;
  finished: boolean;
}

export interface TrainingOutcome {
  parts: ModelParts;
  blend: Blend;
  exposure: Float64Array;
  rows: ListenerRows;
  contentVectors: CsrMatrix;
  options: ResolvedOptions;
}

interface Phase {
  name: string;
  units: number;
  chunk: number;
  /** Arrays (a name, or a prefix ending in ".") the phase reads or writes: all of them, and only them, are in memory while it runs. */
  needs: string[];
  /** Arrays the phase changes, written back to the store before they leave memory. */
  writes: string[];
  /**
   * Runs units [from, to), pausing every PAUSE_WORK or so (see Sliced); answers true when the phase has
   * ended early, its work done in fewer units.
   */
  run(from: number, to: number): Sliced<boolean | void>;
}

/** Candidate items per component when gathering validation candidates. */
const CANDIDATES_PER_COMPONENT = 60;
const CANDIDATE_WIDTH = CANDIDATES_PER_COMPONENT * COMPONENTS.length;
/**
 * Candidate slots (sampled listeners x CANDIDATE_WIDTH) measured per step of blend tuning: measuring a blend
 * ranks every slot, so at Last.fm's size (about 1,900 sampled listeners) this is a few blends a step.
 */
const TUNING_STEP_SLOTS = 1_000_000;
/**
 * Listener-kNN holds the positive matrix by listener and by item: 16 bytes per interaction, 32 MB at this
 * bound, a quarter of a Worker's memory. Above it the blend does without listener-kNN.
 */
const LISTENER_KNN_MAX_INTERACTIONS = 2_000_000;
/** An ALS half-sweep is cut into blocks of about this many interactions, each one step of bounded memory. */
const ALS_BLOCK_INTERACTIONS = 1_000_000;
/**
 * Items per step of a neighbour phase, and rows per block of its table; listeners per step of a phase that
 * scores listeners. A step is a tenth to a quarter of a second of CPU at Last.fm's size and pauses inside
 * (PAUSE_WORK): these bound where a slice may stop and save, not how long the runtime is held.
 */
const TABLE_BLOCK = 500;
/**
 * Content neighbours are found exactly while that costs at most this many multiply-adds in all (see
 * exactNeighbourWork; about 2 s of CPU, spread over the phase's steps), and approximately above it, in
 * buckets (ContentBuckets, work linear in the items). Below the bound exact is affordable and loses
 * nothing (the approximation finds about 94% of the exact top 10 on random data), and the figures measured
 * on it stand: the demo's 6,104 tracks cost about 300,000,000 and Last.fm's 17,632 tagged artists
 * 37,000,000. The 8 dense audio features alone reach the bound near 16,000 items.
 */
const EXACT_CONTENT_WORK = 2_000_000_000;
const LISTENER_BLOCK = 100;
/**
 * Work between two pauses inside a step (see Pacer; about 4 ms of CPU here): the edge, which shares the
 * runtime locally, waits no longer than that for a step, and a pause (a 3 ms timer) every 4 ms of work
 * is what serving costs the training.
 */
const PAUSE_WORK = 4_000_000;
/**
 * Arrays read from or written to the store between two pauses. Locally R2 is simulated inside the runtime
 * the edge shares, and a run of store calls held it much as computing does: at the start of each slice
 * that read its phase's 230 arrays (the neighbour tables' blocks), a timer in the retrainer fired 300 to
 * 500 ms late.
 */
const ARRAYS_BETWEEN_PAUSES = 4;
const FACTOR_SIDES = ["listener", "item"] as const;
/** The array that holds one side of a trainer's ALS factors: `validation.` ones for tuning, `` for the model. */
const factorArray = (prefix: string, side: (typeof FACTOR_SIDES)[number]) => `${prefix}factors.${side}`;
const SERVING_NEEDS = ["signed.", "factors.", "itemKnn.", "content.", "contentVectors.", "exposure.mass"];

/** Leaves ALS factors in a new trainer's store for it to refine (see TrainOptions.warmStart). */
export async function storeWarmStart(store: TrainerStore, factors: Factors): Promise<void> {
  for (const side of FACTOR_SIDES) await store.put(factorArray("", side), factors[side]);
}

/**
 * Step-wise training, so a worker can spread it over several invocations: `step()` does one bounded chunk
 * of work (a block of items or listeners, or a block of an ALS half-sweep). Every piece of state is a named
 * typed array, and each phase names the arrays it needs: run through `advance(store, steps)`, a trainer
 * holds only those in memory, which at 5,000,000 interactions is what keeps a job inside a Worker's 128 MB.
 * A step is sliced work (see Sliced): `advance` hands the runtime back every few milliseconds within it.
 *
 * Phases: preparing the matrices (signed confidences, a validation split, samples of listeners); content
 * neighbours; unless a blend is given, item-kNN and ALS on the validation split, candidate scoring and blend
 * tuning; then item-kNN and ALS on all the data (refining the validation factors, or a warm start's) and the
 * exposure counts the blend damps by.
 */
export class Trainer {
  private readonly options: ResolvedOptions;
  private readonly shape: TrainerShape;
  private readonly phases: Phase[];
  private phase: number;
  private cursor: number;
  private blend: Blend | undefined;
  private input: TrainingData | undefined;
  private readonly arrays: Record<string, StateArray>;
  private readonly stored: Set<string>;
  private readonly dirty = new Set<string>();
  private readonly deleted = new Set<string>();
  /** Sizes of the arrays this trainer object wrote to the store. */
  private readonly storedBytes = new Map<string, number>();
  /** Structures built from resident arrays; dropped whenever arrays leave or arrive. */
  private derived = new Map<string, unknown>();

  /** `input` is needed until the first step (preparation) has run; `state` resumes a trainer. */
  constructor(input: TrainingData | undefined, options: TrainOptions = {}, state?: TrainerState | TrainerSnapshot) {
    this.options = resolveOptions(options);
    this.input = input;
    this.phase = state?.phase ?? 0;
    this.cursor = state?.cursor ?? 0;
    this.blend = state?.blend ?? this.options.blend;
    this.arrays = { ...(state && "arrays" in state ? state.arrays : {}) };
    this.stored = new Set(
      state?.stored ?? (this.options.warmStart ? FACTOR_SIDES.map((side) => factorArray("", side)) : []),
    );
    if (!state && !input) throw new Error("a new trainer needs its training data");
    this.shape = state?.shape ?? {
      ...shapeOf(input!),
      warmStart: this.options.warmStart ?? false,
      tunesBlend: !this.options.blend,
    };
    this.phases = this.planPhases();
  }

  step(): TrainingProgress {
    return finish(this.slicedStep());
  }

  private *slicedStep(): Sliced<TrainingProgress> {
    const phase = this.phases[this.phase];
    if (phase) {
      const missing = this.resolve(phase.needs).filter((name) => !this.arrays[name]);
      if (missing.length > 0) throw new Error(`${phase.name} needs ${missing.join(", ")} in memory`);
      const to = Math.min(phase.units, this.cursor + phase.chunk);
      const ended = (yield* phase.run(this.cursor, to)) === true;
      for (const name of this.resolve(phase.writes)) if (this.arrays[name]) this.dirty.add(name);
      this.cursor = ended ? phase.units : to;
      if (this.cursor >= phase.units) {
        this.phase++;
        this.cursor = 0;
      }
    }
    return this.progress();
  }

  /**
   * Runs up to `steps` steps with what each needs in memory, awaiting `yieldBetween` between two and at the
   * pauses inside each (a runtime shared with other work serves it then): arrays a phase has finished with
   * go to the store (unless all fit in options.residentBytes), the next phase's come from it. What changed is stored
   * before this returns, so the state then resumes the trainer in another invocation. Once training has
   * finished, the model's arrays are left in memory for `outcome()`.
   */
  async advance(store: TrainerStore, steps: number, yieldBetween?: () => Promise<void>): Promise<TrainingProgress> {
    for (let n = 0; n < steps && !this.progress().finished; n++) {
      if (n > 0) await yieldBetween?.();
      await this.page(store, yieldBetween);
      await finishYielding(this.slicedStep(), yieldBetween);
    }
    if (this.progress().finished) await this.page(store, yieldBetween);
    else await this.persist(store, yieldBetween);
    return this.progress();
  }

  /**
   * Writes whatever the store lacks of the arrays in memory. `advance` does so before it returns unless
   * training has finished, when the model's arrays stay in memory only: this lets other invocations
   * resume a finished trainer (from `state()`) to serve from them. Awaits `yieldBetween` every few arrays.
   */
  async persist(store: TrainerStore, yieldBetween?: () => Promise<void>): Promise<void> {
    const pause = storePauses(yieldBetween);
    for (const name of [...this.dirty]) {
      await this.write(store, name);
      await pause();
    }
    await this.deleteRemoved(store);
  }

  progress(): TrainingProgress {
    const phase = this.phases[this.phase];
    return phase
      ? { phase: phase.name, done: this.cursor, total: phase.units, finished: false }
      : { phase: "finished", done: 0, total: 0, finished: true };
  }

  /** Resumes this trainer from its store; valid once `advance` has returned. */
  state(): TrainerState {
    return { phase: this.phase, cursor: this.cursor, blend: this.blend, shape: this.shape, stored: [...this.stored] };
  }

  /** Everything, for a trainer that keeps all in memory; live arrays, not copies. */
  snapshot(): TrainerSnapshot {
    return { ...this.state(), arrays: { ...this.arrays } };
  }

  /** Deletes every array of this trainer from the store. */
  async discard(store: TrainerStore): Promise<void> {
    for (const name of this.stored) await store.delete(name);
    this.stored.clear();
  }

  outcome(): TrainingOutcome {
    if (!this.progress().finished) throw new Error("training has not finished");
    return {
      parts: this.parts(""),
      blend: this.blend!,
      exposure: this.arrays["exposure.mass"] as Float64Array,
      rows: this.rows(""),
      contentVectors: this.matrix("contentVectors."),
      options: this.options,
    };
  }

  private planPhases(): Phase[] {
    const { items, listeners, withTaggers, withListenerKnn } = this.shape;
    const o = this.options;
    const tuning = this.shape.tunesBlend;
    const alsBlocks = Math.max(1, Math.ceil(this.shape.interactions / ALS_BLOCK_INTERACTIONS));
    const alsUnits = 2 * o.alsIterations * alsBlocks;
    // Tuning leaves the validation factors, from which the ALS on all the data starts.
    const finalAlsUnits = 2 * (tuning || this.shape.warmStart ? o.alsRefineIterations : o.alsIterations) * alsBlocks;
    const validationContent = withTaggers ? "validation.content." : "content.";
    const listenerMatrix = (prefix: string) => (withListenerKnn ? [`${prefix}signed.`] : []);
    // The plan depends on the shape and options only, so a restored trainer finds its phase at the same index.
    const phases: Phase[] = [
      {
        name: "preparation",
        units: 1,
        chunk: 1,
        needs: [],
        writes: ["signed.", "contentVectors.", "validation.", "exposure.sample."],
        run: () => this.prepare(),
      },
      {
        name: "content neighbours",
        units: items,
        chunk: TABLE_BLOCK,
        needs: ["contentVectors."],
        writes: ["content."],
        run: (from, to) => this.contentNeighbours("", from, to),
      },
    ];
    if (tuning) {
      if (withTaggers) {
        phases.push({
          name: "validation content neighbours",
          units: items,
          chunk: TABLE_BLOCK,
          needs: ["validation.contentVectors."],
          writes: ["validation.content."],
          run: (from, to) => this.contentNeighbours("validation.", from, to),
        });
      }
      phases.push(
        {
          name: "validation item-kNN",
          units: items,
          chunk: TABLE_BLOCK,
          needs: ["validation.signed."],
          writes: ["validation.itemKnn."],
          run: (from, to) => this.itemKnn("validation.", from, to),
        },
        {
          name: "validation ALS",
          units: alsUnits,
          chunk: 1,
          needs: ["validation.signed.", "validation.factors."],
          writes: ["validation.factors."],
          run: (unit) => this.alsBlock("validation.", unit, alsBlocks),
        },
        {
          name: "validation candidates",
          units: Math.min(listeners, o.sampleListeners),
          chunk: LISTENER_BLOCK,
          needs: [
            "validation.sample.",
            "validation.factors.",
            "validation.itemKnn.",
            validationContent,
            "candidates.",
            ...listenerMatrix("validation."),
          ],
          writes: ["candidates."],
          run: (from, to) => this.gatherCandidates(from, to),
        },
        {
          // A unit is a blend measured; the search ends when it has found its blend, well before the bound.
          name: "blend tuning",
          units: BlendTuning.MAX_MEASUREMENTS,
          chunk: Math.max(
            1,
            Math.floor(TUNING_STEP_SLOTS / (Math.min(listeners, o.sampleListeners) * CANDIDATE_WIDTH)),
          ),
          needs: ["candidates.", "validation.relevant.", "validation.factors.", "tuning."],
          writes: ["tuning.", "factors."],
          run: (from, to) => this.tune(to - from),
        },
      );
    }
    phases.push(
      {
        name: "item-kNN",
        units: items,
        chunk: TABLE_BLOCK,
        needs: ["signed."],
        writes: ["itemKnn."],
        run: (from, to) => this.itemKnn("", from, to),
      },
      {
        name: "ALS",
        units: finalAlsUnits,
        chunk: 1,
        needs: ["signed.", "factors."],
        writes: ["factors."],
        run: (unit) => this.alsBlock("", unit, alsBlocks),
      },
      {
        name: "exposure",
        units: Math.min(listeners, o.sampleListeners),
        chunk: LISTENER_BLOCK,
        needs: ["exposure.", "factors.", "itemKnn.", "content.", ...listenerMatrix("")],
        writes: ["exposure.mass"],
        run: (from, to) => this.countExposure(from, to),
      },
    );
    return phases;
  }

  /**
   * The matrices every later phase works from, and the seeded samples of listeners. Validation holds out
   * a share of each listener's items, as the offline protocol does; its split is drawn from a seed of its
   * own, so it never coincides with the protocol's.
   */
  private *prepare(): Sliced<void> {
    const input = this.input;
    if (!input) throw new Error("preparation needs the training data");
    const signed = signedConfidence(evidenceMatrix(input));
    const content = input.itemContent ?? input.items.map(() => undefined);
    // The raw evidence is not needed again: at 5,000,000 interactions its values alone are 20 MB.
    this.input = undefined;
    this.shape.catalogSize = listenerCounts(signed).filter((n) => n > 0).length;
    this.storeMatrix("signed.", signed);
    yield;
    this.storeMatrix("contentVectors.", yield* contentVectorsInSlices(content));
    yield;
    this.storeSample("exposure.", signed, this.sampledListeners(hasPositive(signed)));
    if (this.shape.tunesBlend) {
      yield;
      const split = splitEvidence(signed, { seed: this.options.seed ^ 0x5eed });
      yield;
      const listeners = this.sampledListeners((l) => split.heldOut[l]!.length > 0);
      this.storeMatrix("validation.signed.", split.train);
      this.storeSample("validation.", split.train, listeners);
      const relevant = packLists(listeners.map((l) => split.heldOut[l]!));
      this.arrays["validation.relevant.indptr"] = relevant.indptr;
      this.arrays["validation.relevant.indices"] = relevant.indices;
      if (this.shape.withTaggers) {
        // A set per listener is several times the lists' memory, so only data with listeners' tags pays for it.
        yield;
        const heldOut = split.heldOut.map((items) => new Set(items));
        const isHidden = (listener: number, item: number) => heldOut[listener]?.has(item) ?? false;
        this.storeMatrix("validation.contentVectors.", yield* contentVectorsInSlices(content, isHidden));
      }
    }
  }

  private *contentNeighbours(prefix: string, from: number, to: number): Sliced<void> {
    // Scoring holds this table beside item-kNN's, so it gets a third of the bound: content is the weaker part.
    const k = this.tableWidth(this.options.contentNeighbours, this.options.maxNeighbourEntries / 3);
    const vectors = this.matrix(`${prefix}contentVectors.`);
    let rows: Scored[][];
    if (exactNeighbourWork(vectors) <= EXACT_CONTENT_WORK) {
      const byDimension = yield* this.built(`byDimension:${prefix}`, () => transpose(vectors));
      rows = yield* contentNeighbourRows(vectors, byDimension, k, from, to, PAUSE_WORK);
    } else {
      const buckets = yield* this.builtInSlices(`buckets:${prefix}`, () =>
        ContentBuckets.build(vectors, bucketOptions(vectors.rows, this.options.seed)),
      );
      rows = yield* buckets.neighbourRows(k, from, to, PAUSE_WORK);
    }
    this.appendRows(`${prefix}content.`, k, from, rows);
  }

  private *itemKnn(prefix: string, from: number, to: number): Sliced<void> {
    const k = this.tableWidth(this.options.itemNeighbours, this.options.maxNeighbourEntries);
    // Measured on Last.fm: asymmetry 0.7 and a mild popularity penalty beat plain cosine (0.217 vs 0.213
    // NDCG@10 alone at 300 neighbours) with more reach; shrinkage cost reach.
    const options = { neighbours: k, asymmetry: 0.7, popularityPenalty: 0.15 };
    const inputs = yield* this.built<KnnInputs>(`knn:${prefix}`, () => knnInputs(this.rows(prefix).positive));
    const rows = yield* knnNeighbourRows(inputs, options, from, to, PAUSE_WORK);
    this.appendRows(`${prefix}itemKnn.`, k, from, rows);
  }

  /**
   * Unit u of ALS: block u % blocks of half-sweep u / blocks (listeners on even half-sweeps, items on odd),
   * in runs of rows of about PAUSE_WORK each (rows are solved independently, so the runs change nothing).
   */
  private *alsBlock(prefix: string, unit: number, blocks: number): Sliced<void> {
    const o = this.options;
    const f = o.factors;
    const factors = this.factors(prefix);
    const sweep = Math.floor(unit / blocks),
      block = unit % blocks;
    const [solved, fixed] = sweep % 2 === 0 ? [factors.listener, factors.item] : [factors.item, factors.listener];
    const rows = solved.length / f;
    const from = Math.floor((block * rows) / blocks),
      to = Math.floor(((block + 1) * rows) / blocks);
    // The fixed side does not change during a half-sweep, so its Gram matrix serves all its blocks.
    const gram = yield* this.builtInSlices(`gram:${prefix}:${sweep}`, () =>
      gramianInSlices(fixed, f, o.regularization),
    );
    const signed = this.matrix(`${prefix}signed.`);
    const byListener = sweep % 2 === 0;
    const matrix = byListener ? signed : columnBlock(signed, from, to);
    if (!byListener) yield;
    const target = byListener ? solved : solved.subarray(from * f, to * f);
    const [first, last] = byListener ? [from, to] : [0, to - from];
    // A row's residual and conjugate-gradient steps: each about its entries x 2f and f x f multiply-adds.
    const rowWork = (row: number) =>
      ((matrix.indptr[row + 1]! - matrix.indptr[row]!) * 2 * f + f * f) * (alsOptions(o).cgSteps + 1);
    for (let start = first; start < last;) {
      let end = start;
      for (let work = 0; end < last && work < PAUSE_WORK; end++) work += rowWork(end);
      solveRows(target, fixed, gram, matrix, alsOptions(o), start, end);
      start = end;
      if (start < last) yield;
    }
  }

  private *gatherCandidates(from: number, to: number): Sliced<void> {
    const width = CANDIDATE_WIDTH;
    const c = COMPONENTS.length;
    const { listeners, rows } = this.sample("validation.");
    const items = (this.arrays["candidates.items"] ??= new Int32Array(listeners.length * width).fill(-1)) as Int32Array;
    const scores = (this.arrays["candidates.scores"] ??= new Float32Array(
      listeners.length * width * c,
    )) as Float32Array;
    const parts = yield* this.builtParts("validation.");
    const components = new ComponentScores(this.shape.items);
    const heap = new TopKHeap(CANDIDATES_PER_COMPONENT);
    const seen = new Uint8Array(this.shape.items);
    const pacer = new Pacer(PAUSE_WORK);
    for (let n = from; n < Math.min(to, listeners.length); n++) {
      if (n > from && pacer.due(this.listenerScoringWork())) yield;
      rows.markSeen(n, seen, 1);
      components.score(parts, this.options, rows.profileOf(n), listeners[n]!, seen);
      const chosen = new Set<number>();
      // Scaling to unit max keeps the order, so each component's best are found on its raw scores.
      for (const scoresOfComponent of components.raw) {
        let floor = 0;
        for (let j = 0; j < this.shape.items; j++) {
          if (scoresOfComponent[j]! > floor && seen[j] === 0) {
            heap.push(j, scoresOfComponent[j]!);
            floor = Math.max(0, heap.floor());
          }
        }
        heap.takeEach((item) => chosen.add(item));
      }
      rows.markSeen(n, seen, 0);
      // In item order, so measuring a blend can skip what cannot enter a top list (see TopKHeap.floor).
      [...chosen]
        .sort((a, b) => a - b)
        .forEach((item, s) => {
          const slot = n * width + s;
          items[slot] = item;
          for (let m = 0; m < c; m++) scores[slot * c + m] = components.scaled(m, item);
        });
    }
  }

  /**
   * Measures up to `budget` blends of the search, which resumes from the answers kept in `tuning.measured`;
   * once it has found its blend, the validation arrays go and the factors stay for the ALS on all the data.
   */
  private *tune(budget: number): Sliced<boolean> {
    const items = this.arrays["candidates.items"] as Int32Array;
    const candidates: CandidateSet = {
      listeners: items.length / CANDIDATE_WIDTH,
      width: CANDIDATE_WIDTH,
      items,
      scores: this.arrays["candidates.scores"] as Float32Array,
    };
    const relevant = unpackLists(
      this.arrays["validation.relevant.indptr"] as Int32Array,
      this.arrays["validation.relevant.indices"] as Int32Array,
    ).map((items) => new Set(items));
    const available = Object.fromEntries(
      COMPONENTS.map((name) => [
        name,
        (name !== "content" || this.shape.withContent) && (name !== "listenerKnn" || this.shape.withListenerKnn),
      ]),
    ) as Record<Component, boolean>;
    const tuning = new BlendTuning(this.options.minCoverage, available, this.arrays["tuning.measured"] ?? []);
    const measure = blendMeasure(candidates, relevant, this.shape.items, this.shape.catalogSize, 10, PAUSE_WORK);
    const tuned = yield* tuning.advance(measure, budget);
    this.arrays["tuning.measured"] = tuning.measured;
    if (!tuned) return false;
    this.blend = tuned.blend;
    for (const side of FACTOR_SIDES)
      this.arrays[factorArray("", side)] = this.arrays[factorArray("validation.", side)]!;
    for (const name of [...Object.keys(this.arrays), ...this.stored])
      if (name.startsWith("validation.") || name.startsWith("candidates.") || name.startsWith("tuning."))
        this.remove(name);
    return true;
  }

  private *countExposure(from: number, to: number): Sliced<void> {
    const { listeners, rows } = this.sample("exposure.");
    const itemCount = this.shape.items;
    const exposure = (this.arrays["exposure.mass"] ??= new Float64Array(itemCount)) as Float64Array;
    const parts = yield* this.builtParts("");
    const components = new ComponentScores(itemCount);
    const weights = COMPONENTS.map((name) => this.blend!.weights[name]);
    const heap = new TopKHeap(EXPOSURE_LIST);
    const seen = new Uint8Array(itemCount);
    const pacer = new Pacer(PAUSE_WORK);
    for (let n = from; n < Math.min(to, listeners.length); n++) {
      if (n > from && pacer.due(this.listenerScoringWork())) yield;
      rows.markSeen(n, seen, 1);
      components.score(parts, this.options, rows.profileOf(n), listeners[n]!, seen);
      components.pushBlended(weights, seen, undefined, heap);
      heap.takeEach((item, score) => (exposure[item]! += score));
      rows.markSeen(n, seen, 0);
    }
  }

  /** Neighbours per item, narrowed on large catalogues so a table stays within `maxEntries`. */
  private tableWidth(k: number, maxEntries: number): number {
    return Math.max(1, Math.min(k, Math.floor(maxEntries / Math.max(this.shape.items, 1))));
  }

  /** The blocks of a neighbour table built so far, each a step's rows under `${prefix}${first row}.`. */
  private table(prefix: string): NeighbourTable {
    return this.cached(`table:${prefix}`, () => {
      const blocks: NeighbourTable["blocks"] = [];
      const pattern = new RegExp(`^${prefix.replaceAll(".", "\\.")}(\\d+)\\.offsets$`);
      for (const name of Object.keys(this.arrays)) {
        const first = pattern.exec(name)?.[1];
        if (first === undefined) continue;
        const block = `${prefix}${first}.`;
        blocks[Number(first) / TABLE_BLOCK] = {
          offsets: this.arrays[`${block}offsets`] as Int32Array,
          items: this.arrays[`${block}items`] as Int32Array,
          scores: this.arrays[`${block}scores`] as Float32Array,
        };
      }
      return { blockRows: TABLE_BLOCK, blocks };
    });
  }

  private appendRows(prefix: string, k: number, from: number, rows: Scored[][]): void {
    const { offsets, items, scores } = neighbourBlock(rows, k);
    Object.assign(this.arrays, {
      [`${prefix}${from}.offsets`]: offsets,
      [`${prefix}${from}.items`]: items,
      [`${prefix}${from}.scores`]: scores,
    });
    this.derived.delete(`table:${prefix}`);
  }

  private storeMatrix(prefix: string, m: CsrMatrix): void {
    Object.assign(this.arrays, {
      [`${prefix}shape`]: Int32Array.of(m.rows, m.cols),
      [`${prefix}indptr`]: m.indptr,
      [`${prefix}indices`]: m.indices,
      [`${prefix}values`]: m.values,
    });
  }

  private matrix(prefix: string): CsrMatrix {
    const shape = this.arrays[`${prefix}shape`] as Int32Array;
    return {
      rows: shape[0]!,
      cols: shape[1]!,
      indptr: this.arrays[`${prefix}indptr`] as Int32Array,
      indices: this.arrays[`${prefix}indices`] as Int32Array,
      values: this.arrays[`${prefix}values`] as Float32Array,
    };
  }

  private storeSample(prefix: string, signed: CsrMatrix, listeners: number[]): void {
    this.arrays[`${prefix}sample.listeners`] = Int32Array.from(listeners);
    this.storeMatrix(`${prefix}sample.`, selectRows(signed, listeners));
  }

  /** Sampled listeners and their rows, row n belonging to listeners[n]. */
  private sample(prefix: string) {
    return this.cached(`sample:${prefix}`, () => ({
      listeners: this.arrays[`${prefix}sample.listeners`] as Int32Array,
      rows: new ListenerRows(this.matrix(`${prefix}sample.`)),
    }));
  }

  private rows(prefix: string): ListenerRows {
    return this.cached(`rows:${prefix}`, () => new ListenerRows(this.matrix(`${prefix}signed.`)));
  }

  private factors(prefix: string) {
    if (!this.arrays[factorArray(prefix, "listener")]) {
      const initial = initialFactors(this.shape.listeners, this.shape.items, this.options.factors, this.options.seed);
      for (const side of FACTOR_SIDES) this.arrays[factorArray(prefix, side)] = initial[side];
    }
    return {
      listener: this.arrays[factorArray(prefix, "listener")] as Float32Array,
      item: this.arrays[factorArray(prefix, "item")] as Float32Array,
    };
  }

  private parts(prefix: string): ModelParts {
    const factors = this.factors(prefix);
    const content = `${prefix && this.shape.withTaggers ? prefix : ""}content.`;
    let itemGram: Float64Array | undefined;
    let itemDots: ReturnType<Kernels["rowDots"]> | undefined;
    return {
      itemKnn: this.table(`${prefix}itemKnn.`),
      content: this.table(content),
      factors,
      itemGram: () => (itemGram ??= gramian(factors.item, this.options.factors, this.options.regularization)),
      itemDots: () => (itemDots ??= kernels().rowDots(factors.item, this.options.factors)),
      listenerKnn: this.shape.withListenerKnn
        ? this.cached(`listenerKnn:${prefix}`, () => this.listenerKnn(prefix))
        : undefined,
    };
  }

  /** `parts`, pausing after building what they need first (listener-kNN's index). */
  private *builtParts(prefix: string): Sliced<ModelParts> {
    if (this.shape.withListenerKnn) yield* this.built(`listenerKnn:${prefix}`, () => this.listenerKnn(prefix));
    return this.parts(prefix);
  }

  private listenerKnn(prefix: string): ListenerKnn {
    const positive = this.rows(prefix).positive;
    return new ListenerKnn(positive, transpose(positive), this.options.listenerNeighbours);
  }

  /** The work of scoring one listener with every component (Pacer's units; measured, about 40 an item). */
  private listenerScoringWork(): number {
    return this.shape.items * 40;
  }

  /** A seeded sample of at most `sampleListeners` eligible listeners, in index order. */
  private sampledListeners(eligible: (listener: number) => boolean): number[] {
    const pool = Array.from({ length: this.shape.listeners }, (_, l) => l).filter(eligible);
    const random = seededRandom(this.options.seed);
    for (let n = pool.length - 1; n > 0; n--) {
      const m = Math.floor(random() * (n + 1));
      [pool[n], pool[m]] = [pool[m]!, pool[n]!];
    }
    return pool.slice(0, this.options.sampleListeners).sort((a, b) => a - b);
  }

  private cached<T>(key: string, build: () => T): T {
    if (!this.derived.has(key)) this.derived.set(key, build());
    return this.derived.get(key) as T;
  }

  /** `cached`, pausing after a build: what a phase builds first is a stretch of work of its own. */
  private *built<T>(key: string, build: () => T): Sliced<T> {
    return yield* this.builtInSlices(key, function* () {
      return build();
    });
  }

  /** `built`, for a build that pauses itself. */
  private *builtInSlices<T>(key: string, build: () => Sliced<T>): Sliced<T> {
    if (!this.derived.has(key)) {
      this.derived.set(key, yield* build());
      yield;
    }
    return this.derived.get(key) as T;
  }

  /** Names of known arrays (in memory or stored) that match names or prefixes ending in ".". */
  private resolve(patterns: string[]): string[] {
    const names = new Set([...Object.keys(this.arrays), ...this.stored]);
    return [...names].filter((name) => patterns.some((p) => name === p || (p.endsWith(".") && name.startsWith(p))));
  }

  private remove(name: string): void {
    delete this.arrays[name];
    this.dirty.delete(name);
    if (this.stored.has(name)) this.deleted.add(name);
    this.derived.clear();
  }

  /**
   * Brings in what the current phase needs. What it does not need goes to the store, unless everything in
   * memory and everything to bring in fit in options.residentBytes: then small data trains without a
   * round trip to the store. Once training has finished, memory holds the model's arrays only. Awaits
   * `yieldBetween` every few arrays.
   */
  private async page(store: TrainerStore, yieldBetween?: () => Promise<void>): Promise<void> {
    const pause = storePauses(yieldBetween);
    const phase = this.phases[this.phase];
    const needed = new Set(this.resolve(phase?.needs ?? SERVING_NEEDS));
    const missing = [...needed].filter((name) => !this.arrays[name]);
    // The size of an array stored by an earlier invocation is not known until it is read.
    const incoming = missing.reduce((sum, name) => sum + (this.storedBytes.get(name) ?? Infinity), 0);
    const resident = Object.values(this.arrays).reduce((sum, array) => sum + array.byteLength, 0);
    const evicting = !phase || resident + incoming > this.options.residentBytes;
    let changed = false;
    for (const name of evicting ? Object.keys(this.arrays) : []) {
      if (needed.has(name)) continue;
      if (phase && this.dirty.has(name)) {
        await this.write(store, name);
        await pause();
      }
      this.dirty.delete(name);
      delete this.arrays[name];
      changed = true;
    }
    for (const name of missing) {
      const array = await store.get(name);
      if (!array) throw new Error(`trainer array ${name} is missing from the store`);
      this.arrays[name] = array;
      changed = true;
      await pause();
    }
    if (changed) this.derived = new Map();
    await this.deleteRemoved(store);
  }

  private async write(store: TrainerStore, name: string): Promise<void> {
    await store.put(name, this.arrays[name]!);
    this.storedBytes.set(name, this.arrays[name]!.byteLength);
    this.stored.add(name);
    this.dirty.delete(name);
  }

  private async deleteRemoved(store: TrainerStore): Promise<void> {
    for (const name of this.deleted) {
      await store.delete(name);
      this.stored.delete(name);
    }
    this.deleted.clear();
  }
}

/** A pause every ARRAYS_BETWEEN_PAUSES store calls, when there is a runtime to hand back. */
function storePauses(yieldBetween?: () => Promise<void>): () => Promise<void> | undefined {
  return yieldBetween ? pauseEvery(ARRAYS_BETWEEN_PAUSES, yieldBetween) : () => undefined;
}

function shapeOf(data: TrainingData): Omit<TrainerShape, "warmStart" | "tunesBlend"> {
  const content = data.itemContent ?? [];
  const interactions = interactionCount(data);
  return {
    listeners: data.listeners.length,
    items: data.items.length,
    interactions,
    withContent: content.some((c) => (c?.tags?.length ?? 0) > 0 || (c?.features?.length ?? 0) > 0),
    withTaggers: content.some((c) => c?.taggedBy?.some((l) => l >= 0)),
    withListenerKnn: interactions <= LISTENER_KNN_MAX_INTERACTIONS,
    catalogSize: 0,
  };
}

function hasPositive(signed: CsrMatrix): (listener: number) => boolean {
  return (l) => {
    for (let p = signed.indptr[l]!; p < signed.indptr[l + 1]!; p++) if (signed.values[p]! > 0) return true;
    return false;
  };
}
