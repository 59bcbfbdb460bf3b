/**
 * A track's place in sound, as one integer D1 can index: energy, valence, danceability and tempo each cut
 * into 16 levels, their bits interleaved (a Z-order curve), so tracks whose keys are close mostly sound
 * alike. It lets the content neighbours of a track outside the model be looked for among a bounded run of
 * its genre's tracks nearest it in this order, however large the genre, rather than in the whole genre.
 * The key is a generated column: D1 computes it for every insert, whatever path wrote the row.
 */

/** Bits a feature keeps: 16 levels, so 65,536 cells of sound. */
const BITS = 4;
/** The features the content distance uses (see contentNeighbours), with the range each is cut over. */
const FEATURES = [
  ["energy", 0, 1],
  ["valence", 0, 1],
  ["danceability", 0, 1],
  // Beats a minute: 12.5 a level, the distance's tempo / 100 then about twice a level of the others.
  ["tempo", 40, 240],
] as const;

const LEVELS = 2 ** BITS;

function level(column: string, from: number, to: number): string {
  return `min(${LEVELS - 1}, max(0, cast((${column} - ${from}) * ${LEVELS / (to - from)} as integer)))`;
}

/** The SQL of the key over a tracks row's own columns (a generated column's expression may name no table). */
export const SOUND_KEY_SQL = FEATURES.flatMap(([column, from, to], feature) =>
  Array.from(
    { length: BITS },
    (_, bit) => `(((${level(column, from, to)} >> ${bit}) & 1) << ${bit * FEATURES.length + feature})`,
  ),
).join(" | ");
