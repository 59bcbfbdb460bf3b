import type { Page } from "../app";
import { h, table, when } from "../dom";
import { act } from "./models";

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

/** Dead letters of both queues, newest first, and their replay (up to 100 a call, as POST /admin/dlq/replay). */
export async function pipelinePage(page: Page): Promise<void> {
  const answer = await page.api.get<DeadLetters>("/admin/dlq?limit=50");
  if (!answer.ok) return page.refused(answer);
  const { unreplayed, deadLetters } = answer.data;
  page.main.append(
    h(
      "p",
      {},
      "Queue backlog: no operator route reports it (Cloudflare's queue metrics do, in its dashboard). Events wait in each listener's session outbox until D1 holds them.",
    ),
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
