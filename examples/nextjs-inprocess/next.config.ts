import type { NextConfig } from "next";

const config: NextConfig = {
  // ogmill is a native addon: Node loads it from node_modules at run time, never bundled.
  serverExternalPackages: ["ogmill"],
};

export default config;
