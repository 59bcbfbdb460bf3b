import { contextPhrase, type ResolvedContext } from "../context/resolve";
import type { RankingConfig } from "./config";
import { isNewRelease } from "./freshness";
import type { Reason, ScoredCandidate, TrackInfo } from "./types";

export interface ReasonInputs {
  tracks: ReadonlyMap<string, TrackInfo>;
  liked: ReadonlySet<string>;
  context: ResolvedContext;
  region?: string;
  now: number;
}

/**
 * One reason per item, the first that applies: why the item is in the list at all (exploration),
 * then the listener's own evidence (the session track that raised it most, then the history track
 * the model started from), then the moment (a strong context fit), then freshness, then
 * chart popularity, else a generic line.
 */
export function chooseReason(
  item: ScoredCandidate,
  inputs: ReasonInputs,
  config: Pick<RankingConfig, "newReleaseDays" | "contextReasonFit">,
): Reason {
  const { track } = item;
  const isNew = isNewRelease(track.releaseDate, inputs.now, config.newReleaseDays);
  if (item.source === "exploration") {
    return isNew ? newReleaseReason(track) : { code: "new_for_you", text: "New for you" };
  }
  const anchor = item.tasteAnchor && inputs.tracks.get(item.tasteAnchor);
  if (anchor) return anchorReason(anchor, inputs.liked.has(anchor.id));
  const because = item.because && inputs.tracks.get(item.because);
  if (because) return anchorReason(because, false);
  if (inputs.context.label && item.fit >= config.contextReasonFit) {
    return { code: "fits_context", text: `Fits ${contextPhrase(inputs.context.label)}` };
  }
  if (isNew) return newReleaseReason(track);
  if (item.source === "chart") {
    return { code: "popular_in_region", text: inputs.region ? `Popular in ${inputs.region}` : "Popular right now" };
  }
  return { code: "for_you", text: "Picked for you" };
}

/** A track is here because it sounds like one the listener played, or liked. */
export function anchorReason(anchor: Pick<TrackInfo, "title">, liked: boolean): Reason {
  return liked
    ? { code: "similar_to_liked", text: `Similar to ${anchor.title}, which you liked` }
    : { code: "because_you_played", text: `Because you played ${anchor.title}` };
}

/** A fresh track, named by its artist; `closeTo` names the followed artist a stand-in sounds like. */
export function newReleaseReason(track: TrackInfo, closeTo?: string): Reason {
  return closeTo
    ? { code: "new_release", text: `New release from ${track.artistName}, close to ${closeTo}, whom you follow` }
    : { code: "new_release", text: `New release from ${track.artistName}` };
}
