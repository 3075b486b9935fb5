// Next adds og:image, its size, type and alt from the opengraph-image file beside this
// page; the page only sets its title.
import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { allPosts, postBySlug } from "../../../lib/posts";

type Props = { params: Promise<{ slug: string }> };

export function generateStaticParams() {
  return allPosts().map((p) => ({ slug: p.slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const post = postBySlug((await params).slug);
  if (!post) return {};
  return {
    title: post.title,
    openGraph: { title: post.title, type: "article", authors: [post.author] },
    twitter: { card: "summary_large_image", title: post.title },
  };
}

export default async function PostPage({ params }: Props) {
  const post = postBySlug((await params).slug);
  if (!post) notFound();
  return (
    <article>
      <h1>{post.title}</h1>
      <p>
        {post.author} · {post.date}
      </p>
    </article>
  );
}
