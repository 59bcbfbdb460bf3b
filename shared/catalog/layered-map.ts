/**
 * Several maps read as one, the first that has a key answering for it, and none of them copied. A request
 * sees the version's browse set (held by the isolate, thousands of tracks) together with the few rows it
 * read for itself, without building a map of the browse set per request.
 */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  readonly #layers: readonly ReadonlyMap<K, V>[];

  constructor(layers: readonly (ReadonlyMap<K, V> | null | undefined)[]) {
    this.#layers = layers.filter((layer): layer is ReadonlyMap<K, V> => !!layer && layer.size > 0);
  }

  get(key: K): V | undefined {
    for (const layer of this.#layers) {
      const value = layer.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  has(key: K): boolean {
    return this.#layers.some((layer) => layer.has(key));
  }

  get size(): number {
    let size = 0;
    for (const _ of this.keys()) size++;
    return size;
  }

  *entries(): MapIterator<[K, V]> {
    for (const [n, layer] of this.#layers.entries()) {
      const above = this.#layers.slice(0, n);
      for (const entry of layer) if (!above.some((upper) => upper.has(entry[0]))) yield entry;
    }
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
