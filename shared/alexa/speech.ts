import type { Activity } from "../catalog/types";
import { dailyMixNumber, DAILY_MIX_COUNT, type PlaylistKind } from "../playlists";

/** What the skill says. Short: it is heard, not read. */
const EXAMPLES = "play my Discover Weekly, play daily mix 2, or play something for a workout";

export const SPEECH = {
  welcome: `Welcome to Setlist. You can say ${EXAMPLES}. What would you like?`,
  help: `Setlist plays music picked for you. Say ${EXAMPLES}. While music plays, say next, previous, pause or resume.`,
  reprompt: `What would you like? For example, ${EXAMPLES}.`,
  linkAccount: "To play your music, link your Setlist account in the Alexa app. I have sent a card there.",
  notUnderstood: `Sorry, I did not get that. You can say ${EXAMPLES}.`,
  noSuchStation: (asked: string) => `I could not find ${asked} on Setlist. You can say play something for me instead.`,
  radioNotHeard: "Which artist or genre should the radio play? For example, play jazz radio.",
  nothingPlaying: `Nothing is playing. You can say ${EXAMPLES}.`,
  nothingToPlay: "There is no music to play yet. Please try again later.",
  noSuchMix: (n: number) => `There is no daily mix ${n}. Your daily mixes are numbered 1 to ${DAILY_MIX_COUNT}.`,
  unsupported: (what: string) => `${what} is not supported on Setlist.`,
  endOfList: (name: string) => `That was the last track of your ${name}.`,
  notReady: (name: string) => `Your ${name} is not ready yet. You can say play something for me instead.`,
  playing: (what: string, title: string, artist: string) => `Playing ${what}: ${title} by ${artist}.`,
};

const ACTIVITY_NAMES: Record<Activity, string> = {
  workout: "a workout",
  focus: "focus",
  relax: "relaxing",
  sleep: "sleep",
  party: "a party",
  commute: "your commute",
};

/** A list's name as said: "Discover Weekly", "daily mix 2", "workout mix". */
export function listName(kind: PlaylistKind): string {
  const mix = dailyMixNumber(kind);
  if (mix !== null) return `daily mix ${mix}`;
  if (kind === "discover-weekly") return "Discover Weekly";
  if (kind === "release-radar") return "Release Radar";
  if (kind === "daylist") return "daylist";
  return `${kind.slice(4)} mix`;
}

/** What is being played, as said after "Playing" (a station by its title). */
export function sourceName(source: { list: PlaylistKind } | { activity: Activity | null } | { title: string }): string {
  if ("title" in source) return source.title;
  if ("list" in source) return `your ${listName(source.list)}`;
  return source.activity ? `something for ${ACTIVITY_NAMES[source.activity]}` : "something for you";
}
