import type { Activity, Device } from "../catalog/types";

export const TARGET_FEATURES = [
  "tempo",
  "energy",
  "valence",
  "danceability",
  "acousticness",
  "instrumentalness",
  "speechiness",
] as const;
export type TargetFeature = (typeof TARGET_FEATURES)[number];

/** A wanted range for one feature; weight says how much it matters against the other ranges. */
export interface FeatureRange {
  min: number;
  max: number;
  weight: number;
}
export type FeatureTargets = Partial<Record<TargetFeature, FeatureRange>>;

export const TIMES_OF_DAY = ["morning", "afternoon", "evening", "night"] as const;
export type TimeOfDay = (typeof TIMES_OF_DAY)[number];

const range = (min: number, max: number, weight = 1): FeatureRange => ({ min, max, weight });

export const ACTIVITY_TARGETS: Record<Activity, FeatureTargets> = {
  workout: {
    energy: range(0.75, 1),
    tempo: range(120, 180),
    danceability: range(0.5, 1, 0.5),
    valence: range(0.4, 1, 0.3),
  },
  // Calm and acoustic is what sleep music is; a slow tempo helps, but calm folk and jazz at 100 BPM are sleep music too.
  sleep: {
    energy: range(0, 0.3),
    tempo: range(50, 90, 0.5),
    acousticness: range(0.6, 1),
    instrumentalness: range(0.4, 1, 0.5),
    speechiness: range(0, 0.1, 0.5),
  },
  focus: {
    speechiness: range(0, 0.1),
    instrumentalness: range(0.5, 1),
    energy: range(0.3, 0.6),
    tempo: range(70, 130, 0.3),
  },
  relax: {
    energy: range(0.1, 0.5),
    tempo: range(60, 110),
    acousticness: range(0.4, 1, 0.7),
    valence: range(0.3, 0.8, 0.3),
  },
  party: { danceability: range(0.7, 1), energy: range(0.7, 1), valence: range(0.6, 1), tempo: range(110, 135, 0.5) },
  commute: { energy: range(0.4, 0.8), valence: range(0.4, 1, 0.7), tempo: range(90, 140, 0.5) },
};

// Guesses from the clock are deliberately broad; the pipeline also gives them less weight.
export const TIME_OF_DAY_TARGETS: Record<TimeOfDay, FeatureTargets> = {
  morning: { energy: range(0.4, 0.8), tempo: range(90, 130, 0.5), valence: range(0.4, 1, 0.5) },
  afternoon: { energy: range(0.5, 0.9), tempo: range(95, 140, 0.5) },
  evening: { energy: range(0.4, 0.85), danceability: range(0.5, 1, 0.7), valence: range(0.4, 1, 0.5) },
  night: { energy: range(0, 0.5), tempo: range(60, 110, 0.5), acousticness: range(0.3, 1, 0.5) },
};

/** The targets of an activity or a time of day. */
export const CONTEXT_TARGETS: Record<Activity | TimeOfDay, FeatureTargets> = {
  ...ACTIVITY_TARGETS,
  ...TIME_OF_DAY_TARGETS,
};

export function timeOfDay(hour: number): TimeOfDay {
  if (hour >= 5 && hour < 12) return "morning";
  if (hour >= 12 && hour < 18) return "afternoon";
  if (hour >= 18 && hour < 22) return "evening";
  return "night";
}

type FeatureShift = Partial<Record<TargetFeature, number>>;

// Shared speakers and TVs at a party are heard by a room, which wants more dance and drive.
const DEVICE_SHIFTS: Partial<Record<Activity | TimeOfDay, Partial<Record<Device, FeatureShift>>>> = {
  party: { speaker: { danceability: 0.1, energy: 0.05 }, tv: { danceability: 0.1, energy: 0.05 } },
  evening: { speaker: { danceability: 0.05 }, tv: { danceability: 0.05 } },
};

/** Moves the lower bound of each range up by the device's shift, never past the upper bound. */
export function adjustForDevice(
  targets: FeatureTargets,
  label: Activity | TimeOfDay,
  device: Device | undefined,
): FeatureTargets {
  const shift = device ? DEVICE_SHIFTS[label]?.[device] : undefined;
  if (!shift) return targets;
  const adjusted: FeatureTargets = { ...targets };
  for (const feature of TARGET_FEATURES) {
    const wanted = targets[feature],
      by = shift[feature];
    if (wanted && by) adjusted[feature] = { ...wanted, min: Math.min(wanted.max, wanted.min + by) };
  }
  return adjusted;
}
