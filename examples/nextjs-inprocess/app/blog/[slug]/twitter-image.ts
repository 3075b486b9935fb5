// The same card for X's summary_large_image (Next writes twitter:image from this file).
export { default, generateStaticParams } from "./opengraph-image";

export const runtime = "nodejs";
export const size = { width: 1200, height: 630 };
export const contentType = "image/png";
export const alt = "The post's title, author and date";
