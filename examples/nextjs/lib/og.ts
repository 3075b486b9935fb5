// Where this site's cards come from: ogmill, either prerendered by `npm run og:build` into
// public/og/ (OG_MODE=static) or rendered on demand by an ogmill server (the default).
//
//   OGMILL_URL          the ogmill server, e.g. https://og.example.com (default http://127.0.0.1:3000)
//   OGMILL_SIGNING_KEY  a key from the server's --signing-key list; server-side only
//   OG_MODE             "static" to use the files `npm run og:build` wrote

import { ogUrl } from "./ogmill";

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
    {
      baseUrl: process.env.OGMILL_URL ?? "http://127.0.0.1:3000",
      key: process.env.OGMILL_SIGNING_KEY,
    },
  );
}
