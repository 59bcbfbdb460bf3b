import { timeOfDay, type TimeOfDay } from "../context/targets";
import { contextList, genrePhrase } from "./context-mix";
import type { GeneratedPlaylist, PlaylistInput } from "./types";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const PARTS_OF_DAY: Record<TimeOfDay, string> = {
  morning: "morning",
  afternoon: "afternoon",
  evening: "evening",
  night: "late night",
};

/**
 * The daylist: the listener's taste for the hour they are in, made anew each hour. The time of
 * day shapes retrieval as an activity does for a mix (its pool, the list kept inside its defining
 * ranges on average), and the list is named after the day and its sound: "Tuesday late night: mellow ambient and folk".
 */
export function daylist(input: PlaylistInput): GeneratedPlaylist | null {
  const part = timeOfDay(input.localHour);
  const list = contextList(part, input);
  if (list.tracks.length === 0) return null;
  const title = `${WEEKDAYS[input.localWeekday]} ${PARTS_OF_DAY[part]}: ${list.sound} ${genrePhrase(list.genres)}`;
  const personal = input.personalized && list.seedArtists.length > 0;
  return {
    kind: "daylist",
    title,
    description: personal
      ? `${title}, from what you like; it changes with the hour`
      : `${title}: popular picks for the hour, not personalised`,
    seedArtists: list.seedArtists,
    tracks: list.tracks,
  };
}
