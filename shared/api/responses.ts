/**
 * The shapes of the API's answers, documented in /openapi.json and typed for the client. Routes
 * answer through `c.json(body, status)` against these, so a handler that strays from its documented
 * shape fails to compile; the examples test checks real answers against them too.
 */
import { z } from "zod";
import { DEVICES } from "../catalog/types";
import { RecommendationId } from "../analytics/attribution";
import { PLAYLIST_KINDS } from "../playlists";
import { TrackInput } from "./schemas";

/** The stores an answer had to do without (empty when none). */
export const Degraded = z
  .array(z.enum(["kv", "d1", "session", "r2"]))
  .meta({ description: "Stores that could not be read for this answer; it is a lesser answer, not an error" });

export const Reason = z
  .object({
    code: z.enum([
      "because_you_played",
      "similar_to_liked",
      "fits_context",
      "new_release",
      "new_for_you",
      "popular_in_region",
      "for_you",
      "familiar",
      "fits_playlist",
      "similar_to_seed",
    ]),
    text: z.string().meta({ example: "Because you played Lantern" }),
  })
  .meta({ id: "Reason" });

export const AudioFeatures = TrackInput.shape.features.meta({ id: "AudioFeatures" });

export const TrackSummary = z
  .object({
    id: z.string().meta({ example: "trk-00042" }),
    title: z.string(),
    artist: z.object({ id: z.string(), name: z.string() }),
    album: z.object({ id: z.string(), title: z.string() }),
    genre: z.string(),
    releaseDate: z.string().meta({ description: "YYYY-MM-DD" }),
    durationMs: z.number().int(),
  })
  .meta({ id: "TrackSummary" });

/** What served a personal answer; clients echo it in the events of what they play from it. */
const Served = RecommendationId.meta({
  description:
    "This answer's recommendation id: send it back as `context.recommendationId` in the events of tracks played from it, so they are credited to what served them",
  example: "r1.recommendations.v20261201120000-3f9a1c.-.mx4na800.1f0c9a7e",
});

export const Health = z.object({ status: z.literal("ok") });

export const Recommendations = z
  .object({
    listenerId: z.string(),
    modelVersion: z.string().nullable(),
    recommendationId: Served,
    source: z.string().meta({ description: "`model`, `history` or `charts`: where the candidates came from" }),
    degraded: Degraded,
    personalized: z.boolean(),
    items: z.array(
      TrackSummary.extend({
        rank: z.number().int(),
        score: z.number(),
        reason: Reason,
        exploration: z.boolean(),
      }),
    ),
  })
  .meta({ id: "Recommendations" });

export const NowPlaying = z
  .object({
    listenerId: z.string(),
    degraded: Degraded,
    nowPlaying: z
      .object({
        track: z.union([TrackSummary, z.object({ id: z.string() })]),
        device: z.enum(DEVICES).nullable(),
        reportedPositionMs: z.number(),
        positionMs: z.number(),
        updatedAt: z.string(),
        devices: z.partialRecord(z.enum(DEVICES), z.number()),
      })
      .nullable(),
  })
  .meta({ id: "NowPlaying" });

export const Consent = z
  .object({ personalization: z.boolean(), analytics: z.boolean() })
  .meta({ id: "Consent", description: "What the listener agreed to; both default to on" });

export const ListenerExport = z.object({ listenerId: z.string(), exportedAt: z.string() }).catchall(z.unknown()).meta({
  id: "ListenerExport",
  description:
    "Everything held about the listener: profile, consent, events, sessions, live session, pending deliveries, recommendations, generated playlists, follows, the event lake's lines (lakeEvents)",
});

export const Erasure = z.object({
  listenerId: z.string(),
  erased: z.literal(true),
  removed: z.object({
    events: z.number().int(),
    modelVersions: z.number().int(),
    /** Event-lake objects rewritten without the listener's lines; the rest follow in the background if true. */
    lakeObjects: z.number().int(),
    lakeErasureContinues: z.boolean(),
  }),
});

export const Accepted = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    notStored: z.number().int().meta({ description: "Events of a listener who withdrew personalization consent" }),
    degraded: Degraded.optional(),
  })
  .meta({ id: "Accepted" });

export const Onboarded = Accepted.extend({ listenerId: z.string(), seedTracks: z.array(z.string()) });

const PlaylistSummary = z.object({
  kind: z.enum(PLAYLIST_KINDS),
  title: z.string(),
  description: z.string(),
  trackCount: z.number().int(),
  generatedAt: z.string(),
  validUntil: z.string(),
});

/** A track of a list (generated, own, shuffled, a station's page): its place, what it is, its sound. */
const ListItem = TrackSummary.extend({ position: z.number().int(), features: AudioFeatures });

const OwnPlaylistSummary = z
  .object({
    id: z.string().meta({ example: "pl-0123456789abcdef0123" }),
    name: z.string(),
    description: z.string(),
    trackCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "OwnPlaylistSummary" });

export const PlaylistListing = z
  .object({
    personalized: z.boolean(),
    degraded: Degraded,
    generated: z.array(PlaylistSummary),
    own: z.array(OwnPlaylistSummary),
  })
  .meta({ id: "PlaylistListing" });

export const Playlist = PlaylistSummary.extend({
  seedArtists: z.array(z.object({ id: z.string(), name: z.string() })),
  modelVersion: z.string().nullable(),
  recommendationId: Served,
  tracks: z.array(
    ListItem.extend({
      reason: Reason,
      fallback: z.boolean().optional().meta({ description: "Release Radar: by a neighbour of a followed artist" }),
    }),
  ),
  degraded: Degraded,
  personalized: z.boolean(),
}).meta({ id: "Playlist" });

/** A track gone from the catalog keeps its place in the list but is not shown (positions skip it). */
export const OwnPlaylist = OwnPlaylistSummary.extend({
  tracks: z.array(ListItem),
  recommendationId: Served,
  degraded: Degraded,
}).meta({ id: "OwnPlaylist" });

export const ShuffledPlaylist = z
  .object({
    id: z.string(),
    name: z.string(),
    seed: z.number().int().meta({ description: "Send it as `seed` to hear this order again" }),
    personalized: z.boolean(),
    modelVersion: z.string().nullable(),
    recommendationId: Served,
    tracks: z.array(
      z.union([
        ListItem.extend({ recommended: z.literal(false) }),
        ListItem.extend({
          recommended: z.literal(true).meta({ description: "Not in the playlist: placed among its tracks" }),
          reason: Reason,
        }),
      ]),
    ),
    degraded: Degraded,
  })
  .meta({ id: "ShuffledPlaylist" });

export const Following = z
  .object({
    artists: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable().meta({ description: "Null for an artist since gone from the catalog" }),
        followedAt: z.string(),
      }),
    ),
    degraded: Degraded,
  })
  .meta({ id: "Following" });

export const RadioPage = z
  .object({
    station: z.object({
      id: z.string(),
      seed: z.string().meta({ example: "artist:art-0002" }),
      title: z.string(),
      createdAt: z.string(),
      served: z.number().int().meta({ description: "Tracks the station has served, this page included" }),
    }),
    tracks: z.array(ListItem.extend({ reason: Reason })),
    cursor: z.string().nullable().meta({ description: "The next page's cursor; null once the station has ended" }),
    recommendationId: Served,
    personalized: z.boolean(),
    degraded: Degraded,
  })
  .meta({ id: "RadioPage" });

export const Track = TrackSummary.extend({
  popularity: z.number(),
  features: AudioFeatures,
  degraded: Degraded,
}).meta({ id: "Track" });

export const SimilarTracks = z
  .object({
    trackId: z.string(),
    source: z.enum(["model", "content"]),
    modelVersion: z.string().nullable(),
    degraded: Degraded,
    items: z.array(TrackSummary.extend({ score: z.number() })),
  })
  .meta({ id: "SimilarTracks" });

export const Chart = z
  .object({
    region: z.string().nullable(),
    requestedRegion: z.string().nullable(),
    source: z.enum(["model", "live"]),
    degraded: Degraded,
    items: z.array(TrackSummary.extend({ rank: z.number().int() })),
  })
  .meta({ id: "Chart" });

/** Where a speaker is in a list it plays: the list and the position of the track answered (1-based). */
const SpeakerList = z.object({
  kind: z.enum(PLAYLIST_KINDS).optional(),
  id: z.string().optional().meta({ description: "An own playlist's id (a generated list has its kind instead)" }),
  title: z.string(),
  of: z.number().int().meta({ description: "Tracks in the list" }),
  position: z.number().int(),
});
const SpeakerStation = z.object({ id: z.string(), title: z.string() });

export const SpeakerNext = z
  .union([
    z.object({
      trackId: z.string(),
      say: z.string().meta({ description: "A title a voice can say" }),
      durationMs: z.number().int(),
      reason: z.string(),
      recommendationId: Served,
      playlist: SpeakerList.optional().meta({ description: "With `playlist`: the list and where in it" }),
      station: SpeakerStation.optional().meta({ description: "With `radio` or `station`: the station" }),
      degraded: Degraded.optional(),
    }),
    z.object({
      ended: z.literal(true).meta({ description: "The list or station has nothing more to play" }),
      say: z.string(),
      playlist: SpeakerList.optional(),
      station: SpeakerStation.optional(),
      degraded: Degraded.optional(),
    }),
  ])
  .meta({
    id: "SpeakerNext",
    example: {
      trackId: "trk-02466",
      say: "Velvet Thieves by Cosmic Lanterns",
      durationMs: 402000,
      reason: "Because you played Lantern",
      recommendationId: "r1.speaker.v20261201120000-3f9a1c.-.mx4na800.1f0c9a7e",
    },
  });

/** Operator answers come from the retraining worker as they are; each route's shape is in the README. */
export const OperatorAnswer = z.record(z.string(), z.unknown()).meta({ id: "OperatorAnswer" });

/** What the Alexa skill answers: Alexa's response envelope (its shape is Amazon's, see shared/alexa/response.ts). */
export const AlexaResponse = z
  .object({
    version: z.literal("1.0"),
    response: z.object({
      outputSpeech: z.object({ type: z.literal("PlainText"), text: z.string() }).optional(),
      reprompt: z.object({ outputSpeech: z.object({ type: z.literal("PlainText"), text: z.string() }) }).optional(),
      card: z.object({ type: z.literal("LinkAccount") }).optional(),
      directives: z.array(z.looseObject({ type: z.string() })).optional(),
      shouldEndSession: z.boolean().optional(),
    }),
  })
  .meta({ id: "AlexaResponse" });
