// Reads a page's Open Graph and Twitter tags the way link previews do: with
// open-graph-scraper from npm, on the page's HTML as the site serves it.
//
//   node og-tags.mjs TOOLS_DIR URL...   (TOOLS_DIR holds node_modules/open-graph-scraper)
//
// Prints one JSON line per page: { url, status, ogImage: [{url,width,height}], twitterCard,
// twitterImage: [{url}] }.

import { createRequire } from "node:module";

const [tools, ...pages] = process.argv.slice(2);
const ogs = createRequire(`${tools}/`)("open-graph-scraper");

for (const url of pages) {
  const res = await fetch(url);
  const html = await res.text();
  const { result } = await ogs({ html });
  console.log(
    JSON.stringify({
      url,
      status: res.status,
      ogImage: result.ogImage ?? [],
      twitterCard: result.twitterCard ?? null,
      twitterImage: result.twitterImage ?? [],
    }),
  );
}
