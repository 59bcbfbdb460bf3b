import { DAY_MS } from "./days";

export const REPEAT_WINDOW_MS = 7 * DAY_MS;

/** A repeat listen: a start of a track the same listener last started at most 7 days before. */
export function isRepeatListen(previousStartAt: number | undefined, at: number): boolean {
  return previousStartAt !== undefined && at - previousStartAt <= REPEAT_WINDOW_MS;
}
