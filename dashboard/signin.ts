/**
 * The sign-in page's script, the one part of the dashboard served without a key. It fetches the
 * application with the operator key (in x-api-key, as every operator route takes it), which checks
 * the key too: a wrong key gets the edge's problem details. The key is kept in sessionStorage, so a
 * reload of this tab stays signed in and closing it signs out; it never goes into a URL.
 */
import { KEY_HEADER, describeProblem, type Problem } from "./api";

const STORED = "setlist-operator-key";
const app = document.getElementById("app")!;
const signInPage = app.innerHTML;

async function signIn(key: string): Promise<string | null> {
  const res = await fetch("/dashboard/app.js", { headers: { [KEY_HEADER]: key } }).catch((error: unknown) => error);
  if (!(res instanceof Response)) return `the edge cannot be reached (${String(res)})`;
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({ title: res.statusText }))) as Problem;
    return describeProblem({ ...problem, status: res.status });
  }
  const url = URL.createObjectURL(new Blob([await res.text()], { type: "text/javascript" }));
  const module = (await import(url)) as typeof import("./app");
  URL.revokeObjectURL(url);
  sessionStorage.setItem(STORED, key);
  module.start(key, app, signOut);
  return null;
}

function signOut() {
  sessionStorage.removeItem(STORED);
  location.hash = "";
  // A fresh page: the application and the key it held in memory are gone with it.
  location.reload();
}

function showForm(error?: string) {
  app.innerHTML = signInPage;
  const form = document.getElementById("sign-in") as HTMLFormElement;
  const input = document.getElementById("operator-key") as HTMLInputElement;
  const alert = document.getElementById("sign-in-error")!;
  if (error) {
    alert.textContent = error;
    alert.hidden = false;
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void signIn(input.value.trim()).then((refused) => {
      if (refused) {
        alert.textContent = `Not signed in: ${refused}`;
        alert.hidden = false;
        input.select();
      }
    });
  });
  input.focus();
}

const stored = sessionStorage.getItem(STORED);
if (stored) {
  void signIn(stored).then((refused) => {
    if (refused) {
      sessionStorage.removeItem(STORED);
      showForm(`Signed out: ${refused}`);
    }
  });
} else showForm();
