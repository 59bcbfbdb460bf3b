/**
 * Items cut into groups in order, each of at most `count` items and `size` in total by `sizeOf` (an item
 * larger than `size` goes alone): for batches within a platform's limits.
 */
export function cutIntoGroups<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  count: number,
  size = Infinity,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (current.length >= count || total + itemSize > size)) {
      groups.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += itemSize;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
