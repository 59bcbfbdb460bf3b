import { Hono } from "hono";
import { z } from "zod";
import { requireListener, requireRole } from "../auth/require";
import type { AppEnv } from "../env";
import { listenerPseudonym, sessionOf } from "../listener";
import { eraseListener, exportListener, updateConsent } from "../privacy";
import { validate } from "../../../shared/api/validate";
import { ListenerParam, NoQuery } from "./listeners";

const ConsentBody = z.strictObject({ personalization: z.boolean().optional(), analytics: z.boolean().optional() });

/** A listener's data is theirs alone: each route needs their token, presented through a client app. */
const ownData = [
  requireRole("client"),
  requireListener("id"),
  validate("param", ListenerParam),
  validate("query", NoQuery),
] as const;

/** The listener's rights over their data: consent, a copy of everything, and erasure. */
export const privacyApp = new Hono<AppEnv>()
  .get("/:id/consent", ...ownData, async (c) => {
    const { consent } = await sessionOf(c.env, await listenerPseudonym(c.env, c.req.valid("param").id)).snapshot();
    return c.json(consent);
  })
  .put("/:id/consent", ...ownData, validate("json", ConsentBody), async (c) => {
    const pseudonym = await listenerPseudonym(c.env, c.req.valid("param").id);
    const { consent: current } = await sessionOf(c.env, pseudonym).snapshot();
    return c.json(await updateConsent(c.env, pseudonym, { ...current, ...c.req.valid("json") }));
  })
  .get("/:id/export", ...ownData, async (c) => {
    const { id } = c.req.valid("param");
    const data = await exportListener(c.env, await listenerPseudonym(c.env, id));
    c.header("content-disposition", `attachment; filename="setlist-export-${id}.json"`);
    return c.json({ listenerId: id, exportedAt: new Date().toISOString(), ...data });
  })
  .delete("/:id", ...ownData, async (c) => {
    const { id } = c.req.valid("param");
    const removed = await eraseListener(c.env, await listenerPseudonym(c.env, id));
    return c.json({ listenerId: id, erased: true, removed });
  });
