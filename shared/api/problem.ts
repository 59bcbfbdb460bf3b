import { z } from "zod";

export const FieldError = z
  .object({
    path: z
      .string()
      .meta({ description: "The offending field, dot-separated (`events.3.type`)", example: "events.1.type" }),
    message: z.string().meta({ example: "Invalid option" }),
  })
  .meta({ id: "FieldError" });
export type FieldError = z.infer<typeof FieldError>;

/** RFC 9457 problem details: every error the API returns has this shape. */
export const ProblemDetails = z
  .object({
    type: z.string().meta({ example: "https://setlist.dev/problems/bad-request" }),
    title: z.string().meta({ example: "Bad Request" }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().optional().meta({ example: "Invalid request body: events.1.type Invalid option" }),
    instance: z.string().optional(),
    /** Each field that was wrong, on validation failures. */
    errors: z.array(FieldError).optional(),
    /** The stores that could not be read, on 503s of a degraded answer. */
    degraded: z.array(z.string()).optional(),
    /** Alexa requests: the verification rule the request broke (signature, certificate, timestamp, ...). */
    rule: z.string().optional(),
    /** On a 409 to a retrain: the version the one retrain under way is building. */
    running: z.string().optional(),
  })
  .meta({
    id: "Problem",
    description: "RFC 9457 problem details (application/problem+json); `errors` names each offending field",
  });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(status: number, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  const title = TITLES[status] ?? "Error";
  return {
    type: `https://setlist.dev/problems/${title.toLowerCase().replaceAll(" ", "-")}`,
    title,
    status,
    detail,
    ...extra,
  };
}

export function problemResponse(details: ProblemDetails, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(details), { status: details.status, headers: h });
}

/** Flattens zod issues into `{path, message}` pairs; the path names the offending field (`events.3.type`). */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
}
