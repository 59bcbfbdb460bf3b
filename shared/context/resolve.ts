import { z } from "zod";
import { LocalTime, TimeZone } from "../api/schemas";
import { ACTIVITIES, DEVICES, type Activity, type Device } from "../catalog/types";
import { localHour } from "./local-hour";
import {
  ACTIVITY_TARGETS,
  adjustForDevice,
  TIME_OF_DAY_TARGETS,
  timeOfDay,
  type FeatureTargets,
  type TimeOfDay,
} from "./targets";

export const contextInputSchema = z.object({
  localTime: z.union([LocalTime, z.number().int().min(0).max(23)]).optional(),
  timeZone: TimeZone.optional(),
  device: z.enum(DEVICES).optional(),
  activity: z.enum(ACTIVITIES).optional(),
});
export type ContextInput = z.infer<typeof contextInputSchema>;

export type ContextLabel = Activity | TimeOfDay;

export interface ResolvedContext {
  label: ContextLabel | null;
  source: "activity" | "time" | "none";
  /** 0..1: how much to trust the targets; a stated activity outweighs a guess from the clock. */
  strength: number;
  targets: FeatureTargets;
}

const TIME_STRENGTH = 0.5;

export function resolveContext(input: ContextInput | undefined, now: number): ResolvedContext {
  const device: Device | undefined = input?.device;
  if (input?.activity) {
    const label = input.activity;
    return { label, source: "activity", strength: 1, targets: adjustForDevice(ACTIVITY_TARGETS[label], label, device) };
  }
  const hour = localHour(input?.localTime, input?.timeZone, now);
  if (hour === undefined) return { label: null, source: "none", strength: 0, targets: {} };
  const label = timeOfDay(hour);
  return {
    label,
    source: "time",
    strength: TIME_STRENGTH,
    targets: adjustForDevice(TIME_OF_DAY_TARGETS[label], label, device),
  };
}

const CONTEXT_PHRASES: Record<ContextLabel, string> = {
  workout: "your workout",
  sleep: "winding down to sleep",
  focus: "your focus time",
  relax: "relaxing",
  party: "the party",
  commute: "your commute",
  morning: "your morning",
  afternoon: "your afternoon",
  evening: "your evening",
  night: "late-night listening",
};

export function contextPhrase(label: ContextLabel): string {
  return CONTEXT_PHRASES[label];
}
