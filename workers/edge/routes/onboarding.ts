import { z } from "zod";
import { apiApp, createRoute, errorResponses, json, jsonBody, problemJson } from "../../../shared/api/openapi";
import { Onboarded } from "../../../shared/api/responses";
import { Id, NoQuery } from "../../../shared/api/schemas";
import { genreName } from "../../../shared/catalog/features";
import { tracksOf } from "../../../shared/db/queries";
import { sha256Hex } from "../../../shared/util/hash";
import type { CatalogTrack } from "../../../shared/publish/artifacts";
import { forListener } from "../auth/require";
import type { AppEnv } from "../env";
import { acceptEvents, requestRegion } from "../ingest";
import { browseTracks, currentModel } from "../model-store";
import { catalogUnavailable, Degradation, degradedField } from "../degraded";

const OnboardingBody = z
  .strictObject({
    artists: z.array(Id).max(20).optional(),
    genres: z.array(z.string().min(1).max(60)).max(10).optional(),
  })
  .refine((b) => (b.artists?.length ?? 0) + (b.genres?.length ?? 0) > 0, "pick at least one artist or genre");

const SEEDS_PER_CHOICE = 5;

type Choice = { artistId: string } | { genre: string };

const matches = (choice: Choice) => (t: CatalogTrack) =>
  "artistId" in choice ? t.artistId === choice.artistId : genreName(t.genre) === choice.genre;

/** The most listened tracks of one artist or genre: what stands for that choice in the listener's taste. */
function seedTracks(tracks: Iterable<CatalogTrack>, choice: Choice): CatalogTrack[] {
  return [...tracks]
    .filter(matches(choice))
    .sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))
    .slice(0, SEEDS_PER_CHOICE);
}

/**
 * The like's id is derived from the track, so a retried onboarding repeats the same ids and is
 * deduplicated; hashed, because a 64-character track id leaves no room for a prefix under the id limit.
 */
async function onboardingEventId(trackId: string): Promise<string> {
  return `onboarding-${(await sha256Hex(trackId)).slice(0, 32)}`;
}

/**
 * A new listener picks artists or genres; their best-known tracks are recorded as likes through the
 * same path as any event, so the session and the next retrain both start from them, and the model's
 * neighbour lists (content-based for tracks nobody has played) fill the first recommendations.
 * Without the published catalog (before the first publish, or while KV is down) the choices are
 * looked up in D1.
 */
const postOnboarding = createRoute({
  method: "post",
  path: "/onboarding",
  tags: ["Listener"],
  summary: "A new listener picks artists or genres to start from",
  ...forListener("client"),
  request: {
    query: NoQuery,
    body: jsonBody(OnboardingBody, {
      jazzAndAnArtist: { summary: "A genre and an artist", value: { genres: ["jazz"], artists: ["art-0002"] } },
    }),
  },
  responses: {
    202: json(Onboarded, "The choices' best-known tracks, recorded as likes"),
    ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503),
  },
});

export const onboardingApp = apiApp<AppEnv>().openapi(postOnboarding, async (c) => {
  const id = c.var.listener;
  const { artists = [], genres = [] } = c.req.valid("json");
  const degraded = new Degradation();
  const model = await degraded.read("kv", () => currentModel(c.env), null);
  const browse = model ? await degraded.read("kv", () => browseTracks(c.env, model.version), null) : null;
  // The browse set holds the best-known tracks; a choice outside it (or with KV down) is looked up in D1.
  const find = async (choice: Choice): Promise<CatalogTrack[]> => {
    const known = browse ? seedTracks(browse.values(), choice) : [];
    if (known.length > 0) return known;
    return (await degraded.read("d1", () => tracksOf(c.env.DB, choice, SEEDS_PER_CHOICE), [])).map((t) => ({
      ...t,
      popularity: 0,
    }));
  };
  const choices = [
    ...artists.map((artistId, i) => ({ path: `artists.${i}`, choice: { artistId } })),
    ...genres.map((genre, i) => ({ path: `genres.${i}`, choice: { genre: genreName(genre) } })),
  ];
  const found = await Promise.all(choices.map(({ choice }) => find(choice)));
  const unknown = choices.flatMap(({ path }, i) =>
    found[i]!.length === 0 ? [{ path, message: "is not in the catalog" }] : [],
  );
  if (unknown.length > 0) {
    // With D1 unreadable too, no store could say whether the choice exists.
    if (degraded.stores.includes("d1")) return catalogUnavailable(c, degraded);
    return problemJson(c, 422, `Unknown choices: ${unknown.map((u) => u.path).join(", ")}`, { errors: unknown });
  }
  const seeds = new Map(found.flat().map((t) => [t.id, t]));
  const now = Date.now();
  const likes = await Promise.all(
    [...seeds.keys()].map(async (trackId) => ({
      id: await onboardingEventId(trackId),
      trackId,
      type: "like" as const,
      timestamp: now,
    })),
  );
  const result = await acceptEvents(c.env, c.var.pseudonym, likes, seeds, requestRegion(c.req.raw), now);
  return c.json({ listenerId: id, seedTracks: [...seeds.keys()], ...result, ...degradedField(degraded.stores) }, 202);
});
