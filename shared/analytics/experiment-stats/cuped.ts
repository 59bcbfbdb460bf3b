import type { Estimate } from "./normal";
import { linearised, ratioEstimate, sampleVariance, type RatioEstimate, type Unit } from "./ratio";

/** A listener's metric from exposure on, and the same metric over the pre-exposure period (the covariate). */
export interface CupedUnit {
  post: Unit;
  pre: Unit;
}

export interface CupedEstimate {
  n: number;
  /** The group's ratio and its delta-method variance, unadjusted. */
  raw: RatioEstimate;
  adjusted: Estimate;
  /** 1 - adjusted / raw variance: the share of the variance the pre-exposure behaviour explained. */
  varianceReduction: number;
}

/**
 * CUPED (Deng, Xu, Kohavi, Walker 2013) on the delta method's linearisation, so that it serves ratio
 * metrics too: each group's ratio minus theta times how far its pre-exposure ratio lies from the
 * pre-exposure ratio of all listeners. Theta is pooled over the groups, so every group is adjusted
 * with the same coefficient and the difference between groups stays unbiased under randomisation.
 * Groups are the variants; a group whose ratio cannot be estimated is null.
 */
export function cuped(groups: readonly (readonly CupedUnit[])[]): (CupedEstimate | null)[] {
  const fitted = groups.map((units) => {
    const [posts, pres] = [units.map((u) => u.post), units.map((u) => u.pre)];
    const post = ratioEstimate(posts);
    if (!post) return null;
    const pre = ratioEstimate(pres);
    const l = linearised(posts, post);
    // A group with no pre-exposure denominators (all new listeners) has no covariate: it is not adjusted.
    const l0 = pre ? linearised(pres, pre) : l.map(() => 0);
    return { post, pre, l, l0 };
  });
  let cross = 0;
  let square = 0;
  for (const g of fitted) {
    if (!g) continue;
    g.l.forEach((v, i) => {
      cross += v * g.l0[i]!;
      square += g.l0[i]! ** 2;
    });
  }
  const theta = square > 0 ? cross / square : 0;
  const all = groups.flat();
  const preAll = ratioEstimate(all.map((u) => u.pre));
  return fitted.map((g) => {
    if (!g) return null;
    const shift = g.pre && preAll ? g.pre.estimate - preAll.estimate : 0;
    const variance = sampleVariance(g.l.map((v, i) => v - theta * g.l0[i]!)) / g.post.n;
    return {
      n: g.post.n,
      raw: g.post,
      adjusted: { estimate: g.post.estimate - theta * shift, variance },
      varianceReduction: g.post.variance > 0 ? 1 - variance / g.post.variance : 0,
    };
  });
}
