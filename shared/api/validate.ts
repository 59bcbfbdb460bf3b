import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { fieldErrors, problem, problemResponse } from "./problem";

/** zod validation whose failures are problem details naming each offending field. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const errors = fieldErrors(result.error.issues);
      const where = target === "json" ? "request body" : target === "param" ? "path" : target;
      return problemResponse(
        problem(400, `Invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors }),
      );
    }
  });
}
