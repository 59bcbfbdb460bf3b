import type { Page } from "../app";
import { h } from "../dom";

interface Consent {
  personalization: boolean;
  analytics: boolean;
}

/**
 * A listener's support request: look them up by id (sent in a body, pseudonymised by the edge),
 * change their consent, download their export, erase them.
 */
export async function listenerPage(page: Page): Promise<void> {
  const id = h("input", {
    id: "listener-id",
    name: "listenerId",
    required: true,
    maxlength: 64,
    autocomplete: "off",
    spellcheck: "false",
  });
  const result = h("div", { class: "listener" });
  const form = h(
    "form",
    { class: "inline-form", role: "search" },
    h("label", { for: "listener-id" }, "Listener id"),
    id,
    h("button", { type: "submit" }, "Look up"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show(page, id.value.trim(), result);
  });
  page.main.append(
    h(
      "p",
      {},
      "The id is sent in the request body, never in a URL, and only the edge turns it into the pseudonym under which everything is stored.",
    ),
    form,
    result,
  );
}

async function show(page: Page, listenerId: string, result: HTMLElement) {
  const found = await page.api.post<{ listenerId: string; consent: Consent }>("/admin/listeners/lookup", {
    listenerId,
  });
  if (!found.ok) return page.refused(found);
  const boxes = (["personalization", "analytics"] as const).map((choice) => {
    const box = h("input", {
      type: "checkbox",
      id: `consent-${choice}`,
      name: choice,
      checked: found.data.consent[choice],
    });
    return { choice, box, row: h("div", {}, box, h("label", { for: `consent-${choice}` }, ` ${choice}`)) };
  });
  const consent = h(
    "form",
    { "aria-labelledby": "consent-heading" },
    h("h2", { id: "consent-heading" }, `Consent of ${listenerId}`),
    ...boxes.map((b) => b.row),
    h("button", { type: "submit" }, "Save consent"),
  );
  consent.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      const change = Object.fromEntries(boxes.map((b) => [b.choice, b.box.checked]));
      const saved = await page.api.post<Consent>("/admin/listeners/consent", { listenerId, ...change });
      if (!saved.ok) return page.refused(saved);
      page.say(
        `Consent of ${listenerId}: personalization ${saved.data.personalization}, analytics ${saved.data.analytics}`,
      );
    })();
  });
  const exported = h("div", { "aria-live": "polite" });
  const exportButton = h("button", { type: "button" }, "Export everything held");
  exportButton.addEventListener("click", () => {
    void (async () => {
      const data = await page.api.post<Record<string, unknown>>("/admin/listeners/export", { listenerId });
      if (!data.ok) return page.refused(data);
      const json = JSON.stringify(data.data, null, 2);
      const link = h(
        "a",
        { href: URL.createObjectURL(new Blob([json], { type: "application/json" })), download: "setlist-export.json" },
        "Download the export (JSON)",
      );
      const sizes = Object.entries(data.data).map(([k, v]) =>
        h("li", {}, `${k}: ${Array.isArray(v) ? `${v.length} item(s)` : typeof v === "object" && v ? "…" : String(v)}`),
      );
      exported.replaceChildren(h("ul", { "data-export": "" }, ...sizes), link);
      page.say(`Exported ${listenerId}`);
    })();
  });
  const eraseButton = h("button", { type: "button", class: "danger" }, "Erase this listener");
  eraseButton.addEventListener("click", () => {
    if (!confirm(`Erase everything held about ${listenerId}, everywhere? This cannot be undone.`)) return;
    void (async () => {
      const erased = await page.api.post<{ removed: { events: number } }>("/admin/listeners/erase", { listenerId });
      if (!erased.ok) return page.refused(erased);
      page.say(`Erased ${listenerId}: ${erased.data.removed.events} event(s) removed`);
    })();
  });
  result.replaceChildren(
    consent,
    h(
      "section",
      { "aria-labelledby": "rights-heading" },
      h("h2", { id: "rights-heading" }, "Access and erasure"),
      h("div", { class: "actions" }, exportButton, eraseButton),
      exported,
    ),
  );
  page.say(`Looked up ${listenerId}`);
}
