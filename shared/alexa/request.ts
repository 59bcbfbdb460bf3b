import { z } from "zod";

/**
 * The parts of an Alexa request envelope Setlist reads. Unlike the API's own bodies these objects
 * are not strict: Amazon adds fields to the envelope over time, and a signed request from Alexa
 * must not be refused for a field the skill does not use.
 */
const Slot = z.object({
  name: z.string(),
  value: z.string().optional(),
  resolutions: z
    .object({
      resolutionsPerAuthority: z.array(
        z.object({
          status: z.object({ code: z.string() }),
          values: z.array(z.object({ value: z.object({ name: z.string(), id: z.string().optional() }) })).optional(),
        }),
      ),
    })
    .optional(),
});
export type Slot = z.output<typeof Slot>;

const Base = {
  requestId: z.string().min(1).max(256),
  timestamp: z.iso.datetime({ offset: true }),
  locale: z.string().optional(),
};

/** Every AudioPlayer request carries the token of the stream it is about and where it stood. */
const AudioPlayerRequest = z.object({
  ...Base,
  type: z.enum([
    "AudioPlayer.PlaybackStarted",
    "AudioPlayer.PlaybackFinished",
    "AudioPlayer.PlaybackStopped",
    "AudioPlayer.PlaybackNearlyFinished",
    "AudioPlayer.PlaybackFailed",
  ]),
  token: z.string().max(1024).optional(),
  offsetInMilliseconds: z.number().int().min(0).optional(),
});

const RequestBody = z.discriminatedUnion("type", [
  z.object({ ...Base, type: z.literal("LaunchRequest") }),
  z.object({
    ...Base,
    type: z.literal("IntentRequest"),
    intent: z.object({ name: z.string().min(1).max(200), slots: z.record(z.string(), Slot).optional() }),
  }),
  z.object({ ...Base, type: z.literal("SessionEndedRequest") }),
  AudioPlayerRequest,
  z.object({
    ...Base,
    type: z.enum([
      "PlaybackController.PlayCommandIssued",
      "PlaybackController.PauseCommandIssued",
      "PlaybackController.NextCommandIssued",
      "PlaybackController.PreviousCommandIssued",
    ]),
  }),
  z.object({ ...Base, type: z.literal("System.ExceptionEncountered") }),
]);

export const AlexaRequest = z.object({
  version: z.string(),
  context: z.object({
    System: z.object({
      application: z.object({ applicationId: z.string() }),
      /** Set once the listener linked their Setlist account: the listener token (README, "Alexa"). */
      user: z.object({ accessToken: z.string().optional() }).optional(),
    }),
    /** What the device's player holds: the token of the current stream and how far it got. */
    AudioPlayer: z
      .object({
        token: z.string().max(1024).optional(),
        offsetInMilliseconds: z.number().int().min(0).optional(),
        playerActivity: z.string().optional(),
      })
      .optional(),
  }),
  request: RequestBody,
});
export type AlexaRequest = z.output<typeof AlexaRequest>;
export type AlexaRequestBody = AlexaRequest["request"];
