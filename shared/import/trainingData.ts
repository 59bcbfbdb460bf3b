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
 * Item content from listener taggings: each item's tags, repeated once per listener who applied them.
 * `isHidden` drops taggings that must not be seen, e.g. of pairs held out for evaluation, whose tags would
 * leak the held-out listening.
 */
export function tagContent(
  items: readonly string[],
  taggings: readonly KeyedTagging[],
  isHidden: (listener: string, item: string) => boolean = () => false,
): (ItemContent | undefined)[] {
  const position = new Map(items.map((item, i) => [item, i]));
  const content: (ItemContent | undefined)[] = items.map(() => undefined);
  for (const t of taggings) {
    const i = position.get(t.item);
    if (i === undefined || isHidden(t.listener, t.item)) continue;
    (content[i] ??= { tags: [] }).tags!.push(t.tag.toLowerCase().trim());
  }
  return content;
}
