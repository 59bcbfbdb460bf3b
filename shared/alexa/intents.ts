import { ACTIVITIES, type Activity } from "../catalog/types";
import { DAILY_MIX_COUNT, type PlaylistKind } from "../playlists";
import type { AlexaRequestBody, Slot } from "./request";

/** What a request asks of the skill, whatever words or buttons asked it. */
export type Action =
  | { type: "launch" }
  | { type: "help" }
  | { type: "play-list"; list: PlaylistKind }
  | { type: "play-for-you"; activity: Activity | null }
  | { type: "play-radio"; artist: string | null; genre: string | null }
  | { type: "no-such-mix"; number: number }
  | { type: "pause" | "resume" | "next" | "previous" | "start-over" | "stop" }
  | { type: "unsupported"; what: string }
  | { type: "not-understood" }
  | { type: "playback"; event: "started" | "finished" | "stopped" | "failed" }
  | { type: "nearly-finished" }
  /** Requests that take no answer but an empty one: the session ended, or Alexa reports an error of ours. */
  | { type: "none" };

/**
 * Built-in intents an AudioPlayer skill must handle (Amazon's certification list) and what they do;
 * looping, shuffling and repeating have no meaning for a stream chosen track by track.
 */
const BUILT_IN: Record<string, Action> = {
  "AMAZON.PauseIntent": { type: "pause" },
  "AMAZON.ResumeIntent": { type: "resume" },
  "AMAZON.NextIntent": { type: "next" },
  "AMAZON.PreviousIntent": { type: "previous" },
  "AMAZON.StartOverIntent": { type: "start-over" },
  "AMAZON.StopIntent": { type: "stop" },
  "AMAZON.CancelIntent": { type: "stop" },
  "AMAZON.HelpIntent": { type: "help" },
  "AMAZON.FallbackIntent": { type: "not-understood" },
  "AMAZON.LoopOnIntent": { type: "unsupported", what: "Looping" },
  "AMAZON.LoopOffIntent": { type: "unsupported", what: "Looping" },
  "AMAZON.ShuffleOnIntent": { type: "unsupported", what: "Shuffling" },
  "AMAZON.ShuffleOffIntent": { type: "unsupported", what: "Shuffling" },
  "AMAZON.RepeatIntent": { type: "unsupported", what: "Repeating" },
};

const CONTROLLER: Record<string, Action> = {
  "PlaybackController.PlayCommandIssued": { type: "resume" },
  "PlaybackController.PauseCommandIssued": { type: "pause" },
  "PlaybackController.NextCommandIssued": { type: "next" },
  "PlaybackController.PreviousCommandIssued": { type: "previous" },
};

const PLAYBACK: Record<string, Action> = {
  "AudioPlayer.PlaybackStarted": { type: "playback", event: "started" },
  "AudioPlayer.PlaybackFinished": { type: "playback", event: "finished" },
  "AudioPlayer.PlaybackStopped": { type: "playback", event: "stopped" },
  "AudioPlayer.PlaybackFailed": { type: "playback", event: "failed" },
  "AudioPlayer.PlaybackNearlyFinished": { type: "nearly-finished" },
};

/**
 * A slot's value as the interaction model resolved it (the canonical value of a custom type, so
 * "gym" arrives as "workout"), else what was heard.
 */
export function slotValue(slot: Slot | undefined): string | null {
  const resolved = slot?.resolutions?.resolutionsPerAuthority.find((r) => r.status.code === "ER_SUCCESS_MATCH");
  const value = resolved?.values?.[0]?.value;
  const text = value?.id ?? value?.name ?? slot?.value;
  return text?.trim() ? text.trim().toLowerCase() : null;
}

function activityOf(slot: Slot | undefined): Activity | null {
  const value = slotValue(slot);
  return (ACTIVITIES as readonly string[]).includes(value ?? "") ? (value as Activity) : null;
}

/** The custom intents of alexa/interaction-model.json. */
function customIntent(name: string, slots: Record<string, Slot>): Action {
  switch (name) {
    case "PlayDiscoverWeeklyIntent":
      return { type: "play-list", list: "discover-weekly" };
    case "PlayReleaseRadarIntent":
      return { type: "play-list", list: "release-radar" };
    case "PlayDailyMixIntent": {
      const number = Number(slotValue(slots.number) ?? "1");
      if (!Number.isInteger(number) || number < 1 || number > DAILY_MIX_COUNT) return { type: "no-such-mix", number };
      return { type: "play-list", list: `daily-mix-${number}` as PlaylistKind };
    }
    case "PlayActivityIntent":
      return { type: "play-for-you", activity: activityOf(slots.activity) };
    case "PlayForYouIntent":
      return { type: "play-for-you", activity: null };
    case "PlayRadioIntent":
      return { type: "play-radio", artist: slotValue(slots.artist), genre: slotValue(slots.genre) };
    default:
      return { type: "not-understood" };
  }
}

export function actionOf(request: AlexaRequestBody): Action {
  switch (request.type) {
    case "LaunchRequest":
      return { type: "launch" };
    case "IntentRequest":
      return BUILT_IN[request.intent.name] ?? customIntent(request.intent.name, request.intent.slots ?? {});
    case "SessionEndedRequest":
    case "System.ExceptionEncountered":
      return { type: "none" };
    default:
      return CONTROLLER[request.type] ?? PLAYBACK[request.type] ?? { type: "none" };
  }
}
