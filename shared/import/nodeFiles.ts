import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseInteractionTsv } from "./genericTsv";
import { parseTags, parseUserArtists, parseUserTaggedArtists } from "./hetrec";
import { decodeLatin1 } from "./latin1";
import type { RejectedRow } from "./rows";
import type { KeyedInteraction, KeyedTagging } from "./trainingData";

/** Node-only file access for the CLIs; the parsers themselves stay pure so workers can use them. */

export interface InteractionFile {
  format: "hetrec" | "tsv";
  rows: KeyedInteraction[];
  rejected: RejectedRow[];
}

/** HetRec's user_artists.dat is told apart by its header; anything else is read as the generic TSV. */
export function readInteractionFile(path: string): InteractionFile {
  const text = readFileSync(path, "utf8");
  if (/^userID\tartistID\tweight\r?\n/i.test(text)) {
    const { rows, rejected } = parseUserArtists(text);
    return {
      format: "hetrec",
      rows: rows.map((r) => ({ listener: String(r.userId), item: String(r.artistId), weight: r.weight })),
      rejected,
    };
  }
  const { rows, rejected } = parseInteractionTsv(text);
  return { format: "tsv", rows, rejected };
}

/** Taggings from user_taggedartists.dat + tags.dat (ISO-8859-1) beside a HetRec data file, if both exist. */
export function readSiblingHetrecTaggings(dataPath: string): KeyedTagging[] | undefined {
  const folder = dirname(dataPath);
  const taggingsPath = join(folder, "user_taggedartists.dat");
  const tagsPath = join(folder, "tags.dat");
  if (basename(dataPath) === "user_taggedartists.dat" || !existsSync(taggingsPath) || !existsSync(tagsPath))
    return undefined;
  const tagNames = new Map(parseTags(decodeLatin1(readFileSync(tagsPath))).rows.map((t) => [t.id, t.value]));
  return parseUserTaggedArtists(readFileSync(taggingsPath, "utf8")).rows.flatMap((t) => {
    const tag = tagNames.get(t.tagId);
    return tag === undefined ? [] : [{ listener: String(t.userId), item: String(t.artistId), tag }];
  });
}
