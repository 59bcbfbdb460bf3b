/** Shared members over all members of two sets (1 when they are equal, 0 when disjoint). */
export function jaccard<T>(a: Set<T>, b: Set<T>): number {
  let shared = 0;
  for (const member of a) if (b.has(member)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}
