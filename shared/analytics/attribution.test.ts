import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseRecommendationId,
  parseVariantLabel,
  recommendationId,
  SURFACES,
  variantLabel,
  type Attribution,
  type ServedVariant,
} from "./attribution";

const attribution: fc.Arbitrary<Attribution> = fc.record({
  surface: fc.constantFrom(...SURFACES),
  modelVersion: fc.option(fc.stringMatching(/^v[0-9]{14}-[0-9a-f]{6}$/), { nil: null }),
  variant: fc.option(
    fc
      .uniqueArray(
        fc.record({
          experimentId: fc.stringMatching(/^x[0-9a-f]{8}$/),
          variant: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,31}$/),
        }),
        { minLength: 1, maxLength: 4, selector: (s) => s.experimentId },
      )
      .map(variantLabel),
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

  it("name every experiment an answer was served under, sorted, and read back as they were", () => {
    const served: ServedVariant[] = [
      { experimentId: "x0000000b", variant: "popular" },
      { experimentId: "x0000000a", variant: "control" },
    ];
    const label = variantLabel(served);
    expect(label).toBe("x0000000a/control+x0000000b/popular");
    const id = recommendationId({ surface: "recommendations", modelVersion: "v1", variant: label, servedAt: 5 });
    expect(parseVariantLabel(parseRecommendationId(id)!.variant)).toEqual([...served].reverse());
    expect(variantLabel([])).toBeNull();
    expect(parseVariantLabel(null)).toEqual([]);
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
