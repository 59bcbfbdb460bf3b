import { z } from "zod";
import { PLAYLIST_KINDS } from "../playlists/kinds";

/** Where a personal answer was served, as the KPIs are sliced: each list kind is a surface of its own. */
export const SURFACES = ["recommendations", ...PLAYLIST_KINDS, "own-playlist", "radio", "speaker"] as const;
export type Surface = (typeof SURFACES)[number];

/** What served an answer, so that what the listener then does with it is credited to it. */
export interface Attribution {
  surface: Surface;
  modelVersion: string | null;
  /** The experiment variant the answer was served under (`experiment/variant`), null outside experiments. */
  variant: string | null;
  servedAt: number;
}

const VERSION = "r1";
const NONE = "-";
const PART = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The recommendation id a personal answer carries and clients echo in events'
 * `context.recommendationId`. It says itself what served the answer, so crediting an event needs no
 * lookup and no store of ids: `r1.<surface>.<model version>.<variant>.<served at, base 36>.<nonce>`.
 * It names no listener. A client can only mislabel its own events with it, which it could do anyway.
 */
export function recommendationId(a: Attribution, nonce: string = crypto.randomUUID().slice(0, 8)): string {
  const variant = a.variant?.replace("/", "~") ?? NONE;
  return [VERSION, a.surface, a.modelVersion ?? NONE, variant, a.servedAt.toString(36), nonce].join(".");
}

/** The attribution an id carries, or null when it is not one this service made. */
export function parseRecommendationId(id: string): Attribution | null {
  const parts = id.split(".");
  if (parts.length !== 6 || parts[0] !== VERSION) return null;
  const [, surface, modelVersion, variant, servedAt, nonce] = parts as [string, string, string, string, string, string];
  if (!(SURFACES as readonly string[]).includes(surface)) return null;
  if (![modelVersion, nonce].every((p) => PART.test(p)) || !/^[A-Za-z0-9_~-]{1,129}$/.test(variant)) return null;
  const at = parseInt(servedAt, 36);
  if (!/^[0-9a-z]{1,11}$/.test(servedAt) || !Number.isSafeInteger(at)) return null;
  return {
    surface: surface as Surface,
    modelVersion: modelVersion === NONE ? null : modelVersion,
    variant: variant === NONE ? null : variant.replace("~", "/"),
    servedAt: at,
  };
}

/** `context.recommendationId` of an event: an id this service made, refused (400) otherwise. */
export const RecommendationId = z
  .string()
  .max(256)
  .refine((id) => parseRecommendationId(id) !== null, "must be a recommendation id this service answered with");

/**
 * The `recommendationId` field of a personal answer served now by `surface` with `modelVersion`:
 * each answer gets its own id, so one frozen list asked for twice is two servings to credit.
 * Answers are served outside experiments until assignment at the edge sets a variant.
 */
export function servedBy(surface: Surface, modelVersion: string | null, servedAt = Date.now()) {
  return { recommendationId: recommendationId({ surface, modelVersion, variant: null, servedAt }) };
}
