import { and, eq, gte, inArray, notInArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { bulkInsertStatements, runInBatches } from "../../shared/db/bulk";
import { erasures, holdoutScores, modelVersions } from "../../shared/db/schema";
import type { ListenerScore } from "../../shared/model";
import type { GateInput, HoldoutMetrics, ListenerFigures } from "../../shared/publish/promotion";

/** Listeners erased since `version` began training: what its writes must leave out. */
export async function erasedSince(db: D1Database, version: string): Promise<Set<string>> {
  const d = drizzle(db);
  const [row] = await d
    .select({ createdAt: modelVersions.createdAt })
    .from(modelVersions)
    .where(eq(modelVersions.version, version));
  const erased = await d
    .select({ listener: erasures.listenerId })
    .from(erasures)
    .where(gte(erasures.erasedAt, row?.createdAt ?? 0));
  return new Set(erased.map((e) => e.listener));
}

/**
 * Keeps a version's figures for each listener its holdout twin evaluated, by pseudonym (`listeners` is the
 * twin's index). Idempotent for a redelivered job; an erasure that lands meanwhile is not undone by it.
 */
export async function storeHoldoutScores(
  db: D1Database,
  version: string,
  listeners: readonly string[],
  scores: readonly ListenerScore[],
): Promise<void> {
  const erased = await erasedSince(db, version);
  const rows = scores
    .map((s) => ({ version, listenerId: listeners[s.listener]!, ndcg: s.ndcg, recall: s.recall }))
    .filter((r) => !erased.has(r.listenerId));
  await runInBatches(db, bulkInsertStatements(db, holdoutScores, rows, "replace"));
  const erasedMeanwhile = [...(await erasedSince(db, version))].filter((id) => !erased.has(id));
  for (let i = 0; i < erasedMeanwhile.length; i += 90) {
    await drizzle(db)
      .delete(holdoutScores)
      .where(
        and(eq(holdoutScores.version, version), inArray(holdoutScores.listenerId, erasedMeanwhile.slice(i, i + 90))),
      );
  }
}

/** What the promotion gate knows of a version: its holdout averages and its listeners' figures. */
export async function gateInput(db: D1Database, version: string, holdout: HoldoutMetrics): Promise<GateInput> {
  const rows = await drizzle(db)
    .select({ listenerId: holdoutScores.listenerId, ndcg: holdoutScores.ndcg, recall: holdoutScores.recall })
    .from(holdoutScores)
    .where(eq(holdoutScores.version, version));
  const listeners = new Map<string, ListenerFigures>(
    rows.map((r) => [r.listenerId, { ndcg: r.ndcg, recall: r.recall }]),
  );
  return { version, holdout, listeners };
}

/** Drops the figures of every version but `keep`: the gate only ever compares with the live version. */
export async function pruneHoldoutScores(db: D1Database, keep: readonly string[]): Promise<void> {
  await drizzle(db)
    .delete(holdoutScores)
    .where(notInArray(holdoutScores.version, [...keep]));
}
