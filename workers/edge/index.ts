import { app } from "./app";
import type { Env } from "./env";

export { ListenerSession } from "./session";

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
