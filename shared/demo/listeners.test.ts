import { describe, expect, it } from "vitest";
import { ACTIVITIES, DEVICES, EVENT_TYPES, type EventType } from "../catalog/types";
import { generateDemoCatalog } from "./catalog";
import { DEMO_REGIONS } from "./context";
import { DEMO_NOW, generateDemoListeners, type DemoEvent } from "./listeners";
import { jaccard } from "../util/sets";

// Timed together, as the Worker seeds both on first start.
const catalog = generateDemoCatalog();
const demo = generateDemoListeners(catalog);

const DAY_MS = 86_400_000;
const tracksById = new Map(catalog.tracks.map((track) => [track.id, track]));
const eventsByListener = new Map<string, DemoEvent[]>();
for (const event of demo.events) {
  const events = eventsByListener.get(event.listenerId) ?? [];
  eventsByListener.set(event.listenerId, events);
  events.push(event);
}
const countOf = (type: EventType) => demo.events.filter((event) => event.type === type).length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function playedArtists(listenerId: string): Set<string> {
  const plays = (eventsByListener.get(listenerId) ?? []).filter((event) => event.type === "play");
  return new Set(plays.map((event) => tracksById.get(event.trackId)!.artistId));
}

describe("generateDemoListeners", () => {
  it("repeats for a seed and differs across seeds", () => {
    expect(JSON.stringify(generateDemoListeners(catalog))).toBe(JSON.stringify(demo));
    const other = generateDemoListeners(catalog, { seed: 2 });
    expect(other.events.slice(0, 50)).not.toEqual(demo.events.slice(0, 50));
  });

  it("creates 500 listeners in ten regions with 50k-100k events", () => {
    expect(demo.listeners.map((listener) => listener.id)).toEqual(
      Array.from({ length: 500 }, (_, i) => `demo-${i + 1}`),
    );
    expect(new Set(demo.listeners.map((listener) => listener.region))).toEqual(new Set(DEMO_REGIONS));
    expect(demo.events.length).toBeGreaterThan(50_000);
    expect(demo.events.length).toBeLessThan(100_000);
    const perListener = demo.listeners.map((listener) => eventsByListener.get(listener.id)?.length ?? 0);
    expect(median(perListener)).toBeGreaterThanOrEqual(60);
    expect(median(perListener)).toBeLessThanOrEqual(250);
    expect(Math.max(...perListener)).toBeLessThanOrEqual(250);
  });

  it("honours count, now and days", () => {
    const now = Date.parse("2027-03-01T00:00:00Z");
    const small = generateDemoListeners(catalog, { count: 20, now, days: 7 });
    expect(small.listeners).toHaveLength(20);
    expect(small.events.every((event) => event.timestamp <= now && event.timestamp >= now - 7 * DAY_MS)).toBe(true);
  });

  it("produces unique ids and well-formed events", () => {
    expect(new Set(demo.events.map((event) => event.id)).size).toBe(demo.events.length);
    const createdAt = new Map(demo.listeners.map((listener) => [listener.id, listener.createdAt]));
    const malformed = demo.events.filter((event) => {
      const track = tracksById.get(event.trackId);
      return !(
        event.id.startsWith(`demo-ev-${event.listenerId.slice("demo-".length)}-`) &&
        track !== undefined &&
        EVENT_TYPES.includes(event.type) &&
        DEVICES.includes(event.device) &&
        (event.context === undefined || ACTIVITIES.includes(event.context.activity)) &&
        Number.isInteger(event.timestamp) &&
        event.timestamp <= DEMO_NOW &&
        event.timestamp >= Math.max(DEMO_NOW - 60 * DAY_MS, createdAt.get(event.listenerId)!) &&
        event.timestamp >= Date.parse(track.releaseDate) &&
        event.positionMs >= 0 &&
        event.positionMs <= track.features.durationMs
      );
    });
    expect(malformed).toEqual([]);
    for (const events of eventsByListener.values()) {
      expect(events.every((event, i) => i === 0 || event.timestamp >= events[i - 1]!.timestamp)).toBe(true);
    }
  });

  it("mixes event types in realistic proportions with early skips", () => {
    for (const type of EVENT_TYPES) expect(countOf(type)).toBeGreaterThan(0);
    expect(countOf("complete")).toBeGreaterThan(1.5 * countOf("skip"));
    expect(countOf("skip")).toBeGreaterThan(countOf("like"));
    expect(countOf("like")).toBeGreaterThan(countOf("dislike"));
    expect(countOf("play")).toBeGreaterThanOrEqual(countOf("complete") + countOf("skip") - countOf("repeat"));
    const skipPositions = demo.events.filter((event) => event.type === "skip").map((event) => event.positionMs);
    expect(median(skipPositions)).toBeLessThan(30_000);
    expect(demo.events.some((event) => event.context !== undefined)).toBe(true);
  });

  it("gives track popularity a long tail", () => {
    const plays = new Map(catalog.tracks.map((track) => [track.id, 0]));
    for (const event of demo.events) if (event.type === "play") plays.set(event.trackId, plays.get(event.trackId)! + 1);
    const counts = [...plays.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 100));
    const topMean = top.reduce((sum, count) => sum + count, 0) / top.length;
    console.log(`plays: top 1% of tracks average ${topMean.toFixed(1)}, median track ${median(counts)}`);
    expect(topMean).toBeGreaterThan(10 * Math.max(1, median(counts)));
  });

  it("makes listeners of one taste cluster share far more artists than listeners of different clusters", () => {
    const single = demo.listeners.filter((listener) => listener.tasteClusters.length === 1);
    const artists = new Map(single.map((listener) => [listener.id, playedArtists(listener.id)]));
    const same: number[] = [];
    const different: number[] = [];
    for (let i = 0; i < single.length; i++) {
      for (let j = i + 1; j < single.length; j++) {
        const similarity = jaccard(artists.get(single[i]!.id)!, artists.get(single[j]!.id)!);
        (single[i]!.tasteClusters[0] === single[j]!.tasteClusters[0] ? same : different).push(similarity);
      }
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    console.log(
      `artist Jaccard: same cluster ${mean(same).toFixed(3)}, different clusters ${mean(different).toFixed(3)}`,
    );
    expect(mean(same)).toBeGreaterThan(3 * mean(different));
  });

  it("plays new releases", () => {
    const newTrackIds = new Set(
      catalog.tracks.filter((track) => DEMO_NOW - Date.parse(track.releaseDate) < 30 * DAY_MS).map((track) => track.id),
    );
    expect(newTrackIds.size).toBeGreaterThan(0);
    expect(demo.events.filter((event) => newTrackIds.has(event.trackId)).length).toBeGreaterThan(100);
  });
});
