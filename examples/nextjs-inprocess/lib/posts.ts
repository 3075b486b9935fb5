import posts from "../content/posts.json";

export type Post = { slug: string; title: string; author: string; date: string; tag: string };

export function allPosts(): Post[] {
  return posts;
}

export function postBySlug(slug: string): Post | undefined {
  return posts.find((p) => p.slug === slug);
}
