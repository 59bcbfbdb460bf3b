import type { Page } from "../app";
import { chartFigure } from "../chart";
import { figure, h, table, when } from "../dom";

export interface Version {
  version: string;
  algorithm: string;
  status: "building" | "published" | "rejected" | "failed" | "pruned";
  trigger: string;
  createdAt: number;
  publishedAt: number | null;
  progressAt: number | null;
  /** The retrain's current (or last) step. */
  step: string | null;
  partsTotal: number;
  listenerCount: number;
  trackCount: number;
  eventCount: number;
  failure: string | null;
  metrics: {
    holdout?: { ndcg: number; recall: number; coverage: number; listeners: number };
    promotion?: { promote: boolean; reason: string };
  } | null;
  /** A building version's run: `stuck` once its step began longer ago than the retrainer's bound. */
  run?: { status: "running" | "stuck"; step: string | null };
}
export interface Models {
  current: { version: string; publishedAt: number } | null;
  versions: Version[];
}

/** Promote and roll back answer the new live pointer, or a problem (409: nothing to roll back to). */
export async function act(page: Page, what: string, path: string, body?: unknown): Promise<boolean> {
  const answer = await page.api.post<Record<string, unknown>>(path, body);
  if (!answer.ok) {
    page.refused(answer);
    return false;
  }
  page.say(`${what}: ${JSON.stringify(answer.data)}`);
  page.reload();
  return true;
}

/** Model versions, newest first, with their holdout figures; promote any written version, or roll back. */
export async function modelsPage(page: Page): Promise<void> {
  const answer = await page.api.get<Models>("/admin/models");
  if (!answer.ok) return page.refused(answer);
  const { current, versions } = answer.data;
  const live = current?.version;
  const measured = versions.filter((v) => v.metrics?.holdout).reverse();
  page.main.append(
    h(
      "section",
      { "aria-labelledby": "live-heading" },
      h("h2", { id: "live-heading" }, "Live version"),
      h(
        "p",
        { "data-live": live ?? "" },
        live ? [h("strong", {}, live), ` published ${when(current.publishedAt)}`] : "No version is live yet.",
      ),
      h(
        "div",
        { class: "actions" },
        h(
          "button",
          {
            type: "button",
            onclick: () => void act(page, "Roll back to the version live before", "/admin/models/rollback"),
          },
          "Roll back",
        ),
        h("button", { type: "button", onclick: () => void act(page, "Retrain", "/admin/retrain") }, "Retrain now"),
      ),
    ),
    measured.length > 0
      ? chartFigure(
          {
            kind: "line",
            title: "Holdout NDCG@10 and Recall@10 by version",
            labels: measured.map((v) => v.version),
            series: [
              { label: "NDCG@10", data: measured.map((v) => v.metrics!.holdout!.ndcg) },
              { label: "Recall@10", data: measured.map((v) => v.metrics!.holdout!.recall) },
            ],
          },
          "holdout",
        )
      : h("p", {}, "No version has holdout figures yet."),
    table(
      "Model versions, newest first",
      ["Version", "Status", "Trigger", "Created", "Listeners", "NDCG@10", "Recall@10", "Coverage@10", "Gate", ""],
      versions.map((v) => [
        v.version + (v.version === live ? " (live)" : ""),
        v.status,
        v.trigger,
        when(v.createdAt),
        v.listenerCount,
        figure(v.metrics?.holdout?.ndcg),
        figure(v.metrics?.holdout?.recall),
        figure(v.metrics?.holdout?.coverage),
        v.failure ?? v.metrics?.promotion?.reason ?? "",
        v.version !== live && (v.status === "published" || v.status === "rejected")
          ? h(
              "button",
              {
                type: "button",
                "data-promote": v.version,
                onclick: () => void act(page, `Promote ${v.version}`, `/admin/models/${v.version}/promote`),
              },
              h("span", { class: "visually-hidden" }, `${v.version}: `),
              "Promote",
            )
          : "",
      ]),
      "versions",
    ),
  );
}
