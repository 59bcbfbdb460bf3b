import { z } from "zod";
import { COMPONENTS } from "../model";

/**
 * The artefact contract a trainer outside Workers publishes through (README, "Event lake"): a finished
 * trainer of shared/model, as a manifest and its arrays, each array uploaded in parts of UPLOAD_PART_BYTES
 * (the last one the rest), so no request outgrows the edge's 8 MiB operator body. The manifest names the
 * ids behind the model's indices, where the trainer stands (finished), each array's type, length and
 * parts, and the holdout twin's evaluation, which the promotion gate judges the version by.
 */
export const UPLOAD_PART_BYTES = 4 * 1024 * 1024;
export const ARRAY_BYTES = { Int32Array: 4, Float32Array: 4, Float64Array: 8 } as const;
const Num = z.number().finite();
const ARRAY_NAME = /^[A-Za-z0-9_.]{1,64}$/;
const Ids = z.array(z.string().min(1).max(128));

export const ArrayName = z.string().regex(ARRAY_NAME, "must be an array name the manifest lists");
export const ArrayType = z.enum(["Int32Array", "Float32Array", "Float64Array"]);

export const TrainedModelManifest = z
  .strictObject({
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
      /** The arrays held apart from the state, by the names the trainer gave them: the ones to upload. */
      stored: z.array(ArrayName).min(1),
    }),
    /** Each stored array's header (shared/publish/stored-array.ts) for parts of UPLOAD_PART_BYTES. */
    arrays: z.record(
      ArrayName,
      z.strictObject({
        type: ArrayType,
        length: z.number().int().min(0),
        parts: z.number().int().min(1).max(10_000),
      }),
    ),
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
  })
  .refine(
    (m) => m.trainer.stored.length === Object.keys(m.arrays).length && m.trainer.stored.every((n) => n in m.arrays),
    { message: "arrays must describe exactly the arrays trainer.stored names", path: ["arrays"] },
  )
  .refine((m) => Object.values(m.arrays).every((a) => a.parts === partCount(a.length * ARRAY_BYTES[a.type])), {
    message: `each array comes in parts of ${UPLOAD_PART_BYTES} bytes, the last one the rest`,
    path: ["arrays"],
  });
export type TrainedModelManifest = z.output<typeof TrainedModelManifest>;

export function partCount(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / UPLOAD_PART_BYTES));
}

/** The bytes part `part` of an array of `bytes` bytes holds. */
export function partBytes(bytes: number, part: number): number {
  return Math.max(0, Math.min(UPLOAD_PART_BYTES, bytes - part * UPLOAD_PART_BYTES));
}

/**
 * Where an upload waits in R2: inside the prefix the version's retrain run keeps in R2 (`retrain/<version>/`,
 * workers/retrainer/retrain/trainer-store.ts), so the run's clean-up, or a cancellation, deletes it with the rest.
 */
export const trainedModelKey = {
  prefix: (version: string) => `retrain/${version}/upload/`,
  manifest: (version: string) => `retrain/${version}/upload/manifest.json`,
  part: (version: string, name: string, part: number) => `retrain/${version}/upload/arrays/${name}/${part}`,
};
