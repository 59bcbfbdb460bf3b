/**
 * The dashboard application: started by the sign-in script with the operator key, which it keeps in
 * memory (the sign-in script keeps it in sessionStorage, for this tab only). Each page is a hash
 * route (#models, #keys, ...), so links work with the keyboard, the back button and bookmarks.
 */
import { OperatorApi, describeProblem, type Answer } from "./api";
import { h } from "./dom";
import { experimentsPage } from "./pages/experiments";
import { keysPage } from "./pages/keys";
import { kpisPage } from "./pages/kpis";
import { listenerPage } from "./pages/listener";
import { modelsPage } from "./pages/models";
import { pipelinePage } from "./pages/pipeline";
import { retrainsPage } from "./pages/retrains";

export interface Page {
  api: OperatorApi;
  /** Where the page draws itself; emptied on each visit. */
  main: HTMLElement;
  /** The route's argument after a slash (#experiments/ID). */
  arg: string | undefined;
  /** Says something to everyone, screen readers included (a polite live region). */
  say(message: string): void;
  /** Shows a refusal in the page's alert region. */
  refused(answer: Answer<unknown> & { ok: false }): void;
  /** Draws the page again with fresh data. */
  reload(): void;
  /** Runs while the page is shown (a refresh timer); stopped when the operator leaves it. */
  every(ms: number, fn: () => void): void;
}

const PAGES: Record<string, { title: string; render: (page: Page) => Promise<void> }> = {
  models: { title: "Models", render: modelsPage },
  retrains: { title: "Retrains", render: retrainsPage },
  pipeline: { title: "Ingest pipeline", render: pipelinePage },
  keys: { title: "API keys", render: keysPage },
  listener: { title: "Listener support", render: listenerPage },
  kpis: { title: "KPIs", render: kpisPage },
  experiments: { title: "Experiments", render: experimentsPage },
};

export function start(key: string, root: HTMLElement, signOut: () => void): void {
  const api = new OperatorApi(key);
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const alert = h("p", { class: "alert", role: "alert", hidden: true });
  const main = h("main", { id: "main", tabindex: -1 });
  const links = Object.entries(PAGES).map(([route, { title }]) =>
    h("a", { href: `#${route}`, "data-route": route }, title),
  );
  const nav = h(
    "nav",
    { "aria-label": "Dashboard pages" },
    h("ul", {}, ...links.map((a) => h("li", {}, a))),
    h("button", { type: "button", class: "sign-out", onclick: signOut }, "Sign out"),
  );
  root.replaceChildren(nav, alert, status, main);

  let timers: number[] = [];
  let visit = 0;
  const render = async () => {
    const [route = "models", arg] = location.hash.replace(/^#/, "").split("/");
    const entry = PAGES[route] ?? PAGES.models!;
    for (const t of timers) clearInterval(t);
    timers = [];
    const mine = ++visit;
    for (const a of links) {
      if (a.dataset.route === route) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.title = `${entry.title} · Setlist operators`;
    alert.hidden = true;
    main.replaceChildren(h("h1", {}, entry.title), h("p", { class: "loading" }, "Loading…"));
    const page: Page = {
      api,
      main,
      arg: arg && decodeURIComponent(arg),
      say: (message) => {
        status.textContent = message;
      },
      refused: (answer) => {
        alert.textContent = describeProblem(answer.problem);
        alert.hidden = false;
      },
      reload: () => void render(),
      every: (ms, fn) => {
        if (mine === visit) timers.push(window.setInterval(fn, ms));
      },
    };
    const content = h("div", {});
    const draw = main.replaceChildren.bind(main);
    // Each page builds into its own box, swapped in whole, so a slow answer of a page left behind draws nothing.
    await entry.render({ ...page, main: content });
    if (mine !== visit) return;
    draw(h("h1", { tabindex: -1 }, entry.title), content);
    main.setAttribute("data-ready", entry.title);
  };
  window.addEventListener("hashchange", () => {
    void render().then(() => main.querySelector("h1")?.focus());
  });
  void render();
}
