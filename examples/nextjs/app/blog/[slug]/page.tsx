// App Router: the card is set in generateMetadata, so every post's <head> carries
// og:image (with width, height and alt) and a summary_large_image Twitter card.

import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { OG_HEIGHT, OG_WIDTH, ogImageFor } from "../../../lib/og";
import { allPosts, postBySlug } from "../../../lib/posts";

type Props = { params: Promise<{ slug: string }> };

export function generateStaticParams() {
  return allPosts().map((p) => ({ slug: p.slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const post = postBySlug((await params).slug);
  if (!post) return {};
  const image = { url: ogImageFor(post), width: OG_WIDTH, height: OG_HEIGHT, alt: post.title };
  return {
    title: post.title,
    openGraph: {
      title: post.title,
      type: "article",
      authors: [post.author],
      publishedTime: post.date,
      images: [image],
    },
    twitter: {
      card: "summary_large_image",
      title: post.title,
      images: [image],
    },
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
