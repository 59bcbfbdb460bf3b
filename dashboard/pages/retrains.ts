import type { Page } from "../app";
import { h, table, when } from "../dom";
import { act, type Models } from "./models";

/** Retrains under way and failed, with each one's current step; refreshed while one builds. */
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
      "A retrain runs as a Workflow of steps (read the data, train in slices, evaluate, publish in parts, " +
        "switch the pointer, prune old versions); one runs at a time. ",
      building ? "This page refreshes every 5 s while one builds." : "None is building.",
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", onclick: () => void act(page, "Retrain", "/admin/retrain") }, "Retrain now"),
      ...runs
        .filter((v) => v.status === "building")
        .map((v) =>
          h(
            "button",
            {
              type: "button",
              onclick: () => void act(page, `Cancel ${v.version}`, `/admin/models/${v.version}/cancel`),
            },
            `Cancel ${v.version}`,
          ),
        ),
    ),
    table(
      "Retrains under way or failed",
      ["Version", "Status", "Trigger", "Started", "Step", "Step began", "Parts to publish", "Failure"],
      runs.map((v) => [
        v.version,
        v.run?.status === "stuck" ? "stuck" : v.status,
        v.trigger,
        when(v.createdAt),
        v.step ?? "—",
        when(v.progressAt),
        v.partsTotal || "—",
        v.failure ?? "",
      ]),
      "retrains",
    ),
  );
}
