// Optional (OGMILL_PROXY=1): serves cards from this site's origin, so the ogmill server can
// stay on a private network. The request goes to ogmill's GET route unchanged, signature and
// all, so the server still renders only URLs this site signed; nothing here can render a card
// the server would refuse. Off by default: a route that renders is one more thing to guard.
//
// Migrating from a hosted image API whose tutorial POSTed JSON with a Bearer key? ogmill's
// POST /v1/{template} takes that request, but it renders whatever values it is sent, so keep
// it behind --api-keys and never expose such a route to the public.

import type { NextRequest } from "next/server";

import { ogmillUrl, viaProxy } from "../../../../lib/og-config";

export async function GET(req: NextRequest, ctx: { params: Promise<{ template: string }> }) {
  if (!viaProxy()) {
    return new Response("not found\n", { status: 404 });
  }
  const { template } = await ctx.params;
  const res = await fetch(`${ogmillUrl()}/api/og/${encodeURIComponent(template)}${req.nextUrl.search}`, {
    headers: forwarded(req.headers),
    cache: "no-store",
  });
  // ogmill answers 4xx with a readable message; pass it on, with the headers a CDN in front
  // of this site needs to cache the card and revalidate it.
  const headers = new Headers();
  for (const name of ["content-type", "cache-control", "etag", "last-modified", "x-ogmill-fit"]) {
    const value = res.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(res.body, { status: res.status, headers });
}

/** The request headers ogmill acts on: revalidation, and who the client is. */
function forwarded(from: Headers): Headers {
  const out = new Headers();
  for (const name of ["if-none-match", "if-modified-since", "user-agent"]) {
    const value = from.get(name);
    if (value) out.set(name, value);
  }
  return out;
}
