import posts from "../content/posts.json";
import type { Post } from "./og";

export function allPosts(): Post[] {
  return posts;
}

export function postBySlug(slug: string): Post | undefined {
  return posts.find((p) => p.slug === slug);
}
