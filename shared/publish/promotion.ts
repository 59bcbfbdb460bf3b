/** The offline figures a version is judged by, measured on a holdout of its own training data. */
export interface HoldoutMetrics {
  listeners: number;
  ndcg: number;
  recall: number;
  coverage: number;
}

/** One listener's figures on a version's holdout, the unit a paired comparison matches up. */
export interface ListenerFigures {
  ndcg: number;
  recall: number;
}

/** What the gate knows of a version: its holdout averages and its evaluated listeners' figures, by pseudonym. */
export interface GateInput {
  version: string;
  holdout: HoldoutMetrics;
  listeners: ReadonlyMap<string, ListenerFigures>;
}

const METRICS = ["ndcg", "recall"] as const;
type Metric = (typeof METRICS)[number];
const LABEL: Record<Metric, string> = { ndcg: "NDCG@10", recall: "Recall@10" };

export interface Gate {
  /**
   * A candidate is kept out only when it is worse than the live version by more than this share of the live
   * version's figure: what retraining nearly the same data moves the paired mean by (`npm run bench:gate`).
   */
  margin: number;
  /** One-sided normal quantile of the bound on the paired mean difference (1.645: 95%). */
  z: number;
  /** Fewer listeners evaluated by both versions make no paired comparison. */
  minPaired: number;
  /** Without one, only a drop beyond this share of the live version's unpaired figure keeps a version out. */
  unpairedTolerance: number;
}

export const PROMOTION_GATE: Gate = { margin: 0.05, z: 1.645, minPaired: 20, unpairedTolerance: 0.1 };

/** Mean of the paired differences (candidate minus live) with its standard error. */
export interface PairedDifference {
  candidate: number;
  live: number;
  difference: number;
  standardError: number;
}

export function pairedDifference(pairs: readonly (readonly [candidate: number, live: number])[]): PairedDifference {
  const n = pairs.length;
  if (n < 2) throw new RangeError(`a paired difference needs 2 pairs or more, got ${n}`);
  let candidate = 0,
    live = 0;
  for (const [c, l] of pairs) [candidate, live] = [candidate + c, live + l];
  [candidate, live] = [candidate / n, live / n];
  const difference = candidate - live;
  let squares = 0;
  for (const [c, l] of pairs) squares += (c - l - difference) ** 2;
  return { candidate, live, difference, standardError: Math.sqrt(squares / (n - 1) / n) };
}

export interface PairedFigure extends PairedDifference {
  /** The difference's one-sided upper confidence bound; below -margin the candidate is clearly worse. */
  upperBound: number;
  margin: number;
}

export interface PromotionDecision {
  promote: boolean;
  reason: string;
  /**
   * What the judgement rests on: the live version's figures on the same listeners, or only its averages;
   * `unjudged`: a model trained elsewhere, with no holdout figures to compare.
   */
  basis: "no live version" | "paired" | "unpaired" | "unjudged";
  /** The live version compared with. */
  live?: string;
  pairedListeners?: number;
  ndcg?: PairedFigure;
  recall?: PairedFigure;
}

/**
 * Judges a fully written candidate against the live version on the listeners both evaluated, listener by
 * listener: each version's holdout is drawn by the same keyed hash (stableHoldoutSplit), so both are judged
 * on nearly the same held-out pairs, and the listener-to-listener spread, which dwarfs any difference between
 * two good models, cancels out. The candidate is kept out only if the upper confidence bound of its mean
 * difference on NDCG or Recall lies below minus the margin: clearly worse, not worse by the draw.
 */
export function promotionDecision(
  candidate: GateInput,
  live: GateInput | null,
  gate: Gate = PROMOTION_GATE,
): PromotionDecision {
  if (!live) return { promote: true, reason: "no live version to compare with", basis: "no live version" };
  const paired = [...candidate.listeners].flatMap(([id, c]) => {
    const l = live.listeners.get(id);
    return l ? [{ c, l }] : [];
  });
  const whatToDo = (promote: boolean) =>
    promote
      ? `POST /admin/models/rollback returns to ${live.version}.`
      : `It is fully written and kept: if the data changed on purpose (an import, a cleanup), ` +
        `POST /admin/models/${candidate.version}/promote puts it live; otherwise look into what the ` +
        `data since ${live.version} holds (GET /admin/models/${candidate.version} has both figures).`;
  if (paired.length < gate.minPaired) return unpairedDecision(candidate, live, paired.length, gate, whatToDo);

  const figures = Object.fromEntries(
    METRICS.map((m) => {
      const d = pairedDifference(paired.map(({ c, l }) => [c[m], l[m]] as const));
      return [m, { ...d, upperBound: d.difference + gate.z * d.standardError, margin: gate.margin * d.live }];
    }),
  ) as Record<Metric, PairedFigure>;
  const worse = METRICS.filter((m) => figures[m].upperBound < -figures[m].margin);
  const describe = (m: Metric) => {
    const f = figures[m];
    const sign = f.difference >= 0 ? "+" : "";
    return (
      `${LABEL[m]} ${f.candidate.toFixed(4)} vs ${f.live.toFixed(4)} ` +
      `(difference ${sign}${f.difference.toFixed(4)} ± ${f.standardError.toFixed(4)} s.e., ` +
      `bound ${f.upperBound.toFixed(4)}, margin -${f.margin.toFixed(4)})`
    );
  };
  const on = `on the ${paired.length} listeners both versions evaluated`;
  const promote = worse.length === 0;
  const reason = promote
    ? `not clearly worse than live version ${live.version} ${on}: ${METRICS.map(describe).join("; ")}. ${whatToDo(true)}`
    : `clearly worse than live version ${live.version} ${on}, beyond the margin of ${pct(gate.margin)}: ` +
      `${worse.map(describe).join("; ")}. ${whatToDo(false)}`;
  return { promote, reason, basis: "paired", live: live.version, pairedListeners: paired.length, ...figures };
}

/** Without enough listeners in common (the live version predates paired figures, or few listeners). */
function unpairedDecision(
  candidate: GateInput,
  live: GateInput,
  pairedListeners: number,
  gate: Gate,
  whatToDo: (promote: boolean) => string,
): PromotionDecision {
  const worse = METRICS.filter((m) => candidate.holdout[m] < live.holdout[m] * (1 - gate.unpairedTolerance));
  const why =
    `only ${pairedListeners} listeners evaluated by both versions (a paired comparison needs ${gate.minPaired}), ` +
    `so the holdout averages were compared`;
  const figures = METRICS.map((m) => `${LABEL[m]} ${candidate.holdout[m].toFixed(4)} vs ${live.holdout[m].toFixed(4)}`);
  const promote = worse.length === 0;
  const reason = promote
    ? `${why}: not worse than live version ${live.version} by more than ${pct(gate.unpairedTolerance)} ` +
      `(${figures.join(", ")}). ${whatToDo(true)}`
    : `${why}: worse than live version ${live.version} by more than ${pct(gate.unpairedTolerance)} ` +
      `(${figures.join(", ")}). ${whatToDo(false)}`;
  return { promote, reason, basis: "unpaired", live: live.version, pairedListeners };
}

const pct = (share: number) => `${Math.round(share * 100)}%`;
