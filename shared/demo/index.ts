export { demoDataAt, moveDemoData, type DemoData } from "./calendar";
export { DEMO_REFERENCE_DATE, generateDemoCatalog, type DemoCatalog } from "./catalog";
export { DEMO_REGIONS, type DemoRegion } from "./context";
export { DEMO_GENRES, type DemoGenre } from "./genres";
export {
  DEMO_NOW,
  generateDemoListeners,
  type DemoEvent,
  type DemoListener,
  type DemoListenerOptions,
  type DemoListening,
} from "./listeners";
