export { contextFit, meanOutsideDefiningRanges } from "./fit";
export { localHour } from "./local-hour";
export {
  contextInputSchema,
  contextPhrase,
  resolveContext,
  type ContextInput,
  type ContextLabel,
  type ResolvedContext,
} from "./resolve";
export {
  ACTIVITY_TARGETS,
  CONTEXT_TARGETS,
  adjustForDevice,
  TARGET_FEATURES,
  TIME_OF_DAY_TARGETS,
  TIMES_OF_DAY,
  timeOfDay,
  type FeatureRange,
  type FeatureTargets,
  type TargetFeature,
  type TimeOfDay,
} from "./targets";
