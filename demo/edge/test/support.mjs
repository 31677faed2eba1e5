// What the edge tests run against: a real `promo-origin` (keys, publish,
// serve on 127.0.0.1 with a fixed clock, stopped with SIGTERM) and the built
// worker in Miniflare. Every wait is bounded.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { serveOrigin } from "../../../origin/tests/js/serve.mjs";

export const EDGE_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = join(EDGE_ROOT, "../..");
/** The demo shop's campaign source (origin source format). */
export const SOURCE = join(REPO_ROOT, "demo/campaigns");
/** `make test-edge` passes the binary it built; a missing one fails the tests. */
export const BIN = process.env.PROMO_ORIGIN_BIN ?? join(REPO_ROOT, "target/debug/promo-origin");
/** 17:30 in Berlin: inside the demo's coffee happy hours (17:00–19:00). */
export const NOW = "2026-12-01T16:30:00Z";

export function run(args) {
  if (!existsSync(BIN)) throw new Error(`no ${BIN}: run \`make origin-build\` (make test-edge does)`);
  return execFileSync(BIN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
}

/** A temp dir with a fresh signing key (keys/) and a stranger's (keys2/). */
export function makeEnv() {
  const dir = mkdtempSync(join(tmpdir(), "promo-edge-worker-"));
  run(["keygen", "--out", join(dir, "keys")]);
  run(["keygen", "--out", join(dir, "keys2")]);
  return {
    dir,
    jwksText: readFileSync(join(dir, "keys/jwks.json"), "utf8"),
    /** `promo-origin publish` of the demo source; returns the compact JWS. */
    publish({ version, key = "keys", name = `v${version}` }) {
      const out = join(dir, `${name}.jws`);
      run(["publish", "--source", SOURCE, "--key", join(dir, key, "signing-key.jwk.json"), "--out", out,
        "--version", String(version), "--now", NOW, "--state", join(dir, `${name}.state.json`)]);
      return readFileSync(out, "utf8").trim();
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `promo-origin serve` of the demo source on a free port. Resolves to
 * `{url, stop, requests}`; `requests()` parses its per-request log lines.
 */
export async function startOrigin(env) {
  const origin = await serveOrigin(BIN, ["--source", SOURCE, "--key", join(env.dir, "keys/signing-key.jwk.json"),
    "--db", join(env.dir, "ledger.sqlite"), "--listen", "127.0.0.1:0", "--now", NOW, "--refresh", "P0D"],
    { log: "promo_origin::http=info,warn", startMs: 30_000 });
  return {
    url: origin.url,
    stop: () => origin.stop(),
    /** `[{method, path, status}]` from the origin's JSON log lines, in order. */
    requests() {
      return origin
        .stderr()
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l))
        .filter((l) => l.target === "promo_origin::http")
        .map(({ fields }) => ({ method: fields.method, path: fields.path, status: fields.status }));
    },
  };
}

/** Polls `check` every 20 ms until it returns true, for at most `ms`. */
export async function until(check, ms = 5_000, what = "condition") {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const workers = [];

/** The built worker (dist/worker.js) in its own workerd isolate. */
export function worker({ bindings = {}, kv = false } = {}) {
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(EDGE_ROOT, "dist/worker.js"),
    modulesRoot: join(EDGE_ROOT, "dist"),
    modulesRules: [
      // The default rule would read .js as CommonJS; .wasm becomes a
      // WebAssembly.Module exactly as wrangler deploys it.
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-01-01",
    cf: false, // otherwise Miniflare tries to download Request.cf data
    bindings: { NOW, ...bindings },
    ...(kv ? { kvNamespaces: ["BUNDLES"] } : {}),
  });
  workers.push(mf);
  return mf;
}

export async function disposeWorkers() {
  await Promise.all(workers.splice(0).map((mf) => mf.dispose()));
}

export function post(mf, path, body) {
  return mf.dispatchFetch(`http://edge.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export async function get(mf, path) {
  return mf.dispatchFetch(`http://edge.test${path}`);
}

/** A bundle whose payload was changed after signing (the signature is the original's). */
export function tamper(jws, change) {
  const [h, p, s] = jws.split(".");
  const payload = JSON.parse(Buffer.from(p, "base64url").toString());
  return `${h}.${Buffer.from(JSON.stringify(change(payload))).toString("base64url")}.${s}`;
}
