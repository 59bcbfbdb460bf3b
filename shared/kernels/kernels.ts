/**
 * WebAssembly SIMD for the two loops that dominate training and scoring: an ALS listener's score for every
 * item (rowDots) and the Gram matrix times a vector in every conjugate-gradient step (matrixProduct).
 * Workers may not compile WebAssembly at run time, so each runtime hands over the compiled module: the
 * retrainer imports kernels.wasm, Node reads it (./node.ts).
 */
export interface Kernels {
  /**
   * out[j] = rows[j] . vector for each row of `rows` (row-major, `f` a multiple of 4). The rows are copied
   * into WebAssembly memory when first used and whenever another handle used that memory since, so they
   * must not change while the handle is in use.
   */
  rowDots(rows: Float32Array, f: number): (vector: ArrayLike<number>, out: Float32Array) => void;
  /** out = matrix x vector for an f x f row-major `matrix` (`f` even), copied in on the same terms. */
  matrixProduct(matrix: Float64Array, f: number): (vector: Float64Array, out: Float64Array) => void;
}

interface Exports {
  memory: WebAssembly.Memory;
  dotRows(vector: number, rows: number, count: number, f: number, out: number): void;
  matrixTimes(matrix: number, vector: number, f: number, out: number): void;
}

let loaded: Kernels | undefined;

export function useKernels(module: WebAssembly.Module): void {
  loaded ??= wasmKernels(new WebAssembly.Instance(module).exports as unknown as Exports);
}

export function kernels(): Kernels {
  if (!loaded) throw new Error("the WebAssembly kernels are not loaded: call useKernels first");
  return loaded;
}

/** Regions of WebAssembly memory, in this order; each holds what one handle copied in last. */
const REGIONS = ["matrix", "vector", "out", "rows"] as const;
type Region = (typeof REGIONS)[number];

function wasmKernels(wasm: Exports): Kernels {
  const capacity: Record<Region, number> = { matrix: 0, vector: 0, out: 0, rows: 0 };
  const offset: Record<Region, number> = { matrix: 0, vector: 0, out: 0, rows: 0 };
  const owner: Partial<Record<Region, object>> = {};
  /** Changes whenever regions move: views made before then are stale. */
  let layout = 0;
  /** Makes each region at least the bytes asked for; moving them forgets what every region held. */
  const reserve = (bytes: Partial<Record<Region, number>>) => {
    if (REGIONS.every((r) => (bytes[r] ?? 0) <= capacity[r])) return;
    let end = 0;
    for (const r of REGIONS) {
      capacity[r] = Math.max(capacity[r], Math.ceil((bytes[r] ?? 0) / 16) * 16);
      offset[r] = end;
      end += capacity[r];
      delete owner[r];
    }
    const pages = Math.ceil(end / 65536) - wasm.memory.buffer.byteLength / 65536;
    if (pages > 0) wasm.memory.grow(pages);
    layout++;
  };
  /** Views of regions, made again after the regions move. */
  const views = <T>(make: () => T) => {
    let made: T | undefined,
      madeFor = -1;
    return () => {
      if (madeFor !== layout) [made, madeFor] = [make(), layout];
      return made!;
    };
  };
  const f64 = (r: Region, length: number) => new Float64Array(wasm.memory.buffer, offset[r], length);
  const f32 = (r: Region, length: number) => new Float32Array(wasm.memory.buffer, offset[r], length);

  return {
    rowDots(rows, f) {
      if (f % 4 !== 0) throw new Error(`rowDots needs a multiple of 4 values per row, not ${f}`);
      const count = rows.length / f;
      const handle = {};
      reserve({ vector: f * 8, out: count * 4, rows: rows.byteLength });
      const view = views(() => ({ rows: f32("rows", rows.length), vector: f64("vector", f), out: f32("out", count) }));
      return (vector, out) => {
        if (owner.rows !== handle) {
          view().rows.set(rows);
          owner.rows = handle;
        }
        view().vector.set(vector);
        wasm.dotRows(offset.vector, offset.rows, count, f, offset.out);
        out.set(view().out);
      };
    },
    matrixProduct(matrix, f) {
      if (f % 2 !== 0) throw new Error(`matrixProduct needs an even size, not ${f}`);
      const handle = {};
      reserve({ matrix: matrix.byteLength, vector: f * 8, out: f * 8 });
      const view = views(() => ({
        matrix: f64("matrix", matrix.length),
        vector: f64("vector", f),
        out: f64("out", f),
      }));
      return (vector, out) => {
        const { matrix: inMemory, vector: v, out: product } = view();
        if (owner.matrix !== handle) {
          inMemory.set(matrix);
          owner.matrix = handle;
        }
        v.set(vector);
        wasm.matrixTimes(offset.matrix, offset.vector, f, offset.out);
        out.set(product);
      };
    },
  };
}
