import type { DemoGenre } from "./genres";
import { chance, intBetween, pick, type Random } from "./sampling";

// Plain English words, so a voice assistant can say every title as written.
const ADJECTIVES = [
  "Velvet",
  "Golden",
  "Silver",
  "Electric",
  "Hollow",
  "Broken",
  "Quiet",
  "Neon",
  "Crimson",
  "Paper",
  "Midnight",
  "Northern",
  "Wild",
  "Lonely",
  "Bright",
  "Distant",
  "Frozen",
  "Burning",
  "Gentle",
  "Restless",
  "Secret",
  "Little",
  "Endless",
  "Faded",
  "Silent",
  "Amber",
  "Cobalt",
  "Painted",
  "Sleeping",
  "Lucky",
  "Violet",
  "Copper",
  "Hidden",
  "Glass",
  "Summer",
  "Winter",
  "Cosmic",
  "Sunday",
  "Dusty",
  "Crystal",
  "Tender",
  "Rusty",
  "Sacred",
  "Sweet",
  "Rebel",
  "Lost",
  "Heavy",
  "Open",
  "Blue",
  "Scarlet",
  "Iron",
  "Western",
  "Coastal",
  "Weightless",
  "Falling",
  "Radiant",
  "Tangled",
  "Hazy",
  "Stolen",
  "Careless",
] as const;

const NOUNS = [
  "Harbor",
  "Static",
  "River",
  "Garden",
  "Machine",
  "Echo",
  "Horizon",
  "Signal",
  "Lantern",
  "Mirror",
  "Ocean",
  "Highway",
  "Orchard",
  "Satellite",
  "Thunder",
  "Window",
  "Ember",
  "Meadow",
  "Canyon",
  "Compass",
  "Parade",
  "Shadow",
  "Feather",
  "Engine",
  "Island",
  "Comet",
  "Valley",
  "Circuit",
  "Fever",
  "Anthem",
  "Ghost",
  "Tide",
  "Letter",
  "Kingdom",
  "Wire",
  "Bloom",
  "Harvest",
  "Frontier",
  "Avenue",
  "Prism",
  "Pilot",
  "Coast",
  "Season",
  "Forest",
  "Sparrow",
  "Rocket",
  "Mountain",
  "Desert",
  "Heart",
  "Storm",
  "Light",
  "Morning",
  "Evening",
  "Moon",
  "Fire",
  "Rain",
  "Stone",
  "City",
  "Dream",
  "Balcony",
] as const;

const PLURAL_NOUNS = [
  "Wolves",
  "Sparrows",
  "Lanterns",
  "Satellites",
  "Machines",
  "Ghosts",
  "Comets",
  "Pilots",
  "Rivers",
  "Mirrors",
  "Horizons",
  "Strangers",
  "Dreamers",
  "Runaways",
  "Saints",
  "Tigers",
  "Foxes",
  "Giants",
  "Echoes",
  "Engines",
  "Signals",
  "Shadows",
  "Thieves",
  "Lovers",
  "Pioneers",
  "Sailors",
  "Daughters",
  "Neighbors",
  "Islands",
  "Stars",
] as const;

const GERUNDS = [
  "Dancing",
  "Falling",
  "Running",
  "Chasing",
  "Waiting",
  "Drifting",
  "Dreaming",
  "Driving",
  "Breathing",
  "Shining",
  "Fading",
  "Calling",
  "Waking",
  "Holding",
  "Flying",
  "Singing",
  "Wandering",
  "Sleeping",
] as const;

const PREPOSITIONS = [
  "Under",
  "Over",
  "Through",
  "Beyond",
  "Across",
  "Into",
  "Toward",
  "Beneath",
  "After",
  "Before",
] as const;

const ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "st", "sh", "j"];
const VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o"];
const CODAS = ["n", "r", "l", "s", "m", "x", "th"];
const SURNAME_ENDINGS = ["son", "ley", "ford", "ner", "ton", "berg", "ez", "ini", "ova", "ami", "well", "ard"];

const CLASSICAL_FORMS = [
  "Sonata",
  "Nocturne",
  "Etude",
  "Prelude",
  "Fugue",
  "Serenade",
  "Suite",
  "Fantasia",
  "Waltz",
  "Concerto",
];
const ENSEMBLES = ["Quartet", "Trio", "Ensemble", "Chamber Orchestra", "Consort"];
const JAZZ_GROUPS = ["Trio", "Quartet", "Quintet", "Sextet"];
// Spelled out so speech synthesis does not read "#" or "b".
const PITCH_NAMES = ["C", "C sharp", "D", "E flat", "E", "F", "F sharp", "G", "A flat", "A", "B flat", "B"];
const ROMAN_NUMERALS = ["I", "II", "III", "IV", "V", "VI"];

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** Consonant-vowel syllables read naturally in most languages. */
function inventedWord(random: Random, syllables: number, coda = chance(random, 0.5)): string {
  let word = "";
  for (let i = 0; i < syllables; i++) word += pick(random, ONSETS) + pick(random, VOWELS);
  return capitalize(coda ? word + pick(random, CODAS) : word);
}

const firstName = (random: Random) => inventedWord(random, 2, chance(random, 0.4));
const surname = (random: Random) =>
  inventedWord(random, intBetween(random, 1, 2), false) + pick(random, SURNAME_ENDINGS);
const personName = (random: Random) => `${firstName(random)} ${surname(random)}`;
const adjectiveNoun = (random: Random) => `${pick(random, ADJECTIVES)} ${pick(random, NOUNS)}`;

function anyArtistName(random: Random): string {
  switch (intBetween(random, 0, 6)) {
    case 0:
      return `The ${adjectiveNoun(random)}`;
    case 1:
      return `The ${pick(random, PLURAL_NOUNS)}`;
    case 2:
      return `${pick(random, ADJECTIVES)} ${pick(random, PLURAL_NOUNS)}`;
    case 3:
      return personName(random);
    case 4:
      return `${firstName(random)} and the ${pick(random, PLURAL_NOUNS)}`;
    case 5:
      return inventedWord(random, intBetween(random, 2, 3));
    default:
      return `${pick(random, NOUNS)} ${pick(random, NOUNS)}`;
  }
}

function genreArtistName(random: Random, genre: DemoGenre): string | undefined {
  switch (genre) {
    case "hip-hop":
      return pick(random, ["MC ", "Lil ", "Young ", ""]) + inventedWord(random, 2);
    case "electronic":
      return pick(random, ["DJ ", ""]) + inventedWord(random, intBetween(random, 2, 3));
    case "classical":
      return chance(random, 0.5) ? personName(random) : `The ${surname(random)} ${pick(random, ENSEMBLES)}`;
    case "jazz":
      return `${personName(random)} ${pick(random, JAZZ_GROUPS)}`;
    default:
      return undefined;
  }
}

function albumTitle(random: Random): string {
  switch (intBetween(random, 0, 6)) {
    case 0:
    case 1:
      return adjectiveNoun(random);
    case 2:
      return pick(random, PLURAL_NOUNS);
    case 3:
      return `Songs from the ${pick(random, NOUNS)}`;
    case 4:
      return `The ${pick(random, NOUNS)} Sessions`;
    case 5:
      return inventedWord(random, intBetween(random, 2, 3));
    default:
      return `${pick(random, NOUNS)} and ${pick(random, NOUNS)}`;
  }
}

function songTitle(random: Random): string {
  switch (intBetween(random, 0, 7)) {
    case 0:
    case 1:
    case 2:
      return adjectiveNoun(random);
    case 3:
      return pick(random, NOUNS);
    case 4:
      return `${pick(random, PLURAL_NOUNS)} of the ${pick(random, NOUNS)}`;
    case 5:
      return `${pick(random, GERUNDS)} ${pick(random, PREPOSITIONS)} the ${pick(random, NOUNS)}`;
    case 6:
      return `${pick(random, ADJECTIVES)} ${pick(random, PLURAL_NOUNS)}`;
    default:
      return inventedWord(random, intBetween(random, 2, 3));
  }
}

/** Classical pieces are named by form and key, which also ties the title to the track's features. */
function classicalTitle(random: Random, key: number, mode: 0 | 1): string {
  const tonality = `${PITCH_NAMES[key]} ${mode === 1 ? "major" : "minor"}`;
  const form = pick(random, CLASSICAL_FORMS);
  return chance(random, 0.6) ? `${form} No. ${intBetween(random, 1, 12)} in ${tonality}` : `${form} in ${tonality}`;
}

export interface NameGenerator {
  artist(genre: DemoGenre): string;
  album(): string;
  track(genre: DemoGenre, key: number, mode: 0 | 1): string;
}

/** Artist names are unique catalog-wide so "X by Y" always resolves to one artist. */
export function createNameGenerator(random: Random): NameGenerator {
  const usedArtistNames = new Set<string>();
  return {
    artist(genre) {
      for (;;) {
        const name = (chance(random, 0.5) && genreArtistName(random, genre)) || anyArtistName(random);
        if (!usedArtistNames.has(name)) {
          usedArtistNames.add(name);
          return name;
        }
      }
    },
    album: () => albumTitle(random),
    track(genre, key, mode) {
      if (genre === "classical" && chance(random, 0.8)) return classicalTitle(random, key, mode);
      if (genre === "ambient" && chance(random, 0.3)) return `${pick(random, NOUNS)} ${pick(random, ROMAN_NUMERALS)}`;
      return songTitle(random);
    },
  };
}
