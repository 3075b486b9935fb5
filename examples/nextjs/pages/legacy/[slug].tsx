// Pages Router: the same card through next/head. Tags are written out by hand here, so
// og:image must be an absolute URL (social crawlers do not resolve relative ones).

import Head from "next/head";
import type { GetStaticPaths, GetStaticProps } from "next";

import { OG_HEIGHT, OG_WIDTH, ogImageFor, type Post } from "../../lib/og";
import { allPosts, postBySlug } from "../../lib/posts";

// Everything from lib/og is used only in getStaticProps, which Next strips from the browser
// bundle: the signing key and node:crypto stay on the server.
type Props = { post: Post; image: { url: string; width: number; height: number } };

export const getStaticPaths: GetStaticPaths = async () => ({
  paths: allPosts().map((p) => ({ params: { slug: p.slug } })),
  fallback: false,
});

// Signing happens here, at build or on the server, never in the browser.
export const getStaticProps: GetStaticProps<Props> = async ({ params }) => {
  const post = postBySlug(String(params?.slug));
  if (!post) return { notFound: true };
  const url = new URL(ogImageFor(post), process.env.SITE_URL ?? "http://localhost:3001").href;
  return { props: { post, image: { url, width: OG_WIDTH, height: OG_HEIGHT } } };
};

export default function LegacyPost({ post, image }: Props) {
  return (
    <>
      <Head>
        <title>{post.title}</title>
        <meta property="og:title" content={post.title} />
        <meta property="og:type" content="article" />
        <meta property="og:image" content={image.url} />
        <meta property="og:image:width" content={String(image.width)} />
        <meta property="og:image:height" content={String(image.height)} />
        <meta property="og:image:alt" content={post.title} />
        <meta name="twitter:card" content="summary_large_image" />
        <meta name="twitter:image" content={image.url} />
        <meta name="twitter:image:width" content={String(image.width)} />
        <meta name="twitter:image:height" content={String(image.height)} />
        <meta name="twitter:image:alt" content={post.title} />
      </Head>
      <article>
        <h1>{post.title}</h1>
      </article>
    </>
  );
}
