import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kernels } from "./kernels";

/** What the kernels replace: products and sums in f64, one term after another. */
function dot(a: ArrayLike<number>, b: ArrayLike<number>, from: number, f: number): number {
  let sum = 0;
  for (let i = 0; i < f; i++) sum += a[i]! * b[from + i]!;
  return sum;
}

describe("WebAssembly kernels", () => {
  it("score every row against a vector as the plain loop does, to f32 rounding", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }).map((n) => n * 4),
        fc.integer({ min: 1, max: 40 }),
        fc.infiniteStream(fc.double({ min: -4, max: 4, noNaN: true })),
        (f, count, stream) => {
          const rows = Float32Array.from({ length: count * f }, () => stream.next().value);
          const vector = Float32Array.from({ length: f }, () => stream.next().value);
          const out = new Float32Array(count);
          kernels().rowDots(rows, f)(vector, out);
          for (let j = 0; j < count; j++) expect(out[j]).toBeCloseTo(Math.fround(dot(vector, rows, j * f, f)), 5);
        },
      ),
    );
  });

  it("multiply a square matrix by a vector", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).map((n) => n * 2),
        fc.infiniteStream(fc.double({ min: -4, max: 4, noNaN: true })),
        (f, stream) => {
          const matrix = Float64Array.from({ length: f * f }, () => stream.next().value);
          const vector = Float64Array.from({ length: f }, () => stream.next().value);
          const out = new Float64Array(f);
          kernels().matrixProduct(matrix, f)(vector, out);
          for (let a = 0; a < f; a++) expect(out[a]).toBeCloseTo(dot(vector, matrix, a * f, f), 10);
        },
      ),
    );
  });

  it("keep each handle's data apart when handles take turns and memory grows between them", () => {
    const f = 8;
    const small = Float32Array.from({ length: 3 * f }, (_, i) => i);
    const large = Float32Array.from({ length: 20_000 * f }, (_, i) => (i % 7) - 3);
    const vector = Float32Array.from({ length: f }, (_, i) => i + 1);
    const scoreSmall = kernels().rowDots(small, f);
    const first = new Float32Array(3);
    scoreSmall(vector, first);
    // The large handle moves the regions and overwrites the rows; the small one must copy its own back.
    kernels().rowDots(large, f)(vector, new Float32Array(20_000));
    const again = new Float32Array(3);
    scoreSmall(vector, again);
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(first)).toEqual([0, 1, 2].map((j) => dot(vector, small, j * f, f)));
  });

  it("refuse sizes the SIMD loops do not cover", () => {
    expect(() => kernels().rowDots(new Float32Array(6), 3)).toThrow(/multiple of 4/);
    expect(() => kernels().matrixProduct(new Float64Array(9), 3)).toThrow(/even/);
  });
});
