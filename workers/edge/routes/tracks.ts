import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../../shared/api/problem";
import { Id, Limit, NoQuery } from "../../../shared/api/schemas";
import { contentNeighbours } from "../../../shared/db/queries";
import { ROLES } from "../../../shared/auth/api-key";
import { requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel, similarTracks } from "../model-store";
import { catalogUnavailable, Degradation, findTracksDegrading } from "../degraded";
import { trackSummary } from "../tracks";
import { validate } from "../../../shared/api/validate";

const TrackParam = z.strictObject({ id: Id });

/** 404 only when a store could say so; with D1 unreadable too, nobody knows. */
function missingTrack(id: string, degraded: Degradation): Response {
  return degraded.stores.includes("d1")
    ? catalogUnavailable(degraded)
    : problemResponse(problem(404, `No track with id ${id}`));
}

export const tracksApp = new Hono<AppEnv>()
  .get("/:id", requireRole(...ROLES), validate("param", TrackParam), validate("query", NoQuery), async (c) => {
    const { id } = c.req.valid("param");
    const degraded = new Degradation();
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const track = (await findTracksDegrading(c.env, degraded, model?.version ?? null, [id])).get(id);
    if (!track) return missingTrack(id, degraded);
    return c.json({
      ...trackSummary(track),
      popularity: track.popularity,
      features: track.features,
      degraded: degraded.stores,
    });
  })
  .get(
    "/:id/similar",
    requireRole(...ROLES),
    validate("param", TrackParam),
    validate("query", z.strictObject({ limit: Limit(20, 50) })),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit } = c.req.valid("query");
      const degraded = new Degradation();
      const model = await degraded.read("kv", () => currentModel(c.env), null);
      const published = model ? await degraded.read("kv", () => similarTracks(c.env, model.version, id), null) : null;
      const scored = published
        ? published.slice(0, limit)
        : (await degraded.read("d1", () => contentNeighbours(c.env.DB, id, limit), [])).map(
            (t, i) => [t, 1 / (i + 1)] as const,
          );
      const found = await findTracksDegrading(c.env, degraded, model?.version ?? null, [id, ...scored.map(([t]) => t)]);
      if (!found.has(id)) return missingTrack(id, degraded);
      return c.json({
        trackId: id,
        source: published ? "model" : "content",
        modelVersion: model?.version ?? null,
        degraded: degraded.stores,
        items: scored.flatMap(([t, score]) => {
          const track = found.get(t);
          return track ? [{ ...trackSummary(track), score }] : [];
        }),
      });
    },
  );
