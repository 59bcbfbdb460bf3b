import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateDemoCatalog, generateDemoListeners } from "../../shared/demo";
import { asListener, edge, json, seedAndPublish, withoutRecommendationId } from "./helpers";

/**
 * Context mixes on the running workers with the seeded demo: true to their context for every
 * demo listener measured, and personal (listeners of different hidden taste clusters get
 * different sleep mixes). The figures are printed per listener.
 */
const LISTENERS = 24;
const MAX_SHARED = 0.2;

interface ListView {
  kind: string;
  title: string;
  description: string;
  seedArtists: { id: string; name: string }[];
  personalized: boolean;
  validUntil: string;
  tracks: {
    id: string;
    artist: { id: string };
    reason: { code: string; text: string };
    features: { energy: number; acousticness: number; tempo: number };
  }[];
}

const list = async (listener: string, kind: string, query = "") =>
  withoutRecommendationId(
    await json<ListView>(await edge(`/v1/me/playlists/${kind}${query}`, { headers: await asListener(listener) })),
  );

const mean = (l: ListView, f: "energy" | "acousticness" | "tempo") =>
  l.tracks.reduce((s, t) => s + t.features[f], 0) / l.tracks.length;

// The demo's hidden ground truth: which taste clusters each listener was drawn from.
const clusters = new Map(generateDemoListeners(generateDemoCatalog()).listeners.map((l) => [l.id, l.tasteClusters]));

describe("context mixes and the daylist", () => {
  beforeAll(async () => {
    await seedAndPublish();
  }, 300_000);

  afterEach(() => vi.useRealTimers());

  /**
   * A mix is drawn anew each day, so the figures are taken on several days after seeding (on the
   * edge's clock, as in adaptation.test.ts): a bound that held on one day's draw only would turn
   * red on another date.
   */
  it.each([0, 1, 2, 3, 4, 5, 6])(
    `sleep and workout mixes keep their bounds for ${LISTENERS} demo listeners and stay personal, %i days on`,
    async (days) => {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + days * 86_400_000 });
      const ids = Array.from({ length: LISTENERS }, (_, i) => `demo-${i + 1}`);
      const sleep = new Map<string, ListView>();
      const rows: string[] = [];
      const met = { sleepEnergy: 0, sleepAcoustic: 0, workoutEnergy: 0, workoutTempo: 0 };
      for (const id of ids) {
        const s = await list(id, "mix-sleep");
        const w = await list(id, "mix-workout");
        sleep.set(id, s);
        for (const mix of [s, w]) {
          expect(mix.personalized).toBe(true);
          expect(mix.tracks.length).toBe(30);
          expect(mix.seedArtists.length).toBeGreaterThan(0);
          expect(mix.tracks.every((t) => t.reason.code === "fits_context")).toBe(true);
          const perArtist = new Map<string, number>();
          for (const t of mix.tracks) perArtist.set(t.artist.id, (perArtist.get(t.artist.id) ?? 0) + 1);
          expect(Math.max(...perArtist.values())).toBeLessThanOrEqual(2);
        }
        const sm = { e: mean(s, "energy"), a: mean(s, "acousticness"), t: mean(s, "tempo") };
        const wm = { e: mean(w, "energy"), a: mean(w, "acousticness"), t: mean(w, "tempo") };
        met.sleepEnergy += +(sm.e <= 0.35);
        met.sleepAcoustic += +(sm.a >= 0.5);
        met.workoutEnergy += +(wm.e >= 0.75);
        met.workoutTempo += +(wm.t >= 120);
        rows.push(
          `${id.padEnd(8)} clusters ${clusters.get(id)!.join("+").padEnd(6)} sleep energy ${sm.e.toFixed(3)} acoustic ${sm.a.toFixed(3)} tempo ${sm.t.toFixed(1).padStart(5)} | workout energy ${wm.e.toFixed(3)} acoustic ${wm.a.toFixed(3)} tempo ${wm.t.toFixed(1)}`,
        );
      }
      const share = (n: number) => `${n}/${LISTENERS} (${((100 * n) / LISTENERS).toFixed(0)}%)`;
      console.log(
        [
          ...rows,
          `sleep mean energy <= 0.35: ${share(met.sleepEnergy)}; sleep mean acousticness >= 0.5: ${share(met.sleepAcoustic)}`,
          `workout mean energy >= 0.75: ${share(met.workoutEnergy)}; workout mean tempo >= 120: ${share(met.workoutTempo)}`,
        ].join("\n"),
      );

      // Overlap of sleep mixes between listeners who share no taste cluster.
      const shares: { pair: string; shared: number }[] = [];
      for (let i = 0; i < ids.length; i++)
        for (let j = i + 1; j < ids.length; j++) {
          const [a, b] = [ids[i]!, ids[j]!];
          if (clusters.get(a)!.some((c) => clusters.get(b)!.includes(c))) continue;
          const other = new Set(sleep.get(b)!.tracks.map((t) => t.id));
          const common = sleep.get(a)!.tracks.filter((t) => other.has(t.id)).length;
          shares.push({ pair: `${a}/${b}`, shared: common / 30 });
        }
      const over = shares.filter((s) => s.shared > MAX_SHARED);
      const meanShared = shares.reduce((s, x) => s + x.shared, 0) / shares.length;
      console.log(
        `${new Date().toISOString().slice(0, 10)}: sleep mixes of listeners of different clusters: ${shares.length} pairs, mean shared ${(100 * meanShared).toFixed(1)}%, max ${(100 * Math.max(...shares.map((s) => s.shared))).toFixed(1)}%, pairs over ${100 * MAX_SHARED}%: ${over.length} ${over.map((o) => `${o.pair} ${(100 * o.shared).toFixed(0)}%`).join(", ")}`,
      );
      expect(met).toEqual({
        sleepEnergy: LISTENERS,
        sleepAcoustic: LISTENERS,
        workoutEnergy: LISTENERS,
        workoutTempo: LISTENERS,
      });
      expect(meanShared).toBeLessThanOrEqual(MAX_SHARED);
      expect(over.map((o) => o.pair)).toEqual([]);
    },
  );

  it("the daylist differs between a morning and a night hour and stays the same within an hour", async () => {
    const day = new Date();
    day.setUTCHours(0, 0, 0, 0);
    const at = (hour: number, minute: number) => {
      const now = day.getTime() + hour * 3_600_000 + minute * 60_000;
      vi.useFakeTimers({ toFake: ["Date"], now });
      const local = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z");
      return `?timeZone=UTC&localTime=${encodeURIComponent(local)}`;
    };
    const morning = await list("demo-3", "daylist", at(8, 5));
    const morningLater = await list("demo-3", "daylist", at(8, 50));
    const night = await list("demo-3", "daylist", at(23, 10));
    console.log(`daylist of demo-3: "${morning.title}" / "${night.title}"`);
    expect(morningLater).toEqual(morning);
    expect(morning.title).toMatch(/ morning: /);
    expect(night.title).toMatch(/ late night: /);
    expect(night.tracks.map((t) => t.id)).not.toEqual(morning.tracks.map((t) => t.id));
    expect(mean(night, "energy")).toBeLessThan(mean(morning, "energy"));
  });
});
