import type { ItemContent, TrainingData } from "../model/types";

/** Interactions keyed by external ids, as parsed from any interaction file. */
export interface KeyedInteraction {
  listener: string;
  item: string;
  weight: number;
}

/** Indexes external ids in order of first appearance; the model works on those indices. */
export function toTrainingData(rows: readonly KeyedInteraction[]): TrainingData {
  const listenerIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const indexOf = (index: Map<string, number>, key: string) => {
    let i = index.get(key);
    if (i === undefined) index.set(key, (i = index.size));
    return i;
  };
  const interactions = rows.map((row) => ({
    listener: indexOf(listenerIndex, row.listener),
    item: indexOf(itemIndex, row.item),
    weight: row.weight,
  }));
  return { listeners: [...listenerIndex.keys()], items: [...itemIndex.keys()], interactions };
}

/** A tag applied by a listener to an item, with the tag's text. */
export interface KeyedTagging {
  listener: string;
  item: string;
  tag: string;
}

/**
 * Item content from listener taggings: each item's tags, repeated once per listener who applied them, with
 * the tagging listener's index (so training can hide tags of validation pairs; -1 when not a listener of
 * the data). `isHidden` drops taggings that must not be seen at all, e.g. of pairs held out for
 * evaluation, whose tags would leak the held-out listening.
 */
export function tagContent(
  data: Pick<TrainingData, "listeners" | "items">,
  taggings: readonly KeyedTagging[],
  isHidden: (listener: string, item: string) => boolean = () => false,
): (ItemContent | undefined)[] {
  const itemPosition = new Map(data.items.map((item, i) => [item, i]));
  const listenerPosition = new Map(data.listeners.map((listener, l) => [listener, l]));
  const content: (ItemContent | undefined)[] = data.items.map(() => undefined);
  for (const t of taggings) {
    const i = itemPosition.get(t.item);
    if (i === undefined || isHidden(t.listener, t.item)) continue;
    const entry = (content[i] ??= { tags: [], taggedBy: [] });
    entry.tags!.push(t.tag.toLowerCase().trim());
    entry.taggedBy!.push(listenerPosition.get(t.listener) ?? -1);
  }
  return content;
}
