import type { Env } from "../env";

/** A step's storage operations by store and method, e.g. `{ "kv.put": 120, "r2.get": 3 }`. */
export type OperationCounts = Record<string, number>;

/** The bindings metered, by the store they are: the operations a retrain pays for and is limited in. */
const METERED = { MODELS: "kv", ARTIFACTS: "r2", LAKE: "r2" } as const satisfies Partial<Record<keyof Env, string>>;

/** Methods whose answer is a multipart upload, whose own calls (uploadPart, complete, abort) are operations too. */
const MULTIPART = new Set(["createMultipartUpload", "resumeMultipartUpload"]);

const counters = new WeakMap<object, OperationCounts>();

/**
 * `env` with its KV and R2 bindings counting each call (`kv.get`, `r2.put`, `r2.uploadPart`, ...), for
 * `npm run bench:retrain` to print a step's operations beside its time. The calls go through unchanged.
 */
export function meteredBindings(env: Env): Env {
  const counts: OperationCounts = {};
  const metered = <T extends object>(binding: T, store: string): T =>
    new Proxy(binding, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        const name = String(property);
        return (...args: unknown[]) => {
          const key = `${store}.${name}`;
          counts[key] = (counts[key] ?? 0) + 1;
          const answer: unknown = value.apply(target, args);
          if (!MULTIPART.has(name)) return answer;
          return answer instanceof Promise
            ? answer.then((upload: object) => metered(upload, store))
            : metered(answer as object, store);
        };
      },
    });
  const wrapped = { ...env };
  for (const [binding, store] of Object.entries(METERED) as [keyof typeof METERED, string][])
    Object.assign(wrapped, { [binding]: metered(env[binding], store) });
  counters.set(wrapped, counts);
  return wrapped;
}

/** The operations counted on `env` (from meteredBindings) since the last take, which starts the count again. */
export function takeOperations(env: Env): OperationCounts {
  const counts = counters.get(env);
  if (!counts) return {};
  const taken = { ...counts };
  for (const key of Object.keys(counts)) delete counts[key];
  return taken;
}
