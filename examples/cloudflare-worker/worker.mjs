// Open Graph cards at the edge: GET /og/{template}?title=... renders with ogmill-wasm in
// the worker. The Renderer is built once per isolate and kept across requests.
import { Renderer } from "ogmill-wasm";

let renderer;

function json(status, error) {
  return new Response(JSON.stringify({ error, status }), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const match = /^\/og\/([^/]+)$/.exec(url.pathname);
    if (!match) return json(404, "no such route: try /og/blog?title=Hello");
    if (request.method !== "GET" && request.method !== "HEAD") return json(405, "method not allowed");
    renderer ??= new Renderer();
    const params = Object.fromEntries(url.searchParams);
    const { format, ...values } = params;
    try {
      const card = await renderer.render(decodeURIComponent(match[1]), values, { format });
      return new Response(request.method === "HEAD" ? null : card.data, {
        headers: {
          "content-type": card.contentType,
          "cache-control": "public, max-age=86400, s-maxage=86400, stale-while-revalidate=604800",
          "x-ogmill-fit": card.fit.map((f) => `${f.slot} ${f.fontSize} ${f.lines}`).join(", "),
        },
      });
    } catch (e) {
      if (e.code === "UNKNOWN_TEMPLATE") return json(404, e.message);
      if (e.code === "BAD_PARAM") return json(400, e.message);
      console.error(e);
      return json(500, "internal error; it has been logged");
    }
  },
};
