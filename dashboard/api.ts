/**
 * The operator routes, called as curl calls them: the operator key in x-api-key, JSON in and out,
 * problem details (RFC 9457) on refusal. The dashboard has no route of its own.
 */
export const KEY_HEADER = "x-api-key";

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export type Answer<T> = { ok: true; status: number; data: T } | { ok: false; status: number; problem: Problem };

export class OperatorApi {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const headers: Record<string, string> = { [KEY_HEADER]: this.#key };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      return { ok: false, status: 0, problem: { status: 0, title: "Network error", detail: String(error) } };
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (res.ok) return { ok: true, status: res.status, data: parsed as T };
    const problem =
      parsed && typeof parsed === "object"
        ? ({ status: res.status, ...parsed } as Problem)
        : { status: res.status, title: res.statusText, detail: typeof parsed === "string" ? parsed : undefined };
    return { ok: false, status: res.status, problem };
  }

  get<T>(path: string) {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body?: unknown) {
    return this.call<T>("POST", path, body);
  }

  /** A route's raw answer, for downloads (CSV). */
  async raw(path: string): Promise<Response> {
    return fetch(path, { headers: { [KEY_HEADER]: this.#key } });
  }
}

/** One line for a refusal: its status, title, detail and the fields it names. */
export function describeProblem(p: Problem): string {
  const fields = (p.errors ?? []).map((e) => `${e.path}: ${e.message}`).join("; ");
  return [`${p.status || ""} ${p.title ?? ""}`.trim(), p.detail, fields && `(${fields})`].filter(Boolean).join(": ");
}
