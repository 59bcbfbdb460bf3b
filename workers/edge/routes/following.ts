import { Hono } from "hono";
import { problem, problemResponse } from "../../../shared/api/problem";
import { ArtistRef, NoQuery } from "../../../shared/api/schemas";
import { validate } from "../../../shared/api/validate";
import { requireListener, requireRole } from "../auth/require";
import { catalogUnavailable, Degradation } from "../degraded";
import type { AppEnv, Env } from "../env";
import { artistsNamed } from "../library";
import { sessionOf } from "../listener";

const ownData = [requireRole("client"), requireListener(), validate("query", NoQuery)] as const;
const artistRoute = [...ownData, validate("param", ArtistRef)] as const;

/**
 * The artists the listener follows (Release Radar reads them). Following is the listener's own
 * choice, kept in their session object; each answer is the whole list, with the artists' names.
 */
export const followingApp = new Hono<AppEnv>()
  .get("/", ...ownData, async (c) => c.json(await followingBody(c.env, c.var.pseudonym, new Degradation())))
  .put("/:artistId", ...artistRoute, async (c) => {
    const { artistId } = c.req.valid("param");
    const degraded = new Degradation();
    const known = await artistsNamed(c.env, degraded, [artistId]);
    if (!known.has(artistId)) return unknownArtist(artistId, degraded);
    await sessionOf(c.env, c.var.pseudonym).follow(artistId);
    return c.json(await followingBody(c.env, c.var.pseudonym, degraded));
  })
  .delete("/:artistId", ...artistRoute, async (c) => {
    const { artistId } = c.req.valid("param");
    const degraded = new Degradation();
    // An artist followed and since gone from the catalog can still be unfollowed.
    if (!(await sessionOf(c.env, c.var.pseudonym).unfollow(artistId))) {
      const known = await artistsNamed(c.env, degraded, [artistId]);
      if (!known.has(artistId)) return unknownArtist(artistId, degraded);
    }
    return c.json(await followingBody(c.env, c.var.pseudonym, degraded));
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

function unknownArtist(artistId: string, degraded: Degradation): Response {
  // With D1 unreadable, no store could say whether the artist exists.
  if (degraded.stores.includes("d1")) return catalogUnavailable(degraded);
  return problemResponse(
    problem(404, `No artist ${artistId} in the catalog`, {
      errors: [{ path: "artistId", message: "is not in the catalog" }],
    }),
  );
}
