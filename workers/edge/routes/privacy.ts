import { Hono } from "hono";
import { z } from "zod";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { sessionOf } from "../listener";
import { eraseListener, exportListener, updateConsent } from "../privacy";
import { validate } from "../../../shared/api/validate";
import { NoQuery } from "../../../shared/api/schemas";

const ConsentBody = z.strictObject({ personalization: z.boolean().optional(), analytics: z.boolean().optional() });

/** A listener's data is theirs alone: each route needs their token, presented through a client app. */
const ownData = [requireRole("client"), requireListener(), validate("query", NoQuery)] as const;

/** The listener's rights over their data: consent, a copy of everything, and erasure. */
export const privacyApp = new Hono<AppEnv>()
  .get("/consent", ...ownData, async (c) => {
    const { consent } = await sessionOf(c.env, c.var.pseudonym).snapshot();
    return c.json(consent);
  })
  .put("/consent", ...ownData, validate("json", ConsentBody), async (c) => {
    const pseudonym = c.var.pseudonym;
    const { consent: current } = await sessionOf(c.env, pseudonym).snapshot();
    return c.json(await updateConsent(c.env, pseudonym, { ...current, ...c.req.valid("json") }));
  })
  .get("/export", ...ownData, async (c) => {
    const id = c.var.listener;
    const data = await exportListener(c.env, c.var.pseudonym);
    // No listener id in a header: response headers reach logs and traces that bodies do not.
    c.header("content-disposition", 'attachment; filename="setlist-export.json"');
    return c.json({ listenerId: id, exportedAt: new Date().toISOString(), ...data });
  })
  .delete("/", ...ownData, async (c) => {
    const id = c.var.listener;
    const removed = await eraseListener(c.env, c.var.pseudonym);
    return c.json({ listenerId: id, erased: true, removed });
  });
