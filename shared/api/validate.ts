import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { ZodType } from "zod";
import { fieldErrors, problem, problemResponse, type ProblemDetails } from "./problem";

/** The 400 for a request part that failed its schema, naming each offending field. */
export function validationProblem(
  target: keyof ValidationTargets,
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ProblemDetails {
  const errors = fieldErrors(issues);
  const where = target === "json" ? "request body" : target === "param" ? "path" : target;
  return problem(400, `Invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`, { errors });
}

/**
 * The validation hook of every route: the request part's failures as problem details. Routes
 * defined with createRoute get it as their app's defaultHook (shared/api/openapi.ts).
 */
export function problemHook(result: {
  target: keyof ValidationTargets;
  success: boolean;
  error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
}): Response | undefined {
  if (!result.success && result.error) return problemResponse(validationProblem(result.target, result.error.issues));
  return undefined;
}

/** zod validation whose failures are problem details naming each offending field (routes outside OpenAPI). */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => problemHook({ ...result, target }));
}
