export { demoDataAt, moveDemoData, type DemoData } from "./calendar";
export { DEMO_REFERENCE_DATE, generateDemoCatalog, type DemoCatalog } from "./catalog";
export {
  DEMO_REGIONS,
  UTC_OFFSET_HOURS,
  deviceHabits,
  localStartMs,
  pickDevice,
  sessionActivity,
  type DemoRegion,
} from "./context";
export { DEMO_GENRES, type DemoGenre } from "./genres";
export {
  DEMO_LISTENER_COUNT,
  DEMO_NOW,
  demoListenerTastes,
  generateDemoListeners,
  type DemoEvent,
  type DemoListener,
  type DemoListenerOptions,
  type DemoListening,
} from "./listeners";
export { EARLY_SKIP_MAX_MS, react, type Reaction, type ReactionEvent } from "./reaction";
export { affinity, type ListenerTaste, type TasteFacts } from "./taste";
