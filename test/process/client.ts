/** Calling a real local network (scripts/local-network.ts) from a process test, as an app would. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { DEV_KEYS, listenerTokenConfig } from "../../scripts/dev-credentials";
import { startLocalNetwork, type LocalNetwork, type LocalNetworkOptions } from "../../scripts/local-network";
import { signListenerToken } from "../../workers/edge/auth/listener-token";

export const asOperator = { "x-api-key": DEV_KEYS.operator.key, "content-type": "application/json" };

const tokens = new Map<string, string>();

/** A listener's token, signed as `npm run token` signs it. */
export async function tokenOf(listenerId: string): Promise<string> {
  if (!tokens.has(listenerId))
    tokens.set(listenerId, await signListenerToken(await listenerTokenConfig(), listenerId, 600));
  return tokens.get(listenerId)!;
}

/** Headers of the development app of `role` acting for a signed-in listener. */
export async function asListener(listenerId: string, role: "client" | "speaker" = "client") {
  return {
    "x-api-key": DEV_KEYS[role].key,
    authorization: `Bearer ${await tokenOf(listenerId)}`,
    "content-type": "application/json",
  };
}

/** A request to the network that must answer `status`; its JSON body. */
export async function call<T = unknown>(
  network: LocalNetwork,
  path: string,
  init: RequestInit,
  status: number,
): Promise<T> {
  const res = await fetch(`${network.base}${path}`, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path}: ${text}`).toBe(status);
  return JSON.parse(text) as T;
}

/** A catalog track for an import (POST /admin/import/tracks), so a test needs no demo seed. */
export const testTrack = (prefix: string, i: number) => ({
  id: `${prefix}-track-${i}`,
  title: `Test track ${i}`,
  artistId: `${prefix}-artist-${i % 4}`,
  artistName: `Test Artist ${i % 4}`,
  albumId: `${prefix}-album-${i % 4}`,
  albumTitle: `Test Album ${i % 4}`,
  genre: i % 2 ? "rock" : "folk",
  releaseDate: "2020-01-01",
  features: {
    ...{ tempo: 90 + i * 3, energy: (i % 10) / 10, valence: 0.5, danceability: 0.5, acousticness: 0.5 },
    ...{ instrumentalness: 0.1, speechiness: 0.05, loudness: -8, key: i % 12, mode: 1 as const, durationMs: 200_000 },
  },
});

/** A network started with no demo data, whose catalog is `tracks` (testTrack), imported as an operator does. */
export async function unseededNetwork(
  port: number,
  persistTo: string,
  tracks: object[],
  options: Pick<LocalNetworkOptions, "traces"> = {},
): Promise<LocalNetwork> {
  const network = await startLocalNetwork(port, { ...options, seed: false, persistTo });
  await call(
    network,
    "/admin/import/tracks",
    { method: "POST", headers: asOperator, body: JSON.stringify({ rows: tracks }) },
    200,
  );
  return network;
}

/**
 * A persistence folder of the test file's own, kept across restarts of its network: once the file's
 * tests are done, the network it names (`current`) is stopped and the folder deleted.
 */
export function testStorage(name: string, current: () => LocalNetwork | undefined): string {
  const persistTo = mkdtempSync(join(tmpdir(), `setlist-${name}-`));
  afterAll(async () => {
    await current()?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });
  return persistTo;
}
