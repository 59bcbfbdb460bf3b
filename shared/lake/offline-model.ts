import { z } from "zod";
import { COMPONENTS } from "../model";

/**
 * The artefact contract a trainer outside Workers publishes through (README, "Event lake"): a finished
 * trainer of shared/model, as a manifest and its arrays, each array uploaded on its own. The manifest names
 * the ids behind the model's indices, where the trainer stands (finished), and the holdout twin's
 * evaluation, which the promotion gate judges the version by.
 */
const Num = z.number().finite();
const ARRAY_NAME = /^[A-Za-z0-9_.]{1,64}$/;
const Ids = z.array(z.string().min(1).max(128));

export const TrainedModelManifest = z.strictObject({
  /** When the trainer read the lake: listeners erased since are left out of what the version publishes. */
  lakeReadAt: z.number().int().min(0),
  index: z.strictObject({ listeners: Ids.min(1), items: Ids.min(2) }),
  trainer: z.strictObject({
    phase: z.number().int().min(0),
    cursor: z.number().int().min(0),
    blend: z.strictObject({ weights: z.record(z.enum(COMPONENTS), Num), exposurePenalty: Num }),
    shape: z.strictObject({
      listeners: z.number().int().min(1),
      items: z.number().int().min(2),
      interactions: z.number().int().min(1),
      withContent: z.boolean(),
      withTaggers: z.boolean(),
      withListenerKnn: z.boolean(),
      catalogSize: z.number().int().min(0),
      warmStart: z.boolean(),
      tunesBlend: z.boolean(),
    }),
    /** The arrays to upload, by the names the trainer gave them. */
    stored: z.array(z.string().regex(ARRAY_NAME)).min(1),
  }),
  holdout: z.strictObject({
    report: z.strictObject({
      listeners: z.number().int().min(0),
      recall: Num,
      ndcg: Num,
      hitRate: Num,
      coverage: Num,
      meanPopularity: Num,
      intraListDiversity: Num.optional(),
      longTailShare: Num,
    }),
    blendWeights: z.record(z.string(), Num),
    /** Each evaluated listener's figures, by pseudonym: what the gate pairs with the live version's. */
    listeners: z.array(z.strictObject({ listener: z.string().min(1).max(128), ndcg: Num, recall: Num })),
  }),
});
export type TrainedModelManifest = z.output<typeof TrainedModelManifest>;

export const ArrayName = z.string().regex(ARRAY_NAME, "must be an array name the manifest lists");
export const ArrayType = z.enum(["Int32Array", "Float32Array", "Float64Array"]);

/** Where an uploaded model lives in the ARTIFACTS bucket, under its version. */
export const trainedModelKey = {
  prefix: (version: string) => `trained/${version}/`,
  manifest: (version: string) => `trained/${version}/manifest.json`,
  array: (version: string, name: string) => `trained/${version}/arrays/${name}`,
};
