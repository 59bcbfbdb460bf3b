export { addDecayed, decayedValue, type DecayedWeight } from "./decay";
export {
  isEarlySkip,
  isStart,
  listeningEventSchema,
  tasteDelta,
  type EarlySkipThresholds,
  type ListeningEvent,
  type TasteDelta,
} from "./events";
export { currentActivity, playedThisSession, readTaste, recentlyLiked, type SessionTaste } from "./read";
export {
  applyEvent,
  closeIfIdle,
  createSession,
  DEFAULT_SESSION_CONFIG,
  DEFAULT_TASTE_HALF_LIFE_MS,
  type NowPlaying,
  type RecentEvent,
  type SessionConfig,
  type SessionState,
  type SessionSummary,
} from "./state";
