// Checks the card settings before a production build bakes og:image URLs into every page
// (lib/og-config.ts): a build that would publish broken cards fails here instead.

import type { NextConfig } from "next";
import { PHASE_PRODUCTION_BUILD } from "next/constants";

import { checkSigning, ogmillUrl } from "./lib/og-config";
import { ogUrl } from "./lib/ogmill";

export default async function config(phase: string): Promise<NextConfig> {
  // Next loads this file in several processes; the workers inherit the flag and skip it.
  if (phase === PHASE_PRODUCTION_BUILD && process.env.OG_MODE !== "static" && !process.env.OGMILL_CHECKED) {
    process.env.OGMILL_CHECKED = "1";
    const sign = (key: string) => ogUrl("blog", { title: "ogmill build check" }, { baseUrl: ogmillUrl(), key });
    try {
      for (const warning of await checkSigning(sign)) console.warn(`⚠ ogmill: ${warning}`);
    } catch (err) {
      console.error(`✖ ogmill: ${(err as Error).message}`);
      process.exit(1);
    }
  }
  return {};
}
