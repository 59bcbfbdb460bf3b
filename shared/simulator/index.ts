export { enjoyment, simulatedListeners, type Bench, type Habit, type ServedTrack, type SimListener } from "./listener";
export {
  MAX_SESSION_MS,
  planDay,
  SIM_SURFACES,
  SimSession,
  type SessionOutcome,
  type SessionPlan,
  type SimEvent,
  type SimSurface,
} from "./session";
export { count, describe, emptyTally, meanSessionMinutes, skipRate, type Tally } from "./tally";
