import { servedBy } from "../../../shared/analytics/attribution";
import { apiApp, createRoute, errorResponses, json } from "../../../shared/api/openapi";
import { NowPlaying, Recommendations } from "../../../shared/api/responses";
import { ContextQuery, Limit, NoQuery, Region } from "../../../shared/api/schemas";
import { forListener } from "../auth/require";
import { Degradation, findTracksDegrading } from "../degraded";
import type { AppEnv } from "../env";
import { sessionOf } from "../listener";
import { currentModel } from "../model-store";
import { recommend } from "../recommend";
import { trackSummary } from "../tracks";

const getRecommendations = createRoute({
  method: "get",
  path: "/recommendations",
  tags: ["Listener"],
  summary: "Personal recommendations, each with a reason",
  description:
    "Without an activity the time of day sets the mood. `exploration: true` marks the share of slots given to tracks from outside the listener's usual neighbourhood.",
  ...forListener("client"),
  request: {
    query: ContextQuery.extend({
      limit: Limit(20, 100).meta({ example: "5" }),
      region: Region.optional().meta({ description: "ISO 3166-1 alpha-2 country code" }),
    }),
  },
  responses: {
    200: json(Recommendations, "The listener's recommendations, in the order to play"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

const getNowPlaying = createRoute({
  method: "get",
  path: "/now-playing",
  tags: ["Listener"],
  summary: "What the listener's last active device reported, so another device can pick up",
  ...forListener("client"),
  request: { query: NoQuery },
  responses: {
    200: json(NowPlaying, "The track, device and projected position, or `nowPlaying: null`"),
    ...errorResponses(400, 401, 403, 429, 503),
  },
});

/**
 * The signed-in listener's own routes. The listener is the token's, never a path segment, so no raw
 * id travels in a URL: request logs, traces and caches see only `/v1/me/...`.
 */
export const meApp = apiApp<AppEnv>()
  .openapi(getRecommendations, async (c) => {
    const id = c.var.listener;
    const { limit, region, ...context } = c.req.valid("query");
    const result = await recommend(c.env, c.var.pseudonym, { limit, context, region });
    return c.json(
      {
        listenerId: id,
        modelVersion: result.modelVersion,
        ...servedBy("recommendations", result.modelVersion),
        source: result.source,
        degraded: result.degraded,
        personalized: result.personalized,
        items: result.items.flatMap((item, i) => {
          const track = result.tracks.get(item.trackId);
          return track
            ? [
                {
                  rank: i + 1,
                  ...trackSummary(track),
                  score: Math.round(item.score * 1e4) / 1e4,
                  reason: item.reason,
                  exploration: item.exploration,
                },
              ]
            : [];
        }),
      },
      200,
    );
  })
  /** The position is projected forward from the last report while the track would still be playing. */
  .openapi(getNowPlaying, async (c) => {
    const id = c.var.listener;
    const now = Date.now();
    const degraded = new Degradation();
    const pseudonym = c.var.pseudonym;
    const view = await degraded.read("session", () => sessionOf(c.env, pseudonym).snapshot(now), null);
    const playing = view?.state.nowPlaying;
    if (!view || !playing) return c.json({ listenerId: id, nowPlaying: null, degraded: degraded.stores }, 200);
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const track = (await findTracksDegrading(c.env, degraded, model?.version ?? null, [playing.trackId])).get(
      playing.trackId,
    );
    const duration = track?.features.durationMs ?? playing.positionMs;
    return c.json(
      {
        listenerId: id,
        degraded: degraded.stores,
        nowPlaying: {
          track: track ? trackSummary(track) : { id: playing.trackId },
          device: playing.device,
          reportedPositionMs: playing.positionMs,
          positionMs: Math.min(duration, playing.positionMs + Math.max(0, now - playing.updatedAt)),
          updatedAt: new Date(playing.updatedAt).toISOString(),
          devices: view.state.devices,
        },
      },
      200,
    );
  });
