// The post's card, drawn in this process by ogmill from the bundled `blog` template (or
// ./svg-templates/blog.svg, when the site has its own): no image server beside the site.
// With generateStaticParams, `next build` renders every card once, ahead of time.
import { ImageResponse } from "ogmill/next";

import { allPosts, postBySlug } from "../../../lib/posts";

export const runtime = "nodejs";
export const size = { width: 1200, height: 630 };
export const contentType = "image/png";
export const alt = "The post's title, author and date";

export function generateStaticParams() {
  return allPosts().map((p) => ({ slug: p.slug }));
}

export default async function Image({ params }: { params: Promise<{ slug: string }> }) {
  const post = postBySlug((await params).slug);
  if (!post) return new Response("no such post", { status: 404 });
  return new ImageResponse("blog", {
    title: post.title,
    author: post.author,
    date: post.date,
    tag: post.tag,
  });
}
