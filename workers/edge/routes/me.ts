import { Hono } from "hono";
import { z } from "zod";
import { ContextQuery, Limit, NoQuery, Region } from "../../../shared/api/schemas";
import { requireListener, requireRole } from "../auth/require";
import { Degradation, findTracksDegrading } from "../degraded";
import type { AppEnv } from "../env";
import { sessionOf } from "../listener";
import { currentModel } from "../model-store";
import { recommend } from "../recommend";
import { trackSummary } from "../tracks";
import { validate } from "../../../shared/api/validate";

/**
 * The signed-in listener's own routes. The listener is the token's, never a path segment, so no raw
 * id travels in a URL: request logs, traces and caches see only `/v1/me/...`.
 */
export const meApp = new Hono<AppEnv>()
  .get(
    "/recommendations",
    requireRole("client"),
    requireListener(),
    validate("query", ContextQuery.extend({ limit: Limit(20, 100), region: Region.optional() })),
    async (c) => {
      const id = c.var.listener;
      const { limit, region, ...context } = c.req.valid("query");
      const result = await recommend(c.env, c.var.pseudonym, { limit, context, region });
      return c.json({
        listenerId: id,
        modelVersion: result.modelVersion,
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
      });
    },
  )
  /**
   * What the listener's last active device reported, so another device can pick up playback. The
   * position is projected forward from the last report while the track would still be playing.
   */
  .get("/now-playing", requireRole("client"), requireListener(), validate("query", NoQuery), async (c) => {
    const id = c.var.listener;
    const now = Date.now();
    const degraded = new Degradation();
    const pseudonym = c.var.pseudonym;
    const view = await degraded.read("session", () => sessionOf(c.env, pseudonym).snapshot(now), null);
    const playing = view?.state.nowPlaying;
    if (!view || !playing) return c.json({ listenerId: id, nowPlaying: null, degraded: degraded.stores });
    const model = await degraded.read("kv", () => currentModel(c.env), null);
    const track = (await findTracksDegrading(c.env, degraded, model?.version ?? null, [playing.trackId])).get(
      playing.trackId,
    );
    const duration = track?.features.durationMs ?? playing.positionMs;
    return c.json({
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
    });
  });
