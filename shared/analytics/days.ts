/** KPI buckets are UTC days, named `YYYY-MM-DD`; weeks start on Monday. */
export const DAY_MS = 86_400_000;

export function dayOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  return dayOf(dayStart(day) + n * DAY_MS);
}

/** The Monday of the week `day` is in. */
export function weekOf(day: string): string {
  const weekday = (new Date(dayStart(day)).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push(d);
  return days;
}
