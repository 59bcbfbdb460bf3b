/**
 * A hard kill of the local network, as the issue measured it: events answered 202, the runtime's
 * whole process group killed with SIGKILL right after the last answer, the network restarted on the
 * same storage. Every accepted event must reach D1 exactly once, and a retrain the kill interrupted
 * must not stay `building`: its Workflow instance does not carry on after the restart, and `npm start`
 * cancels it (marked failed) and retrains.
 */
import { expect, it } from "vitest";
import { startLocalNetwork, type LocalNetwork } from "../../scripts/local-network";
import { asListener, asOperator, call as callNetwork, testStorage, testTrack } from "./client";

/** Beside `npm start` (8787) and the benchmarks (8797, 8798). */
const PORT = 8811;
const N = 2_000;
const PER_REQUEST = 100;
const LISTENERS = Array.from({ length: 5 }, (_, i) => `kill-test-${i}`);
const TRACKS = Array.from({ length: 20 }, (_, i) => testTrack("kill", i));

let network: LocalNetwork | undefined;
const persistTo = testStorage("kill", () => network);

const call = <T>(path: string, init: RequestInit, status: number) => callNetwork<T>(network!, path, init, status);

/** The ids of a listener's events in D1, read through the listener's own export. */
async function storedIds(listenerId: string): Promise<string[]> {
  const view = await call<{ events: { eventId: string }[] }>(
    "/v1/me/export",
    { headers: await asListener(listenerId) },
    200,
  );
  return view.events.map((e) => e.eventId);
}

it("every event answered 202 reaches D1 exactly once after a SIGKILL and a restart", async () => {
  network = await startLocalNetwork(PORT, { seed: false, persistTo });
  await call(
    "/admin/import/tracks",
    { method: "POST", headers: asOperator, body: JSON.stringify({ rows: TRACKS }) },
    200,
  );

  const now = Date.now();
  const requests = Array.from({ length: N / PER_REQUEST }, (_, r) => {
    const listenerId = LISTENERS[r % LISTENERS.length]!;
    const events = Array.from({ length: PER_REQUEST }, (_, i) => {
      const n = r * PER_REQUEST + i;
      const type = n % 3 === 0 ? "complete" : "play";
      return {
        id: `k-${n}`,
        listenerId,
        trackId: TRACKS[n % TRACKS.length]!.id,
        type,
        timestamp: now - (N - n) * 1000,
      };
    });
    return { listenerId, events };
  });
  const sent = new Map<string, string[]>(LISTENERS.map((l) => [l, []]));
  let accepted = 0;
  // Four requests at a time.
  for (let i = 0; i < requests.length; i += 4) {
    const group = requests.slice(i, i + 4);
    const answers = await Promise.all(
      group.map(async ({ listenerId, events }) =>
        call<{ accepted: number }>(
          "/v1/events",
          {
            method: "POST",
            headers: await asListener(listenerId),
            body: JSON.stringify({ events }),
          },
          202,
        ),
      ),
    );
    answers.forEach((a, j) => {
      accepted += a.accepted;
      sent.get(group[j]!.listenerId)!.push(...group[j]!.events.map((e) => e.id));
    });
  }
  const statusOf = (version: string) =>
    call<{ status: string; failure: string | null }>(`/admin/models/${version}`, { headers: asOperator }, 200);
  // A retrain started just before the kill. This little data trains in well under a second, so the kill may
  // come after it finished: what is checked is that no version is left building, whichever it was.
  const retrain = (await call<{ version: string }>("/admin/retrain", { method: "POST", headers: asOperator }, 202))
    .version;
  const atKill = (await statusOf(retrain)).status;
  await network.kill();
  expect(accepted).toBe(N);

  network = await startLocalNetwork(PORT, { seed: false, persistTo });
  let stored = new Map<string, string[]>();
  const count = () => [...stored.values()].reduce((sum, ids) => sum + ids.length, 0);
  const deadline = Date.now() + 75_000;
  do {
    stored = new Map(await Promise.all(LISTENERS.map(async (l) => [l, await storedIds(l)] as const)));
    if (count() >= N) break;
    await new Promise((r) => setTimeout(r, 2000));
  } while (Date.now() < deadline);
  console.log(`[kill test] N=${N} answered 202 (accepted ${accepted}); in D1 after SIGKILL and restart: ${count()}`);
  for (const listenerId of LISTENERS) {
    expect(stored.get(listenerId)!.toSorted(), listenerId).toEqual(sent.get(listenerId)!.toSorted());
  }

  const version = await statusOf(retrain);
  console.log(
    `[kill test] retrain ${retrain}, ${atKill} at the kill, after the restart: ${version.status} (${version.failure ?? "no failure"})`,
  );
  expect(version.status).not.toBe("building");
});
