import { DAY_MS } from "./days";

export const REPEAT_WINDOW_MS = 7 * DAY_MS;

/** A repeat listen: a start of a track the same listener last played (any playback event) at most 7 days before. */
export function isRepeatListen(previousPlayAt: number | undefined, at: number): boolean {
  return previousPlayAt !== undefined && at - previousPlayAt <= REPEAT_WINDOW_MS;
}
