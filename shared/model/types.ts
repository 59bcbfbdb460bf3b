import type { CsrMatrix } from "./sparse";

/** One (listener, item) observation; weight is signed evidence: > 0 liked with that strength, < 0 rejected. */
export interface Interaction {
  listener: number;
  item: number;
  weight: number;
}

/** Column form of interactions, for data sets too large to hold as one object per row (5M rows ~ 60 MB instead of ~400 MB). */
export interface InteractionColumns {
  listener: Int32Array;
  item: Int32Array;
  weight: Float32Array;
}

/** Item metadata for the content part: numeric audio features and/or tags (a repeated tag counts more). */
export interface ItemContent {
  features?: number[];
  tags?: string[];
  /**
   * For tags applied by listeners: the listener index behind tags[n] (-1 for editorial tags). Training
   * drops a listener's tags on the items held out from them for validation, since those tags would reveal
   * the held-out listening and make content look better than it is.
   */
  taggedBy?: number[];
}

export interface TrainingData {
  listeners: string[];
  items: string[];
  /** Rows, columns, or an evidence matrix already summed per pair (listener x item, as evidenceMatrix builds). */
  interactions: Interaction[] | InteractionColumns | CsrMatrix;
  itemContent?: (ItemContent | undefined)[];
}

export interface Scored {
  item: number;
  score: number;
}
