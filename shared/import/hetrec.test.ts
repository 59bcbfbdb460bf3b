import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hetrecCatalog,
  parseArtists,
  parseTags,
  parseUserArtists,
  parseUserFriends,
  parseUserTaggedArtists,
} from "./hetrec";
import { decodeLatin1 } from "./latin1";

describe("hetrecCatalog", () => {
  it("gives an artist its top tag as genre, counting a tag's spellings as one", () => {
    const artist = { id: 7, name: "Bob Marley", url: "", pictureUrl: "" };
    const tagged = (tag: string, listener: string) => ({ listener, item: "7", tag });
    const [track] = hetrecCatalog(
      [artist],
      [tagged("Reggae", "1"), tagged("reggae", "2"), tagged(" REGGAE", "3"), tagged("rock", "4"), tagged("rock", "5")],
    );
    expect(track).toMatchObject({ id: "lfm-7", artistName: "Bob Marley", genre: "reggae" });
  });
});

describe("HetRec Last.fm parsers", () => {
  it("parse rows, skip the header and reject bad lines with reasons", () => {
    const { rows, rejected } = parseUserArtists(
      "userID\tartistID\tweight\n2\t51\t13883\r\n2\tx\t1\n3\t7\n\n4\t8\t-1\n",
    );
    expect(rows).toEqual([{ userId: 2, artistId: 51, weight: 13883 }]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 6]);
    expect(rejected[1]!.reason).toMatch(/expected 3/);
  });

  it("read artists, tags, taggings with dates, and friends", () => {
    expect(parseArtists("id\tname\turl\tpictureURL\n1\tMALICE MIZER\thttp://a\t\n").rows).toEqual([
      { id: 1, name: "MALICE MIZER", url: "http://a", pictureUrl: "" },
    ]);
    expect(parseTags(decodeLatin1(Uint8Array.of(0x37, 0x09, 0x6d, 0xe9, 0x74, 0x61, 0x6c))).rows).toEqual([
      { id: 7, value: "métal" },
    ]);
    const taggings = parseUserTaggedArtists("2\t52\t13\t1\t4\t2009\n2\t52\t13\t31\t2\t2009\n");
    expect(taggings.rows).toEqual([{ userId: 2, artistId: 52, tagId: 13, date: "2009-04-01" }]);
    expect(taggings.rejected[0]!.reason).toMatch(/calendar/);
    expect(parseUserFriends("userID\tfriendID\n2\t275\n5\t5\n").rejected[0]!.reason).toMatch(/own friend/);
  });

  const folder = resolve(import.meta.dirname, "../../../shared/data/lastfm-hetrec2011");
  it.skipIf(!existsSync(folder))(
    "read the published files without rejects (skipped when ../shared/data is absent)",
    () => {
      const read = (name: string) => readFileSync(resolve(folder, name));
      expect(parseUserArtists(read("user_artists.dat").toString("utf8")).rows).toHaveLength(92834);
      expect(parseArtists(read("artists.dat").toString("utf8")).rows).toHaveLength(17632);
      const tags = parseTags(decodeLatin1(read("tags.dat")));
      expect(tags.rows).toHaveLength(11946);
      expect(parseUserTaggedArtists(read("user_taggedartists.dat").toString("utf8")).rejected).toEqual([]);
      expect(parseUserFriends(read("user_friends.dat").toString("utf8")).rows).toHaveLength(25434);
    },
  );
});
