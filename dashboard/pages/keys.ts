import type { Page } from "../app";
import { h, table, when } from "../dom";

interface Key {
  name: string;
  role: string;
  hashPrefix: string;
  createdAt: number;
  revokedAt: number | null;
}

const ROLES = ["client", "speaker", "operator"];

/** What `npm run keys` does: list, create (the key is shown once), revoke every active key of a name. */
export async function keysPage(page: Page): Promise<void> {
  const answer = await page.api.get<{ keys: Key[] }>("/admin/keys");
  if (!answer.ok) return page.refused(answer);
  const created = h("output", { class: "new-key", "aria-live": "polite" });
  const name = h("input", { id: "key-name", name: "name", required: true, maxlength: 64, autocomplete: "off" });
  const role = h("select", { id: "key-role", name: "role" }, ...ROLES.map((r) => h("option", { value: r }, r)));
  const form = h(
    "form",
    { class: "inline-form", "aria-labelledby": "create-key" },
    h("h2", { id: "create-key" }, "Create a key"),
    h("label", { for: "key-role" }, "Role"),
    role,
    h("label", { for: "key-name" }, "Name"),
    name,
    h("button", { type: "submit" }, "Create"),
    created,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      const made = await page.api.post<{ key: string; name: string; role: string }>("/admin/keys", {
        role: role.value,
        name: name.value,
      });
      if (!made.ok) return page.refused(made);
      page.say(`Created a ${made.data.role} key named "${made.data.name}"`);
      // Shown once: D1 keeps only its hash. Not redrawn with the list, so it stays until the operator leaves.
      created.replaceChildren(
        `The new ${made.data.role} key for "${made.data.name}" (shown once; copy it now): `,
        h("code", { "data-new-key": "" }, made.data.key),
      );
      await redraw();
    })();
  });
  const list = h("div", {});
  const draw = (keys: Key[]) =>
    list.replaceChildren(
      table(
        "API keys, oldest first",
        ["Name", "Role", "Hash prefix", "Created", "State", ""],
        keys.map((k) => [
          k.name,
          k.role,
          `${k.hashPrefix}…`,
          when(k.createdAt),
          k.revokedAt ? `revoked ${when(k.revokedAt)}` : "active",
          k.revokedAt
            ? ""
            : h(
                "button",
                {
                  type: "button",
                  "data-revoke": k.name,
                  onclick: () => {
                    if (
                      !confirm(`Revoke every active key named "${k.name}"? Apps using it are refused within a minute.`)
                    )
                      return;
                    void (async () => {
                      const revoked = await page.api.post<{ revoked: number }>("/admin/keys/revoke", { name: k.name });
                      if (!revoked.ok) return page.refused(revoked);
                      page.say(`Revoked ${revoked.data.revoked} key(s) named "${k.name}"`);
                      await redraw();
                    })();
                  },
                },
                h("span", { class: "visually-hidden" }, `${k.name}: `),
                "Revoke",
              ),
        ]),
        "keys",
      ),
    );
  const redraw = async () => {
    const again = await page.api.get<{ keys: Key[] }>("/admin/keys");
    if (again.ok) draw(again.data.keys);
    else page.refused(again);
  };
  draw(answer.data.keys);
  page.main.append(form, list);
}
