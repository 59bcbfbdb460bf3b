import type { LagMinute } from "../../shared/analytics/queue-lag";
import type { Page } from "../app";
import { chartFigure } from "../chart";
import { figure, h, table, when } from "../dom";
import { act } from "./models";

interface Pipeline {
  from: number;
  to: number;
  queues: { queue: string; minutes: LagMinute[] }[];
}

const BACKLOG_MINUTES = 60;
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** One queue's last hour as its consumer saw it: how long messages waited, and how many came. */
function backlog({ queue, minutes }: Pipeline["queues"][number]): HTMLElement {
  const total = (key: "messages" | "batches" | "retried") => minutes.reduce((sum, m) => sum + m[key], 0);
  const worst = minutes.reduce((a, b) => (b.maxWaitMs > a.maxWaitMs ? b : a), minutes[0]!);
  const labels = minutes.map((m) => clock(m.minute));
  return h(
    "section",
    { "aria-label": `Backlog of ${queue}`, "data-queue": queue },
    h("h3", {}, queue),
    h(
      "p",
      { "data-messages": total("messages"), "data-max-wait-ms": worst.maxWaitMs },
      `${total("messages")} message(s) in ${total("batches")} batch(es) in the last ${minutes.length} minutes, ` +
        `${total("retried")} of them redelivered; the longest wait was ${figure(seconds(worst.maxWaitMs), 1)} s` +
        (worst.maxWaitMs > 0 ? ` (at ${clock(worst.minute)} UTC).` : "."),
    ),
    chartFigure(
      {
        kind: "line",
        title: `${queue}: seconds a message waited before its consumer took it, per minute (UTC)`,
        labels,
        series: [
          { label: "longest wait (s)", data: minutes.map((m) => seconds(m.maxWaitMs)) },
          { label: "mean wait (s)", data: minutes.map((m) => seconds(m.meanWaitMs)) },
        ],
      },
      `wait-${queue}`,
    ),
    chartFigure(
      {
        kind: "bar",
        title: `${queue}: messages delivered per minute (UTC)`,
        labels,
        series: [
          { label: "messages", data: minutes.map((m) => m.messages) },
          { label: "redelivered", data: minutes.map((m) => m.retried) },
        ],
      },
      `messages-${queue}`,
    ),
  );
}

interface DeadLetters {
  unreplayed: number;
  deadLetters: {
    messageId: string;
    queue: string;
    body: unknown;
    reason: string | null;
    receivedAt: number;
    replayedAt: number | null;
  }[];
}

/**
 * The ingest pipeline: each queue's backlog over the last hour (GET /admin/pipeline), then the dead letters,
 * newest first, and their replay (up to 100 a call, as POST /admin/dlq/replay).
 */
export async function pipelinePage(page: Page): Promise<void> {
  const [pipeline, answer] = await Promise.all([
    page.api.get<Pipeline>(`/admin/pipeline?minutes=${BACKLOG_MINUTES}`),
    page.api.get<DeadLetters>("/admin/dlq?limit=50"),
  ]);
  if (!pipeline.ok) return page.refused(pipeline);
  if (!answer.ok) return page.refused(answer);
  const { unreplayed, deadLetters } = answer.data;
  page.main.append(
    h("h2", {}, "Queue backlog"),
    h(
      "p",
      {},
      "How long messages waited in each queue before its consumer took them, as the consumer measured it. " +
        "A wait that grows minute by minute means the queue fills faster than it drains. Events wait first in " +
        "each listener's session outbox, which resends them until D1 holds them.",
    ),
    ...(pipeline.data.queues.length === 0
      ? [h("p", { "data-queue": "none" }, `No queue delivered anything in the last ${BACKLOG_MINUTES} minutes.`)]
      : pipeline.data.queues.map(backlog)),
    h("h2", {}, "Dead letters"),
    h("p", { "data-unreplayed": unreplayed }, `${unreplayed} dead event(s) await replay.`),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button",
          disabled: unreplayed === 0,
          onclick: () => void act(page, "Replay dead events", "/admin/dlq/replay"),
        },
        "Replay up to 100",
      ),
    ),
    table(
      "The 50 newest dead letters",
      ["Message", "Queue", "Reason", "Received", "Replayed", "Body"],
      deadLetters.map((d) => [
        d.messageId,
        d.queue,
        d.reason ?? "",
        when(d.receivedAt),
        when(d.replayedAt),
        h("details", {}, h("summary", {}, "Body"), h("pre", {}, JSON.stringify(d.body, null, 2))),
      ]),
      "dead-letters",
    ),
  );
}
