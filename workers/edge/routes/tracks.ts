import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../../shared/api/problem";
import { Id, Limit } from "../../../shared/api/schemas";
import { contentNeighbours } from "../../../shared/db/queries";
import { ROLES } from "../../../shared/auth/api-key";
import { requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel, similarTracks } from "../model-store";
import { findTracks, trackSummary } from "../tracks";
import { validate } from "../../../shared/api/validate";
import { NoQuery } from "./me";

const TrackParam = z.strictObject({ id: Id });

export const tracksApp = new Hono<AppEnv>()
  .get("/:id", requireRole(...ROLES), validate("param", TrackParam), validate("query", NoQuery), async (c) => {
    const { id } = c.req.valid("param");
    const model = await currentModel(c.env);
    const track = (await findTracks(c.env, model?.version ?? null, [id])).get(id);
    if (!track) return problemResponse(problem(404, `No track with id ${id}`));
    return c.json({ ...trackSummary(track), popularity: track.popularity, features: track.features });
  })
  .get(
    "/:id/similar",
    requireRole(...ROLES),
    validate("param", TrackParam),
    validate("query", z.strictObject({ limit: Limit(20, 50) })),
    async (c) => {
      const { id } = c.req.valid("param");
      const { limit } = c.req.valid("query");
      const model = await currentModel(c.env);
      const published = model ? await similarTracks(c.env, model.version, id) : null;
      const scored = published
        ? published.slice(0, limit)
        : (await contentNeighbours(c.env.DB, id, limit)).map((t, i) => [t, 1 / (i + 1)] as const);
      const found = await findTracks(c.env, model?.version ?? null, [id, ...scored.map(([t]) => t)]);
      if (!found.has(id)) return problemResponse(problem(404, `No track with id ${id}`));
      return c.json({
        trackId: id,
        source: published ? "model" : "content",
        modelVersion: model?.version ?? null,
        items: scored.flatMap(([t, score]) => {
          const track = found.get(t);
          return track ? [{ ...trackSummary(track), score }] : [];
        }),
      });
    },
  );
