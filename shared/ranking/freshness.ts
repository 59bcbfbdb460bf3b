const DAY_MS = 86_400_000;

/** Released on or before `now` and no more than `days` earlier; unparseable dates are not new. */
export function isNewRelease(releaseDate: string, now: number, days: number): boolean {
  const released = Date.parse(`${releaseDate}T00:00:00Z`);
  const age = now - released;
  return age >= 0 && age <= days * DAY_MS;
}
