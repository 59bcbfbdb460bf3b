import { Hono } from "hono";
import { z } from "zod";
import { problem, problemResponse } from "../../../shared/api/problem";
import { Id } from "../../../shared/api/schemas";
import { validate } from "../../../shared/api/validate";
import type { CatalogTrack } from "../../../shared/publish/artifacts";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { acceptEvents, requestRegion } from "../ingest";
import { catalog, currentModel } from "../model-store";
import { NoQuery } from "./me";

const OnboardingBody = z
  .strictObject({
    artists: z.array(Id).max(20).optional(),
    genres: z.array(z.string().min(1).max(60)).max(10).optional(),
  })
  .refine((b) => (b.artists?.length ?? 0) + (b.genres?.length ?? 0) > 0, "pick at least one artist or genre");

const SEEDS_PER_CHOICE = 5;

/** The most listened tracks of one artist or genre: what stands for that choice in the listener's taste. */
function seedTracks(tracks: Iterable<CatalogTrack>, matches: (t: CatalogTrack) => boolean): CatalogTrack[] {
  return [...tracks]
    .filter(matches)
    .sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))
    .slice(0, SEEDS_PER_CHOICE);
}

/**
 * A new listener picks artists or genres; their best-known tracks are recorded as likes through the
 * same path as any event, so the session and the next retrain both start from them, and the model's
 * neighbour lists (content-based for tracks nobody has played) fill the first recommendations.
 */
export const onboardingApp = new Hono<AppEnv>().post(
  "/onboarding",
  requireRole("client"),
  requireListener(),
  validate("query", NoQuery),
  validate("json", OnboardingBody),
  async (c) => {
    const id = c.var.listener;
    const { artists = [], genres = [] } = c.req.valid("json");
    const model = await currentModel(c.env);
    const snapshot = model ? await catalog(c.env, model.version) : new Map<string, CatalogTrack>();
    const seeds = new Map<string, CatalogTrack>();
    const unknown: { path: string; message: string }[] = [];
    const choose = (path: string, matches: (t: CatalogTrack) => boolean) => {
      const found = seedTracks(snapshot.values(), matches);
      if (found.length === 0) unknown.push({ path, message: "is not in the catalog" });
      for (const t of found) seeds.set(t.id, t);
    };
    artists.forEach((artist, i) => choose(`artists.${i}`, (t) => t.artistId === artist));
    genres.forEach((genre, i) => choose(`genres.${i}`, (t) => t.genre.toLowerCase() === genre.toLowerCase()));
    if (unknown.length > 0) {
      return problemResponse(
        problem(422, `Unknown choices: ${unknown.map((u) => u.path).join(", ")}`, { errors: unknown }),
      );
    }
    const now = Date.now();
    const likes = [...seeds.keys()].map((trackId) => ({
      id: `onboarding-${trackId}`,
      listenerId: id,
      trackId,
      type: "like" as const,
      timestamp: now,
    }));
    const result = await acceptEvents(c.env, likes, seeds, requestRegion(c.req.raw), now);
    return c.json({ listenerId: id, seedTracks: [...seeds.keys()], ...result }, 202);
  },
);
