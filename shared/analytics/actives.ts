import { addDays } from "./days";

/** A listener active on a day: they sent at least one listening event that day (UTC). */
export interface ListenerDay {
  day: string;
  listenerId: string;
}

export const WINDOWS = { dau: 1, wau: 7, mau: 30 } as const;

/** Distinct listeners active in the `windowDays` days ending on `day` (DAU: 1, WAU: 7, MAU: 30). */
export function activeListeners(rows: readonly ListenerDay[], day: string, windowDays: number): number {
  const first = addDays(day, 1 - windowDays);
  return new Set(rows.filter((r) => r.day >= first && r.day <= day).map((r) => r.listenerId)).size;
}

/** DAU over MAU on a day: how much of the month's audience comes on a given day. Null without a month's audience. */
export function stickiness(dau: number, mau: number): number | null {
  return mau === 0 ? null : dau / mau;
}
