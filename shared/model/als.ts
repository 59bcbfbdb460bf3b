import { seededRandom } from "../util/random";
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
  const gram = new Float64Array(factors * factors);
  for (let base = 0; base < fixed.length; base += factors) {
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

/** Rows solved side by side: the Gram matrix, read once for all of them, is most of the work of a row. */
const LANES = 4;

/**
 * Updates rows [from, to) of `solved` against the fixed side: `matrix` has one row per solved row and one
 * column per fixed row. Rows are independent, so a half-sweep can be split across steps; each row's
 * arithmetic is the same, term by term, as solving it alone.
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
  const lanes = () => Array.from({ length: LANES }, () => new Float64Array(f));
  const x = lanes(),
    r = lanes(),
    p = lanes(),
    ap = lanes();
  const rsOld = new Float64Array(LANES);
  /** out[m] = gram v[m] for all lanes (unused lanes compute on stale values, which nothing reads). */
  const multiplyGram = (v: Float64Array[], out: Float64Array[]) => {
    const [v0, v1, v2, v3] = v as [Float64Array, Float64Array, Float64Array, Float64Array];
    const [o0, o1, o2, o3] = out as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (let a = 0; a < f; a++) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let b = 0, base = a * f; b < f; b++) {
        const g = gram[base + b]!;
        s0 += g * v0[b]!;
        s1 += g * v1[b]!;
        s2 += g * v2[b]!;
        s3 += g * v3[b]!;
      }
      o0[a] = s0;
      o1[a] = s1;
      o2[a] = s2;
      o3[a] = s3;
    }
  };
  const dotFixed = (base: number, v: Float64Array) => {
    let sum = 0;
    for (let a = 0; a < f; a++) sum += fixed[base + a]! * v[a]!;
    return sum;
  };
  for (let first = from; first < to; first += LANES) {
    const count = Math.min(LANES, to - first);
    for (let m = 0; m < count; m++) for (let a = 0; a < f; a++) x[m]![a] = solved[(first + m) * f + a]!;
    // Residual b - A x, with A = gram + sum (c - 1) y y^T and b = sum c * preference * y.
    multiplyGram(x, r);
    for (let m = 0; m < count; m++) {
      const row = first + m;
      const [xm, rm] = [x[m]!, r[m]!];
      for (let a = 0; a < f; a++) rm[a] = -rm[a]!;
      for (let q = matrix.indptr[row]!; q < matrix.indptr[row + 1]!; q++) {
        const value = matrix.values[q]!,
          base = matrix.indices[q]! * f;
        const c = 1 + options.alpha * Math.abs(value);
        const coefficient = (value > 0 ? c : 0) - (c - 1) * dotFixed(base, xm);
        for (let a = 0; a < f; a++) rm[a]! += coefficient * fixed[base + a]!;
      }
      p[m]!.set(rm);
      rsOld[m] = 0;
      for (let a = 0; a < f; a++) rsOld[m]! += rm[a]! * rm[a]!;
    }
    const converged = (m: number) => !(rsOld[m]! > 1e-20);
    for (let step = 0; step < options.cgSteps; step++) {
      if (Array.from({ length: count }, (_, m) => m).every(converged)) break;
      multiplyGram(p, ap);
      for (let m = 0; m < count; m++) {
        if (converged(m)) continue;
        const row = first + m;
        const [xm, rm, pm, apm] = [x[m]!, r[m]!, p[m]!, ap[m]!];
        for (let q = matrix.indptr[row]!; q < matrix.indptr[row + 1]!; q++) {
          const base = matrix.indices[q]! * f;
          const weight = options.alpha * Math.abs(matrix.values[q]!) * dotFixed(base, pm);
          for (let a = 0; a < f; a++) apm[a]! += weight * fixed[base + a]!;
        }
        let pAp = 0;
        for (let a = 0; a < f; a++) pAp += pm[a]! * apm[a]!;
        const stepSize = rsOld[m]! / pAp;
        let rsNew = 0;
        for (let a = 0; a < f; a++) {
          xm[a]! += stepSize * pm[a]!;
          rm[a]! -= stepSize * apm[a]!;
          rsNew += rm[a]! * rm[a]!;
        }
        for (let a = 0; a < f; a++) pm[a] = rm[a]! + (rsNew / rsOld[m]!) * pm[a]!;
        rsOld[m] = rsNew;
      }
    }
    for (let m = 0; m < count; m++) for (let a = 0; a < f; a++) solved[(first + m) * f + a] = x[m]![a]!;
  }
}
