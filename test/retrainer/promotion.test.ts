import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { beforeAll, describe, expect, it } from "vitest";
import { bulkInsertStatements, runInBatches } from "../../shared/db/bulk";
import { events } from "../../shared/db/schema";
import { DEMO_NOW, generateDemoCatalog, generateDemoListeners } from "../../shared/demo";
import { garbledListening, newListening } from "../../shared/demo/perturb";
import { artifactKey } from "../../shared/publish/artifacts";
import type { PromotionDecision } from "../../shared/publish/promotion";
import { seededRandom } from "../../shared/util/random";
import { demoStatements } from "../../workers/retrainer/seed";
import { admin as operator } from "./operator";
import { KEYS_PER_PRUNING_STEP } from "../../workers/retrainer/retrain/prune";
import { runPrefix } from "../../workers/retrainer/retrain/trainer-store";
import { objectsUnder, retrainUntil } from "./retrain-runs";

const admin = (path: string, method = "GET") => operator(path, { method });
/** A retrain of the demo data here takes about 15 s. */
const RETRAIN_TIMEOUT = 120_000;

interface VersionRow {
  version: string;
  status: string;
  listenerCount: number;
  metrics: { holdout: { ndcg: number; recall: number; listeners: number }; promotion?: PromotionDecision };
}

const retrain = async () => (await retrainUntil("complete")) as unknown as VersionRow;

const versionStatuses = async () =>
  Object.fromEntries(
    (
      await env.DB.prepare("SELECT version, status FROM model_versions").all<{ version: string; status: string }>()
    ).results.map((r) => [r.version, r.status]),
  );

const previousPublished = async () =>
  (
    await env.DB.prepare(
      "SELECT version FROM model_versions WHERE status = 'published' AND version != ? ORDER BY published_at DESC LIMIT 1",
    )
      .bind((await live()) ?? "")
      .first<{ version: string }>()
  )?.version;

const live = async () =>
  ((await (await admin("/models")).json()) as { current: { version: string } | null }).current?.version;

const scoredVersions = async () =>
  (
    await env.DB.prepare("SELECT DISTINCT version FROM holdout_scores ORDER BY version").all<{ version: string }>()
  ).results.map((r) => r.version);

const scoredListeners = async (version: string) =>
  (
    await env.DB.prepare("SELECT listener_id FROM holdout_scores WHERE version = ?").bind(version).all<{
      listener_id: string;
    }>()
  ).results.map((r) => r.listener_id);

const setConsent = (listener: string, personalization: boolean) =>
  env.DB.prepare("UPDATE listeners SET consent_personalization = ? WHERE id = ?")
    .bind(personalization ? 1 : 0, listener)
    .run();

const random = seededRandom(11);
const LISTENERS = 120;
/** A listener the first version evaluated, who withdraws personalization consent before the second retrain. */
let withdrawing: string;

describe("model promotion", () => {
  beforeAll(async () => {
    const catalog = generateDemoCatalog(2);
    // The demo clock, not today's: the same listening, and so the same models and figures, on any date.
    const demo = generateDemoListeners(catalog, { seed: 2, count: LISTENERS, now: DEMO_NOW });
    const trimmed = { artists: catalog.artists, tracks: catalog.tracks.slice(0, 1500) };
    const inCatalog = new Set(trimmed.tracks.map((t) => t.id));
    const listening = { ...demo, events: demo.events.filter((e) => inCatalog.has(e.trackId)) };
    await runInBatches(
      env.DB,
      demoStatements(env.DB, trimmed, listening, (id) => id),
    );
  });

  it(
    "publishes the first version with its holdout figures, per listener too",
    async () => {
      const first = await retrain();
      expect(first.status).toBe("published");
      expect(first.metrics.holdout.ndcg).toBeGreaterThan(0);
      expect(first.metrics.promotion).toMatchObject({ promote: true, basis: "no live version" });
      expect(await live()).toBe(first.version);
      expect(await scoredListeners(first.version)).toHaveLength(first.metrics.holdout.listeners);
      // The trainers' states and arrays (in R2 between steps) are let go once the version is written.
      expect(await objectsUnder(runPrefix(first.version))).toEqual([]);
    },
    RETRAIN_TIMEOUT,
  );

  it(
    "promotes a retrain on nearly the same data, judged on the same listeners; without consent a listener is left out",
    async () => {
      const first = (await live())!;
      // A handful of new plays, as after `npm start` and a few requests.
      const stored = (await drizzle(env.DB).select().from(events)).map((e) => ({ ...e }));
      const added = newListening(stored, 13, random, DEMO_NOW, "new");
      await runInBatches(env.DB, bulkInsertStatements(env.DB, events, added, "ignore"));
      withdrawing = (await scoredListeners(first))[0]!;
      await setConsent(withdrawing, false);
      // Figures of a version long gone are pruned once a version is judged.
      await env.DB.prepare(
        "INSERT INTO holdout_scores (version, listener_id, ndcg, recall) VALUES ('v20200101000000-000000', 'demo-1', 0.5, 0.5)",
      ).run();

      const second = await retrain();
      const decision = second.metrics.promotion!;
      console.log(`nearly the same data: ${decision.reason}`);
      expect(second.status).toBe("published");
      expect(decision).toMatchObject({ promote: true, basis: "paired", live: first });
      // Nearly every listener the candidate evaluated, the live version evaluated too.
      expect(decision.pairedListeners).toBeGreaterThan(second.metrics.holdout.listeners * 0.9);
      expect(decision.reason).toMatch(
        /^not clearly worse than live version v\S+ on the \d+ listeners both versions evaluated: NDCG@10/,
      );
      expect(await live()).toBe(second.version);
      expect(await scoredVersions()).toEqual([first, second.version].sort());

      // The listener who withdrew is not in the model: no evaluation, no published candidates.
      expect(second.listenerCount).toBe(LISTENERS - 1);
      expect(await scoredListeners(second.version)).not.toContain(withdrawing);
      expect(await env.MODELS.get(artifactKey.listener(second.version, withdrawing))).toBeNull();
      expect(
        await env.MODELS.get(artifactKey.listener(second.version, (await scoredListeners(second.version))[0]!)),
      ).not.toBeNull();
    },
    RETRAIN_TIMEOUT,
  );

  it(
    "keeps a clearly worse version out and says why, until an operator promotes it; rollback returns",
    async () => {
      const liveVersion = (await live())!;
      // Garbled listening: the events' tracks dealt out again at random, so tastes are noise.
      const stored = (await drizzle(env.DB).select().from(events)).map((e) => ({ ...e }));
      await drizzle(env.DB).delete(events);
      await runInBatches(env.DB, bulkInsertStatements(env.DB, events, garbledListening(stored, random), "ignore"));
      // Consenting again brings the listener back.
      await setConsent(withdrawing, true);

      const challenger = await retrain();
      const decision = challenger.metrics.promotion!;
      console.log(`garbled data: ${decision.reason}`);
      expect(challenger.status).toBe("rejected");
      expect(decision).toMatchObject({ promote: false, basis: "paired", live: liveVersion });
      expect(decision.ndcg!.upperBound).toBeLessThan(-decision.ndcg!.margin);
      expect(decision.reason).toMatch(
        /^clearly worse than live version v\S+ on the \d+ listeners both versions evaluated/,
      );
      expect(decision.reason).toContain(`POST /admin/models/${challenger.version}/promote`);
      expect(await live()).toBe(liveVersion);
      expect(challenger.listenerCount).toBe(LISTENERS);
      expect(await env.MODELS.get(artifactKey.listener(challenger.version, withdrawing))).not.toBeNull();

      expect((await admin(`/models/${challenger.version}/promote`, "POST")).status).toBe(200);
      expect(await live()).toBe(challenger.version);
      expect((await admin("/models/rollback", "POST")).status).toBe(200);
      expect(await live()).toBe(liveVersion);
      expect((await admin("/models/v20990101000000-abcdef/promote", "POST")).status).toBe(404);
    },
    RETRAIN_TIMEOUT,
  );

  it(
    "prunes versions past retention in bounded steps, keeping live, previous and the newest MODEL_VERSIONS_KEPT",
    async () => {
      // Four versions built long ago, the oldest with more keys than one pruning step deletes.
      const old = [1, 2, 3, 4].map((n) => `v2020010${n}000000-00000${n}`);
      for (const [n, version] of old.entries()) {
        await env.DB.prepare(
          "INSERT INTO model_versions (version, algorithm, status, trigger, created_at, published_at) VALUES (?, 'hybrid', 'published', 'cron', ?, ?)",
        )
          .bind(version, n, n)
          .run();
        const keys = n === 0 ? KEYS_PER_PRUNING_STEP + 100 : 3;
        await Promise.all(
          Array.from({ length: keys }, (_, k) => env.MODELS.put(artifactKey.listener(version, `l${k}`), "{}")),
        );
        await env.ARTIFACTS.put(`${artifactKey.versionPrefix(version)}catalog`, "{}");
      }
      await retrainUntil("complete", async (instance) => {
        // Each step deletes at most a page of keys: the oldest version took two.
        expect(await instance.waitForStepResult({ name: `prune ${old[0]} keys 0` })).toEqual(expect.any(String));
        expect(await instance.waitForStepResult({ name: `prune ${old[0]} keys 1` })).toBeNull();
      });
      const newest = (
        await env.DB.prepare("SELECT version FROM model_versions ORDER BY created_at DESC LIMIT ?")
          .bind(Number(env.MODEL_VERSIONS_KEPT))
          .all<{ version: string }>()
      ).results.map((r) => r.version);
      const kept = new Set([(await live())!, (await previousPublished())!, ...newest]);
      const statuses = await versionStatuses();
      expect(Object.keys(statuses).length).toBeGreaterThan(kept.size);
      for (const [version, status] of Object.entries(statuses)) {
        const keys = (await env.MODELS.list({ prefix: artifactKey.versionPrefix(version) })).keys.length;
        const objects = (await objectsUnder(artifactKey.versionPrefix(version))).length;
        if (kept.has(version)) {
          expect(status).not.toBe("pruned");
          expect(keys).toBeGreaterThan(0);
        } else {
          expect([version, status, keys, objects]).toEqual([version, "pruned", 0, 0]);
        }
      }
      expect(await scoredVersions()).not.toContain(old[0]);
    },
    RETRAIN_TIMEOUT,
  );
});
