import type { Context } from "hono";
import { z } from "zod";
import { apiApp, createRoute, errorResponses, json, problemJson } from "../../../shared/api/openapi";
import { SimilarTracks, Track } from "../../../shared/api/responses";
import { Id, Limit, NoQuery } from "../../../shared/api/schemas";
import { contentNeighbours } from "../../../shared/db/queries";
import { ROLES } from "../../../shared/auth/api-key";
import { forApp } from "../auth/require";
import type { AppEnv } from "../env";
import { currentModel, similarTracks } from "../model-store";
import { catalogUnavailable, Degradation, findTracksDegrading } from "../degraded";
import { trackSummary } from "../tracks";

const TrackParam = z.strictObject({ id: Id.meta({ example: "trk-00042" }) });

/** 404 only when a store could say so; with D1 unreadable too, nobody knows. */
function missingTrack(c: Context, id: string, degraded: Degradation) {
  return degraded.stores.includes("d1")
    ? catalogUnavailable(c, degraded)
    : problemJson(c, 404, `No track with id ${id}`);
}

const getTrack = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Tracks"],
  summary: "A track: metadata, popularity and audio features",
  ...forApp(...ROLES),
  request: { params: TrackParam, query: NoQuery },
  responses: {
    200: json(Track, "The track"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

const getSimilar = createRoute({
  method: "get",
  path: "/{id}/similar",
  tags: ["Tracks"],
  summary: "Tracks that sound or are listened to like this one",
  ...forApp(...ROLES),
  request: { params: TrackParam, query: z.strictObject({ limit: Limit(20, 50).meta({ example: "10" }) }) },
  responses: {
    200: json(SimilarTracks, "Similar tracks, most similar first"),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
});

export const tracksApp = apiApp<AppEnv>()
  .openapi(getTrack, async (c) => {
    const { id } = c.req.valid("param");
    const degraded = new Degradation();
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const track = (await findTracksDegrading(c.env, degraded, model?.version ?? null, [id])).get(id);
    if (!track) return missingTrack(c, id, degraded);
    return c.json(
      { ...trackSummary(track), popularity: track.popularity, features: track.features, degraded: degraded.stores },
      200,
    );
  })
  .openapi(getSimilar, async (c) => {
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
    if (!found.has(id)) return missingTrack(c, id, degraded);
    return c.json(
      {
        trackId: id,
        source: published ? ("model" as const) : ("content" as const),
        modelVersion: model?.version ?? null,
        degraded: degraded.stores,
        items: scored.flatMap(([t, score]) => {
          const track = found.get(t);
          return track ? [{ ...trackSummary(track), score }] : [];
        }),
      },
      200,
    );
  });
