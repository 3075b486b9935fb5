// Where this site's cards come from: ogmill, either prerendered by `npm run og:build` into
// public/og/ (OG_MODE=static) or rendered on demand by an ogmill server (the default).
// The variables are the server's own names, so one .env serves both:
//
//   OGMILL_URL           the ogmill server, e.g. https://og.example.com (default http://127.0.0.1:3000)
//   OGMILL_SIGNING_KEYS  the server's keys (comma-separated); the first one signs. Server-side only.
//                        OGMILL_SIGNING_KEY (one key) is read when OGMILL_SIGNING_KEYS is unset.
//   OGMILL_PROXY         "1": og:image points at this site's /api/og route, which passes the
//                        request to OGMILL_URL, so the render server can stay private
//   OG_MODE              "static" to use the files `npm run og:build` wrote
//
// next.config.ts checks these at `next build` (lib/og-config.ts).

import { ogUrl } from "./ogmill";
import { ogmillUrl, signingKey, siteUrl, viaProxy } from "./og-config";

export interface Post {
  slug: string;
  title: string;
  author: string;
  date: string;
  tag?: string;
}

export const OG_WIDTH = 1200;
export const OG_HEIGHT = 630;

/** The og:image URL of a post's card. */
export function ogImageFor(post: Post): string {
  if (process.env.OG_MODE === "static") {
    return `/og/blog/${post.slug}.png`; // made absolute by metadataBase
  }
  return ogUrl(
    "blog",
    { title: post.title, author: post.author, date: post.date, tag: post.tag },
    { baseUrl: viaProxy() ? siteUrl() : ogmillUrl(), key: signingKey() },
  );
}
