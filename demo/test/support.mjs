// Test support: a real `promo-origin serve` serving the built storefront
// (127.0.0.1, a free port read from its stdout, fixed clock), headless Debian
// Chromium through playwright-core, and an independent money formatter.
// Every wait is bounded.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveOrigin } from "../../origin/tests/js/serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const DEMO = resolve(here, "..");
export const ROOT = resolve(DEMO, "..");
export const ORIGIN_BIN = process.env.PROMO_ORIGIN_BIN ?? join(ROOT, "target/debug/promo-origin");
export const SITE = process.env.DEMO_SITE ?? join(ROOT, "target/demo-site");
export const ARTIFACTS = process.env.DEMO_ARTIFACTS ?? join(ROOT, "target/demo-e2e");
export const CHANNEL_KEY = "demo-test-channel-key-0123456789";

/** Independent of the page's formatter: integer remainder, then an exact division of a multiple of 100. */
export function euros(minor) {
  if (!Number.isSafeInteger(minor)) throw new Error(`not an integer: ${minor}`);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  const cents = abs % 100;
  return `${sign}€${(abs - cents) / 100}.${String(cents).padStart(2, "0")}`;
}

/** Hex SHA-256 of bytes (to compare a bundle across the origin, the page's cache and Node). */
export function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A temp dir with a fresh key, a copy of the built site with its
 * config.json, and `promo-origin serve` on it with the clock at `now`.
 */
export async function startOrigin(now) {
  const dir = mkdtempSync(join(tmpdir(), "promo-demo-e2e-"));
  execFileSync(ORIGIN_BIN, ["keygen", "--out", join(dir, "keys")], { stdio: "ignore", timeout: 30_000 });
  const jwks = JSON.parse(readFileSync(join(dir, "keys/jwks.json"), "utf8"));
  const site = join(dir, "site");
  cpSync(SITE, site, { recursive: true });
  writeFileSync(join(site, "config.json"), JSON.stringify({ channel: "web", channel_key: CHANNEL_KEY, jwks, now }));
  const origin = await serveOrigin(ORIGIN_BIN, [
    "--source", join(DEMO, "campaigns"), "--key", join(dir, "keys/signing-key.jwk.json"),
    "--db", join(dir, "ledger.sqlite"), "--listen", "127.0.0.1:0", "--channel-key", `web=${CHANNEL_KEY}`,
    "--now", now, "--refresh", "P0D", "--site", site,
  ]);
  const url = origin.url;
  return {
    url: `${url}/`,
    dir,
    jwks,
    async api(method, path, { body, headers = {} } = {}) {
      const res = await fetch(new URL(path, url), {
        method,
        headers: { authorization: `Bearer ${CHANNEL_KEY}`, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      // Bundles are binary (promo-edge.bundle/2): keep the bytes as they came.
      const bytes = new Uint8Array(await res.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      return { status: res.status, headers: res.headers, bytes, text, json: () => JSON.parse(text) };
    },
    async stop() {
      await origin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** A fresh persistent Chromium context (service workers need a profile). */
export async function launch() {
  const userDataDir = mkdtempSync(join(tmpdir(), "promo-demo-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    timeout: 60_000,
    viewport: { width: 1360, height: 900 },
  });
  context.setDefaultTimeout(30_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the storefront says it is ready (`window.__ready === true`). */
export async function ready(page) {
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30_000 });
  const state = await page.evaluate(() => window.__ready);
  if (state !== true) throw new Error(`the storefront failed to start: ${state}`);
}
