/** Audio features as Spotify defines them; every 0..1 feature is a probability-like score. */
export interface AudioFeatures {
  tempo: number; // BPM
  energy: number; // 0..1
  valence: number; // 0..1
  danceability: number; // 0..1
  acousticness: number; // 0..1
  instrumentalness: number; // 0..1
  speechiness: number; // 0..1
  loudness: number; // dB, about -60..0
  key: number; // 0..11 pitch class
  mode: 0 | 1; // 0 minor, 1 major
  durationMs: number;
}

export interface Artist {
  id: string;
  name: string;
  genres: string[];
}

export interface Track {
  id: string;
  title: string;
  artistId: string;
  artistName: string;
  albumId: string;
  albumTitle: string;
  genre: string;
  releaseDate: string; // ISO date, YYYY-MM-DD
  features: AudioFeatures;
}

export const EVENT_TYPES = ["play", "complete", "skip", "like", "dislike", "repeat", "add_to_playlist"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const DEVICES = ["phone", "desktop", "speaker", "car", "tv", "web"] as const;
export type Device = (typeof DEVICES)[number];

export const ACTIVITIES = ["workout", "focus", "relax", "sleep", "party", "commute"] as const;
export type Activity = (typeof ACTIVITIES)[number];
