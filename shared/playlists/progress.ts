/**
 * Where a listener is in one of their lists, on whichever device: the position (0-based) of the
 * track to play next, for one version of the list (a generated kind's period; a new week's Discover
 * Weekly starts from the top).
 */
export interface ListProgress {
  listId: string;
  periodKey: string;
  position: number;
  updatedAt: number;
}

/** A list as progress sees it: which version it is and its tracks in order. */
export interface ListOrder {
  periodKey: string;
  trackIds: readonly string[];
}

/** The position a list stands at: the stored one while it is of the same version, else its start. */
export function positionIn(list: ListOrder, progress: ListProgress | null): number {
  return progress && progress.periodKey === list.periodKey ? progress.position : 0;
}

/**
 * The position after the listener played (or skipped) `trackId` of the list at `at`: the track after
 * it, wherever they were before, since that is where they left off. Null when it changes nothing: a
 * track not in the list, or a report older than what moved the progress last (a phone sending
 * offline plays late must not pull back what the speaker has played since).
 */
export function positionAfterPlay(
  list: ListOrder,
  progress: ListProgress | null,
  trackId: string,
  at: number,
): number | null {
  const index = list.trackIds.indexOf(trackId);
  if (index < 0) return null;
  if (progress && progress.periodKey === list.periodKey && progress.updatedAt > at) return null;
  return index + 1;
}
