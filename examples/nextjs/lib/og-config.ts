// The example's settings, read in one place: by the pages (lib/og.ts) and by next.config.ts,
// which checks them before `next build` prerenders a single og:image URL.

/** The ogmill server, without a trailing slash. */
export function ogmillUrl(): string {
  return (process.env.OGMILL_URL ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
}

/** This site's origin, for absolute og:image URLs. */
export function siteUrl(): string {
  return (process.env.SITE_URL ?? "http://localhost:3001").replace(/\/+$/, "");
}

/** Whether og:image goes through this site's /api/og route (OGMILL_PROXY=1). */
export function viaProxy(): boolean {
  return truthy(process.env.OGMILL_PROXY);
}

/**
 * The key that signs: the first of the server's OGMILL_SIGNING_KEYS, else OGMILL_SIGNING_KEY.
 * A set but empty variable is no key (the server refuses it as well).
 */
export function signingKey(): string | undefined {
  const list = process.env.OGMILL_SIGNING_KEYS;
  if (list !== undefined && list.trim() !== "") return list.split(",")[0].trim();
  return process.env.OGMILL_SIGNING_KEY?.trim() || undefined;
}

/** Whether this build may publish unsigned og:image URLs: an explicit opt-in (OGMILL_UNSIGNED=1). */
export function unsignedAllowed(): boolean {
  return truthy(process.env.OGMILL_UNSIGNED);
}

export function truthy(value: string | undefined): boolean {
  return ["1", "true", "yes", "on"].includes(String(value ?? "").toLowerCase());
}

/**
 * Before a production build of the on-demand mode: fail when the URLs it is about to bake into
 * every page would be refused by the server, and warn when it cannot tell. Pages are
 * prerendered, so an unsigned og:image would stay broken until the next build, and crawlers
 * cache the 403.
 *
 * Returns the warnings; throws an Error whose message says what to set.
 */
export async function checkSigning(sign: (key: string) => string, timeoutMs = 5000): Promise<string[]> {
  const key = signingKey();
  const server = ogmillUrl();
  const required = truthy(process.env.OGMILL_REQUIRE_SIGNATURE);
  if (!key && (required || !unsignedAllowed())) {
    throw new Error(
      "no signing key: set OGMILL_SIGNING_KEYS (the server's --signing-key; make one with " +
        "`ogmill sign --new-key`) for `next build`, or every og:image may be refused with 403. " +
        (required ? "" : "For a server that does not check signatures, set OGMILL_UNSIGNED=1."),
    );
  }
  // Ask the server itself: an unsigned (or signed) URL of the card the pages use.
  const probe = key ? sign(key) : `${server}/api/og/blog?title=ogmill+build+check`;
  let status: number;
  try {
    const res = await fetch(probe, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return [
      `could not reach the ogmill server at ${server} (${err.cause?.code ?? err.message}) to check ` +
        (key
          ? "that it accepts this signing key"
          : "whether it requires signed URLs; without OGMILL_SIGNING_KEYS the og:image URLs are unsigned"),
    ];
  }
  if (status === 403 && key) {
    throw new Error(
      `the ogmill server at ${server} refuses URLs signed with this build's key (403): ` +
        "OGMILL_SIGNING_KEYS must hold one of the keys the server was started with.",
    );
  }
  if (status === 403) {
    throw new Error(
      `the ogmill server at ${server} requires signed URLs and this build has no key: ` +
        "set OGMILL_SIGNING_KEYS (the server's --signing-key) for `next build`, " +
        "or every og:image will be refused with 403.",
    );
  }
  if (status >= 400) {
    return [`the ogmill server at ${server} answered ${status} to a card URL; check OGMILL_URL`];
  }
  return [];
}
