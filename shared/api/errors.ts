import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { problem, problemResponse } from "./problem";

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof HTTPException) {
    // Hono raises these for malformed JSON, wrong content types and body limits before our handlers run.
    return problemResponse(problem(err.status, err.message || "Request rejected"));
  }
  console.error(JSON.stringify({ msg: "unhandled error", path: c.req.path, error: String(err) }));
  return problemResponse(problem(500, "The server could not answer this request"));
};

export const notFound: NotFoundHandler = (c) =>
  problemResponse(problem(404, `No route for ${c.req.method} ${c.req.path}`));
