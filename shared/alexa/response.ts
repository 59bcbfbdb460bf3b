import type { AlexaRequestBody } from "./request";

/** One stream for the device to play: its URL, the token Alexa hands back, and what a screen shows. */
export interface Stream {
  url: string;
  token: string;
  offsetInMilliseconds?: number;
  title?: string;
  subtitle?: string;
}

export type Directive =
  | {
      type: "AudioPlayer.Play";
      playBehavior: "REPLACE_ALL" | "ENQUEUE";
      audioItem: {
        stream: { url: string; token: string; expectedPreviousToken?: string; offsetInMilliseconds: number };
        metadata?: { title?: string; subtitle?: string };
      };
    }
  | { type: "AudioPlayer.Stop" }
  | { type: "AudioPlayer.ClearQueue"; clearBehavior: "CLEAR_ALL" | "CLEAR_ENQUEUED" };

function audioItem(stream: Stream, expectedPreviousToken?: string) {
  const metadata = stream.title ? { metadata: { title: stream.title, subtitle: stream.subtitle } } : {};
  return {
    stream: {
      url: stream.url,
      token: stream.token,
      ...(expectedPreviousToken ? { expectedPreviousToken } : {}),
      offsetInMilliseconds: stream.offsetInMilliseconds ?? 0,
    },
    ...metadata,
  };
}

/** Play this stream now, dropping whatever played or was queued. */
export const playNow = (stream: Stream): Directive => ({
  type: "AudioPlayer.Play",
  playBehavior: "REPLACE_ALL",
  audioItem: audioItem(stream),
});

/**
 * Queue this stream after the one the device is finishing. Alexa drops it if that is no longer the
 * current stream (the listener moved on meanwhile), so a late answer cannot queue the wrong track.
 */
export const playNext = (stream: Stream, previousToken: string): Directive => ({
  type: "AudioPlayer.Play",
  playBehavior: "ENQUEUE",
  audioItem: audioItem(stream, previousToken),
});

export const stop = (): Directive => ({ type: "AudioPlayer.Stop" });
export const clearQueue = (): Directive => ({ type: "AudioPlayer.ClearQueue", clearBehavior: "CLEAR_ALL" });

/** What the skill wants to answer; which parts Alexa takes depends on the request (skillResponse). */
export interface Answer {
  speech?: string;
  /** Asked again when the listener says nothing: keeps the session open for an answer. */
  reprompt?: string;
  /** The listener must link their account in the Alexa app first. */
  linkAccount?: boolean;
  directives?: Directive[];
}

export interface SkillResponse {
  version: "1.0";
  response: {
    outputSpeech?: { type: "PlainText"; text: string };
    reprompt?: { outputSpeech: { type: "PlainText"; text: string } };
    card?: { type: "LinkAccount" };
    directives?: Directive[];
    shouldEndSession?: boolean;
  };
}

const plain = (text: string) => ({ type: "PlainText" as const, text });

/**
 * The response Alexa accepts for this request. Playback requests (AudioPlayer.*, PlaybackController.*)
 * may carry directives only: speech, cards, reprompts or shouldEndSession there are errors. A session
 * end and an exception report take an empty response.
 */
export function skillResponse(request: AlexaRequestBody, answer: Answer): SkillResponse {
  const directives = answer.directives?.length ? { directives: answer.directives } : {};
  if (request.type.startsWith("AudioPlayer.") || request.type.startsWith("PlaybackController.")) {
    return { version: "1.0", response: directives };
  }
  if (request.type === "SessionEndedRequest" || request.type === "System.ExceptionEncountered") {
    return { version: "1.0", response: {} };
  }
  return {
    version: "1.0",
    response: {
      ...(answer.speech ? { outputSpeech: plain(answer.speech) } : {}),
      ...(answer.reprompt ? { reprompt: { outputSpeech: plain(answer.reprompt) } } : {}),
      ...(answer.linkAccount ? { card: { type: "LinkAccount" as const } } : {}),
      ...directives,
      shouldEndSession: !answer.reprompt,
    },
  };
}
