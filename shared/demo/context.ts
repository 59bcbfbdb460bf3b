import type { Activity, Device } from "../catalog/types";
import { chance, pickWeighted, type Random } from "./sampling";

export const DEMO_REGIONS = ["US", "GB", "DE", "SE", "BR", "JP", "IN", "MX", "FR", "AU"] as const;
export type DemoRegion = (typeof DEMO_REGIONS)[number];
export const REGION_SHARES = [30, 10, 9, 5, 10, 8, 10, 6, 7, 5];
/** Standard time, ignoring daylight saving: only used to put listening at plausible local hours. */
export const UTC_OFFSET_HOURS: Record<DemoRegion, number> = {
  US: -5,
  GB: 0,
  DE: 1,
  SE: 1,
  BR: -3,
  JP: 9,
  IN: 5.5,
  MX: -6,
  FR: 1,
  AU: 10,
};

/** Phones everywhere; other devices only in some households. */
const OPTIONAL_DEVICES: readonly { device: Device; ownership: number; use: number }[] = [
  { device: "desktop", ownership: 0.45, use: 3 },
  { device: "speaker", ownership: 0.35, use: 2 },
  { device: "car", ownership: 0.35, use: 2 },
  { device: "web", ownership: 0.25, use: 2 },
  { device: "tv", ownership: 0.2, use: 1 },
];
const PHONE_USE = 5;

export interface DeviceHabits {
  devices: Device[];
  use: number[];
}

export function deviceHabits(random: Random): DeviceHabits {
  const owned = OPTIONAL_DEVICES.filter(({ ownership }) => chance(random, ownership));
  return { devices: ["phone", ...owned.map(({ device }) => device)], use: [PHONE_USE, ...owned.map(({ use }) => use)] };
}

/** What people plausibly do while listening on each device; the remainder has no known activity. */
const ACTIVITY_ODDS: Record<Device, Partial<Record<Activity, number>>> = {
  phone: { workout: 0.15, commute: 0.2, relax: 0.1, sleep: 0.05 },
  desktop: { focus: 0.5, relax: 0.05 },
  web: { focus: 0.4 },
  speaker: { relax: 0.25, party: 0.15, sleep: 0.1, focus: 0.05 },
  car: { commute: 0.6 },
  tv: { party: 0.2, relax: 0.2 },
};

/** Energetic listeners work out and party more; mellow ones relax, focus and fall asleep to music. */
export function sessionActivity(random: Random, device: Device, preferredEnergy: number): Activity | undefined {
  let roll = random();
  for (const [activity, odds] of Object.entries(ACTIVITY_ODDS[device]) as [Activity, number][]) {
    const lively = activity === "workout" || activity === "party" || activity === "commute";
    roll -= odds * (lively ? 0.5 + preferredEnergy : 1.5 - preferredEnergy);
    if (roll < 0) return activity;
  }
  return undefined;
}

/** Local hour ranges [from, to) when each activity happens; evenings dominate unlabelled listening. */
const ACTIVITY_HOURS: Record<Activity | "any", readonly [number, number][]> = {
  commute: [
    [7, 9],
    [17, 19],
  ],
  workout: [
    [6, 8],
    [17, 20],
  ],
  focus: [[9, 17]],
  relax: [[18, 23]],
  sleep: [[21, 24]],
  party: [[20, 24]],
  any: [
    [7, 12],
    [12, 18],
    [18, 24],
    [18, 24],
  ],
};

/** Milliseconds after local midnight at which a session starts. */
export function localStartMs(random: Random, activity: Activity | undefined): number {
  const ranges = ACTIVITY_HOURS[activity ?? "any"];
  const [from, to] = ranges[Math.floor(random() * ranges.length)]!;
  return (from + random() * (to - from)) * 3_600_000;
}

const DAY_MS = 86_400_000;

/** A session start on a random day in [fromMs, toMs), at a local hour that suits the activity. */
export function sessionStart(
  random: Random,
  region: DemoRegion,
  activity: Activity | undefined,
  fromMs: number,
  toMs: number,
): number {
  const offsetMs = UTC_OFFSET_HOURS[region] * 3_600_000;
  const localDay = Math.floor((fromMs + random() * (toMs - fromMs) + offsetMs) / DAY_MS) * DAY_MS;
  const start = Math.floor(localDay + localStartMs(random, activity) - offsetMs);
  // The first and last day of the range are partial; keep sessions inside it.
  return Math.min(Math.max(start, fromMs), toMs - 1);
}

export const pickDevice = (random: Random, habits: DeviceHabits) => pickWeighted(random, habits.devices, habits.use);
