import type { ListenerDay } from "./actives";
import { addDays, weekOf } from "./days";

export const RETENTION_DAYS = [1, 7, 30] as const;

export interface Cohort {
  /** The Monday of the week its listeners were first seen. */
  week: string;
  listeners: number;
  /** Per k: the share of the cohort's listeners whose day k after their first day has come by `asOf` who were active on it. */
  d1: number | null;
  d7: number | null;
  d30: number | null;
}

/**
 * Weekly cohort retention: listeners grouped by the week of their first active day; Dk is the share
 * of them active again exactly k days after their own first day. Listeners whose day k lies after
 * `asOf` are not counted for Dk (not yet known), and a cohort none of whose day k has come gets null.
 */
export function cohortRetention(rows: readonly ListenerDay[], asOf: string): Cohort[] {
  const days = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = days.get(r.listenerId) ?? new Set<string>();
    set.add(r.day);
    days.set(r.listenerId, set);
  }
  const cohorts = new Map<string, { listeners: number; due: number[]; back: number[] }>();
  for (const active of days.values()) {
    const first = [...active].sort()[0]!;
    const week = weekOf(first);
    const c = cohorts.get(week) ?? { listeners: 0, due: [0, 0, 0], back: [0, 0, 0] };
    c.listeners++;
    RETENTION_DAYS.forEach((k, i) => {
      const day = addDays(first, k);
      if (day > asOf) return;
      c.due[i]!++;
      if (active.has(day)) c.back[i]!++;
    });
    cohorts.set(week, c);
  }
  const share = (c: { due: number[]; back: number[] }, i: number) => (c.due[i] ? c.back[i]! / c.due[i]! : null);
  return [...cohorts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, c]) => ({ week, listeners: c.listeners, d1: share(c, 0), d7: share(c, 1), d30: share(c, 2) }));
}
