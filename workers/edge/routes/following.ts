import type { Context } from "hono";
import { z } from "zod";
import { apiApp, createRoute, errorResponses, json, problemJson } from "../../../shared/api/openapi";
import { Following } from "../../../shared/api/responses";
import { ArtistRef, NoQuery } from "../../../shared/api/schemas";
import { forListener } from "../auth/require";
import { catalogUnavailable, Degradation } from "../degraded";
import type { AppEnv, Env } from "../env";
import { artistsNamed } from "../library";
import { sessionOf } from "../listener";

const ownData = { ...forListener("client"), tags: ["Following"] };
const Artist = z.strictObject({ artistId: ArtistRef.shape.artistId.meta({ example: "art-0002" }) });
const answer = json(Following, "Every artist the listener now follows");
const refusals = errorResponses(400, 401, 403, 404, 429, 503);

const listFollowing = createRoute({
  method: "get",
  path: "/",
  summary: "The artists the listener follows",
  ...ownData,
  request: { query: NoQuery },
  responses: { 200: answer, ...errorResponses(400, 401, 403, 429, 503) },
});

const follow = createRoute({
  method: "put",
  path: "/{artistId}",
  summary: "Follows an artist of the catalog (Release Radar reads follows)",
  ...ownData,
  request: { params: Artist, query: NoQuery },
  responses: { 200: answer, ...refusals },
});

const unfollow = createRoute({
  method: "delete",
  path: "/{artistId}",
  summary: "Stops following an artist (one since gone from the catalog too)",
  ...ownData,
  request: { params: Artist, query: NoQuery },
  responses: { 200: answer, ...refusals },
});

/**
 * The artists the listener follows (Release Radar reads them). Following is the listener's own
 * choice, kept in their session object; each answer is the whole list, with the artists' names.
 */
export const followingApp = apiApp<AppEnv>()
  .openapi(listFollowing, async (c) => c.json(await followingBody(c.env, c.var.pseudonym, new Degradation()), 200))
  .openapi(follow, async (c) => {
    const { artistId } = c.req.valid("param");
    const degraded = new Degradation();
    const known = await artistsNamed(c.env, degraded, [artistId]);
    if (!known.has(artistId)) return unknownArtist(c, artistId, degraded);
    await sessionOf(c.env, c.var.pseudonym).follow(artistId);
    return c.json(await followingBody(c.env, c.var.pseudonym, degraded), 200);
  })
  .openapi(unfollow, async (c) => {
    const { artistId } = c.req.valid("param");
    const degraded = new Degradation();
    // An artist followed and since gone from the catalog can still be unfollowed.
    if (!(await sessionOf(c.env, c.var.pseudonym).unfollow(artistId))) {
      const known = await artistsNamed(c.env, degraded, [artistId]);
      if (!known.has(artistId)) return unknownArtist(c, artistId, degraded);
    }
    return c.json(await followingBody(c.env, c.var.pseudonym, degraded), 200);
  });

async function followingBody(env: Env, pseudonym: string, degraded: Degradation) {
  const following = await sessionOf(env, pseudonym).following();
  const names = await artistsNamed(
    env,
    degraded,
    following.map((f) => f.artistId),
  );
  return {
    artists: following.map((f) => ({
      id: f.artistId,
      name: names.get(f.artistId) ?? null,
      followedAt: new Date(f.followedAt).toISOString(),
    })),
    degraded: degraded.stores,
  };
}

function unknownArtist(c: Context, artistId: string, degraded: Degradation) {
  // With D1 unreadable, no store could say whether the artist exists.
  if (degraded.stores.includes("d1")) return catalogUnavailable(c, degraded);
  return problemJson(c, 404, `No artist ${artistId} in the catalog`, {
    errors: [{ path: "artistId", message: "is not in the catalog" }],
  });
}
