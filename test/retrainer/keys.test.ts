import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin } from "./operator";

/** A route called with another key than the test operator's. */
const withKey = (key: string) =>
  exports.default.fetch("http://retrainer/admin/keys", { headers: { "x-api-key": key } });
const post = (path: string, body: unknown) =>
  admin(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("operator routes for API keys (what npm run keys does)", () => {
  it("creates a key answered once, lists it by name and hash prefix, and revokes it by name", async () => {
    const created = await post("/keys", { role: "client", name: "dashboard app" });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { key } = (await created.json()) as { key: string };
    expect(key).toMatch(/^setlist_client_[A-Za-z0-9_-]{43}$/);

    // The new key opens the routes of its role: an operator route refuses a client key.
    const refused = await withKey(key);
    expect(refused.status).toBe(403);

    const listed = (await (await admin("/keys")).json()) as { keys: Record<string, unknown>[] };
    const mine = listed.keys.find((k) => k.name === "dashboard app");
    expect(mine).toMatchObject({ role: "client", revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key);

    const revoke = await post("/keys/revoke", { name: "dashboard app" });
    expect(await revoke.json()).toEqual({ name: "dashboard app", revoked: 1 });
    const after = (await (await admin("/keys")).json()) as { keys: Record<string, unknown>[] };
    expect(after.keys.find((k) => k.name === "dashboard app")?.revokedAt).toEqual(expect.any(Number));
    expect((await withKey(key)).status).toBe(401);

    const again = await post("/keys/revoke", { name: "dashboard app" });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { detail: string }).detail).toBe('No active key named "dashboard app"');
  });

  it("refuses a role or name the command line refuses, naming the field", async () => {
    for (const [body, path] of [
      [{ role: "admin", name: "x" }, "role"],
      [{ role: "client", name: "a/b" }, "name"],
      [{ role: "client", name: "" }, "name"],
      [{ role: "client", name: "x", extra: 1 }, "(root)"],
    ] as const) {
      const res = await post("/keys", body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { errors: { path: string }[] };
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    expect((await post("/keys/revoke", { name: "x'; --" })).status).toBe(400);
  });
});
