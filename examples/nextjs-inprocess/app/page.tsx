import Link from "next/link";

import { allPosts } from "../lib/posts";

export default function Home() {
  return (
    <ul>
      {allPosts().map((p) => (
        <li key={p.slug}>
          <Link href={`/blog/${p.slug}`}>{p.title}</Link>
        </li>
      ))}
    </ul>
  );
}
