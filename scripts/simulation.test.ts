import { describe, expect, it } from "vitest";
import { localTimeAt } from "./simulation";

describe("localTimeAt", () => {
  it("writes the listener's local time with its offset, as the API's localTime takes it", () => {
    const at = Date.parse("2026-11-24T22:30:00Z");
    expect(localTimeAt(at, 3_600_000)).toBe("2026-11-24T23:30:00+01:00");
    expect(localTimeAt(at, 5.5 * 3_600_000)).toBe("2026-11-25T04:00:00+05:30");
    expect(localTimeAt(at, -5 * 3_600_000)).toBe("2026-11-24T17:30:00-05:00");
    expect(localTimeAt(at, 0)).toBe("2026-11-24T22:30:00+00:00");
  });
});
