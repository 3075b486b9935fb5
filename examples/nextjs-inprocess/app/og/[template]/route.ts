// Cards on demand at /og/{template}?title=...: the server's GET route, in this process.
// With OGMILL_SIGNING_KEYS set, only signed URLs render (make them with handler.url).
import { createHandler } from "ogmill";

export const runtime = "nodejs";

const handler = createHandler();

export const GET = handler;
export const HEAD = handler;
