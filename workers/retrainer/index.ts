import { notFound, onError } from "../../shared/api/errors";
import kernelsModule from "../../shared/kernels/kernels.wasm";
import { useKernels } from "../../shared/kernels/kernels";
import { adminApp } from "./admin";
import { storeDeadLetters } from "./dead-letters";
import type { Env } from "./env";
import { ingestEvents } from "./ingest";
import { pruneQueueLag, recordBatchLag } from "./queue-lag";
import { applyRetention } from "./retention";
import { startRetrain } from "./versions";

export { RetrainWorkflow } from "./retrain/workflow";
export { SyntheticTrainingWorkflow } from "./synthetic";

useKernels(kernelsModule);
// The edge passes operator answers on as they are, so they are problem details here already.
adminApp.notFound(notFound);
adminApp.onError(onError);

export default {
  fetch: adminApp.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await storeDeadLetters(batch, env);
    else await ingestEvents(batch, env);
    // The operator's view of the backlog; the batch is handled already, so failing to count it only loses a figure.
    await recordBatchLag(env.DB, batch).catch((error: unknown) =>
      console.error(JSON.stringify({ msg: "queue lag not recorded", queue: batch.queue, error: String(error) })),
    );
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      applyRetention(env)
        .then(() => pruneQueueLag(env.DB))
        .then(() => startRetrain(env, "cron"))
        .then((started) => {
          // A retrain still running keeps its turn: the next cron tries again.
          if (!started.ok)
            console.warn(JSON.stringify({ msg: "cron retrain skipped", running: started.running.version }));
        }),
    );
  },
} satisfies ExportedHandler<Env>;
