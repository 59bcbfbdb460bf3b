import { env } from "cloudflare:workers";
import { it } from "vitest";
import { asListener, asOperator, edge, json, jsonBody, seedAndPublish } from "./helpers";

it("debug retrain", async () => {
  const first = await seedAndPublish();
  console.log("first", first);
  const jazz = await env.DB.prepare("SELECT id FROM tracks WHERE genre = 'jazz' ORDER BY id LIMIT 12").all<{ id: string }>();
  const now = Date.now();
  const events = jazz.results.flatMap((t, i) => [
    { id: `e2e-${i}-p`, listenerId: "e2e-listener", trackId: t.id, type: "play", timestamp: now - 60_000 * (30 - i) },
    { id: `e2e-${i}-c`, listenerId: "e2e-listener", trackId: t.id, type: "complete", timestamp: now - 60_000 * (30 - i) + 1000 },
  ]);
  console.log(await (await edge("/v1/events", jsonBody("POST", { events }, await asListener("e2e-listener")))).text());
  await new Promise((r) => setTimeout(r, 5000));
  const { version } = await json<{ version: string }>(await edge("/admin/retrain", { method: "POST", headers: asOperator }), 202);
  for (let i = 0; i < 25; i++) {
    await new Promise((r) => setTimeout(r, 8000));
    const v = await (await edge(`/admin/models/${version}`, { headers: asOperator })).text();
    console.log(i, v.slice(0, 200), v.match(/"promotion":\{[^}]*\}/)?.[0]);
    if (v.includes('"published"') || v.includes('"rejected"')) break;
  }
}, 400_000);
