/**
 * How many listeners an aggregate of a group (a region, a day's KPI row) must count before it is shown to
 * anyone: below this, what it says of the group could single one of them out. One number for everything
 * Setlist publishes or keeps of a group: a region's chart and exploration pools, and the KPI rows whose raw
 * events are folded.
 */
export const MIN_CROWD = 5;

/**
 * What of a group's plays may be shown to the group: the tracks at least MIN_CROWD of its listeners played,
 * so a small region never learns what one of its listeners alone plays.
 */
export function crowdPlayed<T extends { listeners: number }>(played: readonly T[]): T[] {
  return played.filter((p) => p.listeners >= MIN_CROWD);
}

/**
 * A group's own chart: its `length` most played tracks (`played` most listened first), once at least
 * MIN_CROWD of its listeners played every one of them; null before that, and its listeners hear the wider
 * chart instead, so a region's chart is never a short list led by what a handful of its listeners play.
 */
export function crowdChart(played: readonly { trackId: string; listeners: number }[], length: number): string[] | null {
  const chart = played.slice(0, length);
  return chart.length === length && crowdPlayed(chart).length === length ? chart.map((p) => p.trackId) : null;
}
