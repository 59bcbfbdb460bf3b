import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRecommendationId, recommendationId, SURFACES, type Attribution } from "./attribution";

const attribution: fc.Arbitrary<Attribution> = fc.record({
  surface: fc.constantFrom(...SURFACES),
  modelVersion: fc.option(fc.stringMatching(/^v[0-9]{14}-[0-9a-f]{6}$/), { nil: null }),
  variant: fc.option(
    fc
      .tuple(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.stringMatching(/^[a-z0-9_-]{1,20}$/))
      .map(([e, v]) => `${e}/${v}`),
    { nil: null },
  ),
  servedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

describe("recommendation ids", () => {
  it("carry back exactly what served the answer", () => {
    fc.assert(
      fc.property(attribution, (a) => {
        expect(parseRecommendationId(recommendationId(a))).toEqual(a);
      }),
    );
  });

  it("are new for each answer", () => {
    const a: Attribution = { surface: "radio", modelVersion: null, variant: null, servedAt: 1 };
    expect(recommendationId(a)).not.toBe(recommendationId(a));
  });

  it("refuse what this service did not make", () => {
    for (const id of [
      "",
      "r1",
      "r2.radio.-.-.1.abc",
      "r1.elsewhere.-.-.1.abc",
      "r1.radio.-.-.1",
      "r1.radio.-.-.zzzzzzzzzzzz.abc",
      "r1.radio.v 1.-.1.abc",
      "r1.radio.-.-.1.abc.extra",
    ])
      expect(parseRecommendationId(id), id).toBeNull();
  });
});
