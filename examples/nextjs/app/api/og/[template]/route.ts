// Migrating from a hosted image API: the tutorial's route called
//   fetch(`https://render.<vendor>.com/v1/${template}`, { method: "POST", headers: {
//     Authorization: `Bearer ${process.env.VENDOR_API_KEY}`, "Content-Type": "application/json" },
//     body: JSON.stringify(values) })
// ogmill's POST /v1/{template} takes the same request, so only the base URL (and the key,
// if the server sets --api-keys) changes. Simpler still: point og:image straight at
// ogmill's GET URL (lib/og.ts) and drop this route.

import type { NextRequest } from "next/server";

const OGMILL_URL = process.env.OGMILL_URL ?? "http://127.0.0.1:3000";

export async function GET(req: NextRequest, ctx: { params: Promise<{ template: string }> }) {
  const { template } = await ctx.params;
  const values = Object.fromEntries(req.nextUrl.searchParams);
  const res = await fetch(`${OGMILL_URL}/v1/${encodeURIComponent(template)}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${process.env.OGMILL_API_KEY ?? ""}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(values),
  });
  // ogmill answers 4xx with a readable message; pass it on. Its Cache-Control and ETag
  // let the CDN in front of Next cache the card.
  return new Response(res.body, {
    status: res.status,
    headers: {
      "Content-Type": res.headers.get("content-type") ?? "application/octet-stream",
      "Cache-Control": res.headers.get("cache-control") ?? "no-store",
      ...(res.headers.get("etag") ? { ETag: res.headers.get("etag")! } : {}),
    },
  });
}
