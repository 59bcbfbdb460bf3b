import {
  expectFields,
  headerIs,
  parseInteger,
  parseLines,
  tabSeparatedParser,
  type LineParser,
  type ParseResult,
} from "./rows";
import { genreName, NEUTRAL_FEATURES, UNKNOWN_GENRE } from "../catalog/features";
import type { Track } from "../catalog/types";
import { UNKNOWN_RELEASE_DATE } from "./spotify";
import type { KeyedTagging } from "./trainingData";

/** Parsers for the HetRec 2011 Last.fm 2K files (tab-separated, one header line). tags.dat is ISO-8859-1: decode it with decodeLatin1 first. */

export interface UserArtistRow {
  userId: number;
  artistId: number;
  /** Play count. */
  weight: number;
}

export interface ArtistRow {
  id: number;
  name: string;
  url: string;
  pictureUrl: string;
}

export interface TagRow {
  id: number;
  value: string;
}

export interface UserTaggedArtistRow {
  userId: number;
  artistId: number;
  tagId: number;
  /** Day the tag was applied, ISO YYYY-MM-DD. */
  date: string;
}

export interface UserFriendRow {
  userId: number;
  friendId: number;
}

function positiveId(text: string | undefined, name: string): number | string {
  const id = parseInteger(text);
  return id !== undefined && id > 0 ? id : `${name} is not a positive integer: ${JSON.stringify(text)}`;
}

export function userArtistsParser(): LineParser<UserArtistRow> {
  return tabSeparatedParser({
    isHeader: headerIs("userID", "artistID", "weight"),
    parseFields(fields) {
      const wrongCount = expectFields(fields, 3);
      if (wrongCount) return wrongCount;
      const userId = positiveId(fields[0], "userID");
      const artistId = positiveId(fields[1], "artistID");
      const weight = parseInteger(fields[2]);
      if (typeof userId === "string") return userId;
      if (typeof artistId === "string") return artistId;
      if (weight === undefined || weight < 0)
        return `weight is not a non-negative integer: ${JSON.stringify(fields[2])}`;
      return { userId, artistId, weight };
    },
  });
}

export function artistsParser(): LineParser<ArtistRow> {
  return tabSeparatedParser({
    isHeader: headerIs("id", "name", "url", "pictureURL"),
    parseFields(fields) {
      const wrongCount = expectFields(fields, 4);
      if (wrongCount) return wrongCount;
      const id = positiveId(fields[0], "id");
      if (typeof id === "string") return id;
      const name = fields[1]!.trim();
      if (name === "") return "artist name is empty";
      return { id, name, url: fields[2]!.trim(), pictureUrl: fields[3]!.trim() };
    },
  });
}

export function tagsParser(): LineParser<TagRow> {
  return tabSeparatedParser({
    isHeader: headerIs("tagID", "tagValue"),
    parseFields(fields) {
      const wrongCount = expectFields(fields, 2);
      if (wrongCount) return wrongCount;
      const id = positiveId(fields[0], "tagID");
      if (typeof id === "string") return id;
      const value = fields[1]!.trim();
      return value === "" ? "tag value is empty" : { id, value };
    },
  });
}

export function userTaggedArtistsParser(): LineParser<UserTaggedArtistRow> {
  return tabSeparatedParser({
    isHeader: headerIs("userID", "artistID", "tagID", "day", "month", "year"),
    parseFields(fields) {
      const wrongCount = expectFields(fields, 6);
      if (wrongCount) return wrongCount;
      const ids = [positiveId(fields[0], "userID"), positiveId(fields[1], "artistID"), positiveId(fields[2], "tagID")];
      const invalid = ids.find((id) => typeof id === "string");
      if (invalid !== undefined) return invalid as string;
      const [day, month, year] = [parseInteger(fields[3]), parseInteger(fields[4]), parseInteger(fields[5])];
      if (day === undefined || month === undefined || year === undefined) return "day, month and year must be integers";
      const date = new Date(Date.UTC(year, month - 1, day));
      if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
        return `not a calendar date: ${year}-${month}-${day}`;
      }
      const [userId, artistId, tagId] = ids as number[];
      return { userId: userId!, artistId: artistId!, tagId: tagId!, date: date.toISOString().slice(0, 10) };
    },
  });
}

export function userFriendsParser(): LineParser<UserFriendRow> {
  return tabSeparatedParser({
    isHeader: headerIs("userID", "friendID"),
    parseFields(fields) {
      const wrongCount = expectFields(fields, 2);
      if (wrongCount) return wrongCount;
      const userId = positiveId(fields[0], "userID");
      const friendId = positiveId(fields[1], "friendID");
      if (typeof userId === "string") return userId;
      if (typeof friendId === "string") return friendId;
      return userId === friendId ? "user listed as their own friend" : { userId, friendId };
    },
  });
}

export const parseUserArtists = (text: string): ParseResult<UserArtistRow> => parseLines(text, userArtistsParser());
export const parseArtists = (text: string): ParseResult<ArtistRow> => parseLines(text, artistsParser());
export const parseTags = (text: string): ParseResult<TagRow> => parseLines(text, tagsParser());
export const parseUserTaggedArtists = (text: string): ParseResult<UserTaggedArtistRow> =>
  parseLines(text, userTaggedArtistsParser());
export const parseUserFriends = (text: string): ParseResult<UserFriendRow> => parseLines(text, userFriendsParser());

/** HetRec has no audio features: artists enter the catalog with neutral ones, their top tag as genre. */
export function hetrecCatalog(artists: readonly ArtistRow[], taggings: readonly KeyedTagging[]): Track[] {
  const tagCounts = new Map<string, Map<string, number>>();
  for (const t of taggings) {
    const counts = tagCounts.get(t.item) ?? new Map<string, number>();
    // Counted under the genre's one spelling, so "Reggae" and "reggae" add up rather than compete.
    const genre = genreName(t.tag);
    if (genre) counts.set(genre, (counts.get(genre) ?? 0) + 1);
    tagCounts.set(t.item, counts);
  }
  const topTag = (artistId: string) =>
    [...(tagCounts.get(artistId) ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0].slice(0, 60) ?? UNKNOWN_GENRE;
  return artists.map((a): Track => {
    const id = `lfm-${a.id}`;
    return {
      id,
      title: a.name.slice(0, 300) || id,
      artistId: id,
      artistName: a.name.slice(0, 300) || id,
      albumId: `${id}-top`,
      albumTitle: "Top tracks",
      genre: topTag(String(a.id)),
      releaseDate: UNKNOWN_RELEASE_DATE,
      features: NEUTRAL_FEATURES,
    };
  });
}
