/**
 * `npm run -s data:spotify -- N [--seed S] > file.csv`: a Spotify audio-features CSV of N synthetic
 * tracks (shared/import/spotify-synthetic.ts), for `npm run import -- --spotify file.csv` at sizes no
 * sample has. Written as it is generated, so any N fits in memory.
 */
import { once } from "node:events";
import { parseArgs } from "node:util";
import { syntheticSpotifyLines } from "../shared/import/spotify-synthetic";

const { values, positionals } = parseArgs({
  options: { seed: { type: "string", default: "1" } },
  allowPositionals: true,
});
const tracks = Number(positionals[0]);
if (!Number.isInteger(tracks) || tracks < 1) {
  console.error("usage: npm run -s data:spotify -- N [--seed S] > file.csv");
  process.exit(2);
}
let chunk = "";
for (const line of syntheticSpotifyLines(tracks, Number(values.seed))) {
  chunk += line;
  if (chunk.length > 1 << 20) {
    if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
    chunk = "";
  }
}
process.stdout.write(chunk);
