import { kernels } from "../kernels/kernels";
import { seededRandom } from "../util/random";
import { finish, type Sliced } from "../util/sliced";
import type { CsrMatrix } from "./sparse";

/**
 * Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) solved with a few conjugate-gradient
 * steps per row, warm-started from the previous iterate (Takács, Pilászy & Tikk 2011): O(nnz * f) per sweep
 * instead of O(rows * f^3) for exact solves.
 *
 * Inputs are signed confidences: an entry v > 0 means preference 1 with confidence 1 + alpha * v, v < 0
 * preference 0 with confidence 1 + alpha * |v| (a skip or dislike pushes harder than silence).
 */
export interface AlsOptions {
  factors: number;
  regularization: number;
  alpha: number;
  cgSteps: number;
}

/** Row-major factor matrices, row r at [r * factors, (r + 1) * factors). */
export interface Factors {
  listener: Float32Array;
  item: Float32Array;
}

export function initialFactors(listeners: number, items: number, factors: number, seed: number): Factors {
  const random = seededRandom(seed);
  const fill = (n: number) => Float32Array.from({ length: n * factors }, () => (random() - 0.5) * 0.01);
  return { listener: fill(listeners), item: fill(items) };
}

/** F^T F + regularization * I for the side held fixed during a half-sweep. */
export function gramian(fixed: Float32Array, factors: number, regularization: number): Float64Array {
  return finish(gramianInSlices(fixed, factors, regularization));
}

/** Rows of the fixed side summed between two pauses of gramianInSlices: a few milliseconds at 32 factors. */
const GRAM_ROWS_BETWEEN_PAUSES = 4_000;

/** gramian, pausing every GRAM_ROWS_BETWEEN_PAUSES rows (see Sliced); the sums run in the same order. */
export function* gramianInSlices(fixed: Float32Array, factors: number, regularization: number): Sliced<Float64Array> {
  const gram = new Float64Array(factors * factors);
  for (let base = 0; base < fixed.length; base += factors) {
    if (base > 0 && base % (GRAM_ROWS_BETWEEN_PAUSES * factors) === 0) yield;
    for (let a = 0; a < factors; a++) {
      const fa = fixed[base + a]!;
      if (fa === 0) continue;
      for (let b = a; b < factors; b++) gram[a * factors + b]! += fa * fixed[base + b]!;
    }
  }
  for (let a = 0; a < factors; a++) {
    gram[a * factors + a]! += regularization;
    for (let b = 0; b < a; b++) gram[a * factors + b] = gram[b * factors + a]!;
  }
  return gram;
}

/**
 * Updates rows [from, to) of `solved` against the fixed side: `matrix` has one row per solved row and one
 * column per fixed row. Rows are independent, so a half-sweep can be split across steps.
 */
export function solveRows(
  solved: Float32Array,
  fixed: Float32Array,
  gram: Float64Array,
  matrix: CsrMatrix,
  options: AlsOptions,
  from: number,
  to: number,
): void {
  const f = options.factors;
  const x = new Float64Array(f),
    r = new Float64Array(f),
    p = new Float64Array(f),
    ap = new Float64Array(f);
  const multiplyGram = kernels().matrixProduct(gram, f);
  const dotFixed = (base: number, v: Float64Array) => {
    let sum = 0;
    for (let a = 0; a < f; a++) sum += fixed[base + a]! * v[a]!;
    return sum;
  };
  for (let row = from; row < to; row++) {
    const start = matrix.indptr[row]!,
      end = matrix.indptr[row + 1]!;
    for (let a = 0; a < f; a++) x[a] = solved[row * f + a]!;
    // Residual b - A x, with A = gram + sum (c - 1) y y^T and b = sum c * preference * y.
    multiplyGram(x, r);
    for (let a = 0; a < f; a++) r[a] = -r[a]!;
    for (let q = start; q < end; q++) {
      const value = matrix.values[q]!,
        base = matrix.indices[q]! * f;
      const c = 1 + options.alpha * Math.abs(value);
      const coefficient = (value > 0 ? c : 0) - (c - 1) * dotFixed(base, x);
      for (let a = 0; a < f; a++) r[a]! += coefficient * fixed[base + a]!;
    }
    p.set(r);
    let rsOld = 0;
    for (let a = 0; a < f; a++) rsOld += r[a]! * r[a]!;
    for (let step = 0; step < options.cgSteps && rsOld > 1e-20; step++) {
      multiplyGram(p, ap);
      for (let q = start; q < end; q++) {
        const base = matrix.indices[q]! * f;
        const weight = options.alpha * Math.abs(matrix.values[q]!) * dotFixed(base, p);
        for (let a = 0; a < f; a++) ap[a]! += weight * fixed[base + a]!;
      }
      let pAp = 0;
      for (let a = 0; a < f; a++) pAp += p[a]! * ap[a]!;
      const stepSize = rsOld / pAp;
      let rsNew = 0;
      for (let a = 0; a < f; a++) {
        x[a]! += stepSize * p[a]!;
        r[a]! -= stepSize * ap[a]!;
        rsNew += r[a]! * r[a]!;
      }
      for (let a = 0; a < f; a++) p[a] = r[a]! + (rsNew / rsOld) * p[a]!;
      rsOld = rsNew;
    }
    for (let a = 0; a < f; a++) solved[row * f + a] = x[a]!;
  }
}
