import type { Page } from "../app";
import { h, table, when } from "../dom";
import { act, type Models } from "./models";

/** Retrains under way and failed, with the time of each one's last job; refreshed while one builds. */
export async function retrainsPage(page: Page): Promise<void> {
  const answer = await page.api.get<Models>("/admin/models");
  if (!answer.ok) return page.refused(answer);
  const runs = answer.data.versions.filter((v) => v.status === "building" || v.status === "failed");
  const building = runs.some((v) => v.status === "building");
  if (building) page.every(5000, page.reload);
  page.main.append(
    h(
      "p",
      {},
      "A retrain runs as a chain of queue jobs (train, then one publish job per part); each job records when it began. ",
      building ? "This page refreshes every 5 s while one builds." : "None is building.",
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => void act(page, "Retrain", "/admin/retrain") }, "Retrain now"),
      h(
        "button",
        { type: "button", onclick: () => void act(page, "Mark stalled retrains failed", "/admin/models/sweep") },
        "Mark stalled retrains failed",
      ),
    ),
    table(
      "Retrains under way or failed",
      ["Version", "Status", "Trigger", "Started", "Last job began", "Parts to publish", "Failure"],
      runs.map((v) => [
        v.version,
        v.status,
        v.trigger,
        when(v.createdAt),
        when(v.progressAt),
        v.partsTotal || "—",
        v.failure ?? "",
      ]),
      "retrains",
    ),
  );
}
