/**
 * Where a track's audio is served: the deployment's stream base URL (STREAM_BASE_URL) joined with
 * the track id. Setlist holds no audio itself; an operator points the base at their audio store.
 */
export function streamUrl(base: string, trackId: string): string {
  return new URL(encodeURIComponent(trackId), base.endsWith("/") ? base : `${base}/`).href;
}
