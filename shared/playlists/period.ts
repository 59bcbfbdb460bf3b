import { TZDate } from "@date-fns/tz";
import { addDays, addHours, addWeeks, startOfDay, startOfHour, startOfWeek } from "date-fns";
import type { Refresh } from "./kinds";

/** The span one generated list stands for: from `start` (inclusive) to `end` (exclusive), in ms. */
export interface Period {
  /** Names the period, such as `2026-11-30` (its local start date) or `2026-12-01T21` for an hour. */
  key: string;
  start: number;
  end: number;
}

/**
 * The period `now` falls in, on the wall clock of `timeZone`: a list of the week starts on Monday
 * 00:00 there (Friday for Release Radar), a daily one at midnight, so the list changes when the
 * listener's own week or day does, daylight-saving days included (date-fns over TZDate).
 */
export function periodOf(refresh: Refresh, now: number, timeZone: string): Period {
  const local = new TZDate(now, timeZone);
  let start: Date, end: Date;
  switch (refresh) {
    case "weekly-monday":
      start = startOfWeek(local, { weekStartsOn: 1 });
      end = addWeeks(start, 1);
      break;
    case "weekly-friday":
      start = startOfWeek(local, { weekStartsOn: 5 });
      end = addWeeks(start, 1);
      break;
    case "daily":
      start = startOfDay(local);
      end = addDays(start, 1);
      break;
    case "hourly":
      start = startOfHour(local);
      end = addHours(start, 1);
      break;
  }
  const iso = new TZDate(start.getTime(), timeZone).toISOString();
  const key = refresh === "hourly" ? iso.slice(0, 13) : iso.slice(0, 10);
  return { key, start: start.getTime(), end: end.getTime() };
}
