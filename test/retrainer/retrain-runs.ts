import { env, introspectWorkflow, type WorkflowInstanceIntrospector } from "cloudflare:test";
import { admin } from "./operator";

/** A version row as GET /admin/models/{version} answers it. */
export interface VersionView {
  version: string;
  status: string;
  step: string | null;
  failure: string | null;
  listenerCount: number;
  partsTotal: number;
  metrics: Record<string, unknown> | null;
  run: { status: string; step: string | null; error: string | null } | null;
}

export const versionView = async (version: string) => (await (await admin(`/models/${version}`)).json()) as VersionView;

/**
 * Starts a retrain through the operator route and waits for its Workflow instance to reach `status`
 * (introspected), then lets `inspect` look at its steps.
 */
export async function retrainUntil(
  status: "complete" | "errored" = "complete",
  inspect?: (instance: WorkflowInstanceIntrospector) => Promise<void>,
): Promise<VersionView> {
  await using introspector = await introspectWorkflow(env.RETRAIN);
  const answer = await admin("/retrain", { method: "POST" });
  if (answer.status !== 202) throw new Error(`retrain refused: ${answer.status} ${await answer.text()}`);
  const { version } = (await answer.json()) as { version: string };
  const [instance] = await introspector.get();
  await instance!.waitForStatus(status);
  await inspect?.(instance!);
  return versionView(version);
}

/** R2 objects left under `prefix`. */
export async function objectsUnder(prefix: string): Promise<string[]> {
  return (await env.ARTIFACTS.list({ prefix })).objects.map((o) => o.key);
}
