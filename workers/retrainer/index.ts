import { notFound, onError } from "../../shared/api/errors";
import kernelsModule from "../../shared/kernels/kernels.wasm";
import { useKernels } from "../../shared/kernels/kernels";
import { adminApp } from "./admin";
import { storeDeadLetters } from "./dead-letters";
import type { Env } from "./env";
import { ingestEvents, retryDelaySeconds } from "./ingest";
import { Job } from "./jobs";
import { runPublishJob, runTrainJob } from "./publish";
import { pruneQueueLag, recordBatchLag } from "./queue-lag";
import { applyRetention } from "./retention";
import { failStalledVersions, recordProgress, STALLED_AFTER_MS } from "./stalled";
import { runSyntheticJob } from "./synthetic";
import { runDiscardJob } from "./trainer-state";
import { startRetrain } from "./versions";

useKernels(kernelsModule);
// The edge passes operator answers on as they are, so they are problem details here already.
adminApp.notFound(notFound);
adminApp.onError(onError);

async function runJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      // A job that cannot be parsed is retried like a failed one and ends in the jobs dead-letter queue.
      const job = Job.parse(message.body);
      const started = Date.now();
      if ((job.kind === "train" || job.kind === "publish") && !(await recordProgress(env, job.version, started))) {
        console.warn(JSON.stringify({ msg: "job of a version no longer building dropped", job }));
      } else {
        if (job.kind === "train") await runTrainJob(env, job);
        else if (job.kind === "synthetic") await runSyntheticJob(env, job);
        else if (job.kind === "discard") await runDiscardJob(env, job.trainer);
        else await runPublishJob(env, job.version, job.part);
        console.log(JSON.stringify({ msg: "job done", job, ms: Date.now() - started }));
      }
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ msg: "job failed; retrying", body: message.body, error: String(error) }));
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

export default {
  fetch: adminApp.fetch,
  async queue(batch, env) {
    if (batch.queue.endsWith("-dlq")) await storeDeadLetters(batch, env);
    else if (batch.queue.startsWith("setlist-jobs")) await runJobs(batch, env);
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
        .then(() => failStalledVersions(env, Date.now() - STALLED_AFTER_MS))
        .then(() => startRetrain(env, "cron")),
    );
  },
} satisfies ExportedHandler<Env>;
