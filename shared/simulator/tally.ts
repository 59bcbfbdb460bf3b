import type { SessionOutcome } from "./session";

/** What the simulator saw of a set of sessions (a day, a surface): its own figures, not the service's KPIs. */
export interface Tally {
  sessions: number;
  plays: number;
  earlySkips: number;
  completes: number;
  likes: number;
  lengthMs: number;
}

export const emptyTally = (): Tally => ({ sessions: 0, plays: 0, earlySkips: 0, completes: 0, likes: 0, lengthMs: 0 });

/** Adds a session that played anything to `tally`. */
export function count(tally: Tally, session: SessionOutcome): void {
  if (session.plays === 0) return;
  tally.sessions++;
  tally.plays += session.plays;
  tally.earlySkips += session.earlySkips;
  tally.completes += session.completes;
  tally.likes += session.likes;
  tally.lengthMs += session.lengthMs;
}

/** Skips before 30 s over listens started, as the KPIs define the skip rate. */
export const skipRate = (t: Tally) => (t.plays === 0 ? 0 : t.earlySkips / t.plays);
export const meanSessionMinutes = (t: Tally) => (t.sessions === 0 ? 0 : t.lengthMs / t.sessions / 60_000);

export function describe(t: Tally): string {
  return (
    `${t.sessions} sessions, ${t.plays} plays, skip rate ${(100 * skipRate(t)).toFixed(1)}%, ` +
    `mean session ${meanSessionMinutes(t).toFixed(1)} min, ${t.likes} likes`
  );
}
