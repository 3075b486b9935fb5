// Signed ogmill image URLs, with no dependencies beyond Node's crypto.
//
// The signature is the one `ogmill sign` prints and the server checks: HMAC-SHA256 over
//   "ogmill-v1\n" + lp(template) + "\n" + for each param sorted by name then value
//   (as UTF-8 bytes): lp(name) + lp(value) + "\n"
// where lp(s) is "<UTF-8 byte length>:<s>", in URL-safe base64 without padding. `exp`
// (unix seconds) is signed like any other param; `sig` carries the signature.
//
// Use it on the server side only (generateMetadata, getStaticProps, a route handler): the
// key must never reach the browser.

import { createHmac } from "node:crypto";

/** Values for a template's params; `null` and `undefined` are left out. */
export type OgParams = Record<string, string | number | boolean | null | undefined>;

export interface OgUrlOptions {
  /** Where ogmill is served, e.g. "https://og.example.com". */
  baseUrl: string;
  /** A signing key the server accepts (its first `--signing-key` or any listed one). */
  key?: string;
  /** Seconds from now after which the URL stops working. */
  expiresIn?: number;
  /** The current time in unix seconds; for tests. Defaults to the clock. */
  now?: number;
}

/** The fewest bytes a key may have; the server refuses shorter ones at start-up. */
export const MIN_KEY_BYTES = 16;

/** The URL of a card: `${baseUrl}/api/og/${template}?...`, signed when a key is given. */
export function ogUrl(template: string, params: OgParams, options: OgUrlOptions): string {
  if (options.key !== undefined) checkKey(options.key);
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === null || value === undefined) continue;
    // `exp` and `sig` are the signature's own: a caller's `exp` would be signed ahead of
    // ours (and a server reads only one), so neither may come in as a value.
    if (name === "exp" || name === "sig") {
      throw new Error(`'${name}' is reserved for the signature: use options.expiresIn for an expiry`);
    }
    pairs.push([name, String(value)]);
  }
  if (options.key !== undefined && options.expiresIn !== undefined) {
    const now = options.now ?? Math.floor(Date.now() / 1000);
    pairs.push(["exp", String(now + Math.floor(options.expiresIn))]);
  }
  if (options.key !== undefined) {
    pairs.push(["sig", ogSignature(template, pairs, options.key)]);
  }
  const query = pairs
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join("&");
  const base = options.baseUrl.replace(/\/+$/, "");
  return `${base}/api/og/${encodeURIComponent(template)}${query ? `?${query}` : ""}`;
}

/**
 * Throws unless `key` has at least MIN_KEY_BYTES bytes: an empty key (an unset variable) or a
 * short word would let anyone sign URLs, so the server refuses such keys too.
 */
export function checkKey(key: string): void {
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes === 0) {
    throw new Error(
      "the signing key is empty (an unset variable?): anyone could sign URLs with it. " +
        "Make one with `ogmill sign --new-key` and set OGMILL_SIGNING_KEYS",
    );
  }
  if (bytes < MIN_KEY_BYTES) {
    throw new Error(
      `the signing key has ${bytes} bytes; a key needs at least ${MIN_KEY_BYTES}. ` +
        "Make one with `ogmill sign --new-key`",
    );
  }
}

/** The `sig` value for a template and its params (`exp` included, `sig` not). */
export function ogSignature(
  template: string,
  params: ReadonlyArray<readonly [string, string]>,
  key: string,
): string {
  checkKey(key);
  const encoded = params.map(([n, v]) => [Buffer.from(n, "utf8"), Buffer.from(v, "utf8")] as const);
  encoded.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
  const parts: Buffer[] = [Buffer.from("ogmill-v1\n"), lengthPrefixed(Buffer.from(template, "utf8")), Buffer.from("\n")];
  for (const [name, value] of encoded) {
    parts.push(lengthPrefixed(name), lengthPrefixed(value), Buffer.from("\n"));
  }
  return createHmac("sha256", key).update(Buffer.concat(parts)).digest("base64url");
}

function lengthPrefixed(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
}
