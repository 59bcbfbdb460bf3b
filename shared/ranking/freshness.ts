const DAY_MS = 86_400_000;

/**
 * Release dates parsed, by their text: a catalog has far fewer distinct dates than a ranking reads
 * (every exploration draw asks), and Date.parse showed in the route's profile. Emptied when full,
 * so a catalog of many dates costs a re-parse, never unbounded memory.
 */
const releaseTimes = new Map<string, number>();
const RELEASE_TIMES_CAP = 65_536;

function releaseTime(releaseDate: string): number {
  let time = releaseTimes.get(releaseDate);
  if (time === undefined) {
    if (releaseTimes.size >= RELEASE_TIMES_CAP) releaseTimes.clear();
    time = Date.parse(`${releaseDate}T00:00:00Z`);
    releaseTimes.set(releaseDate, time);
  }
  return time;
}

/** Released on or before `now` and no more than `days` earlier; unparseable dates are not new. */
export function isNewRelease(releaseDate: string, now: number, days: number): boolean {
  const age = now - releaseTime(releaseDate);
  return age >= 0 && age <= days * DAY_MS;
}
