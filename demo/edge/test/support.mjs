// What the edge tests run against: a real `promo-origin` (keys, publish,
// serve on 127.0.0.1 with a fixed clock, stopped with SIGTERM) and the built
// worker in Miniflare. Every wait is bounded.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    /**
     * `promo-origin publish` of the demo source (or `source`); returns the
     * bundle's bytes (promo-edge.bundle/2). `now` and `lifetime` set its
     * dates (default: published at NOW for 30 days).
     */
    publish({ version, key = "keys", name = `v${version}`, source = SOURCE, now = NOW, lifetime = "P30D" }) {
      const out = join(dir, `${name}.bundle`);
      run(["publish", "--source", source, "--key", join(dir, key, "signing-key.jwk.json"), "--out", out,
        "--version", String(version), "--now", now, "--lifetime", lifetime, "--state", join(dir, `${name}.state.json`)]);
      return new Uint8Array(readFileSync(out));
    },
    /**
     * A copy of the demo source with `change(campaigns)` applied to the
     * campaign file `file` (e.g. a 90 % sale someone would like to ship).
     */
    source(name, file, change) {
      const copy = join(dir, `source-${name}`);
      cpSync(SOURCE, copy, { recursive: true });
      const path = join(copy, "campaigns", file);
      const doc = JSON.parse(readFileSync(path, "utf8"));
      writeFileSync(path, JSON.stringify({ ...doc, campaigns: change(doc.campaigns) }, null, 2));
      return copy;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `promo-origin serve` of the demo source on a free port, its clock at
 * `now`, publishing bundles that live `lifetime`. Resolves to
 * `{url, stop, requests}`; `requests()` parses its per-request log lines.
 */
export async function startOrigin(env, { now = NOW, lifetime = "P30D", db = "ledger.sqlite" } = {}) {
  const origin = await serveOrigin(BIN, ["--source", SOURCE, "--key", join(env.dir, "keys/signing-key.jwk.json"),
    "--db", join(env.dir, db), "--listen", "127.0.0.1:0", "--now", now, "--lifetime", lifetime, "--refresh", "P0D"],
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

/** A bundle's two parts: the compact JWS line (text) and the plan bytes. */
export function split(bundle) {
  const nl = bundle.indexOf(0x0a);
  if (nl < 0) throw new Error("not a promo-edge.bundle/2: no newline after the JWS");
  return { jws: Buffer.from(bundle.subarray(0, nl)).toString("utf8"), plan: bundle.subarray(nl + 1) };
}

/** `jws` + "\n" + `plan`, as `promo-origin publish` writes a bundle. */
export function join2(jws, plan) {
  return new Uint8Array(Buffer.concat([Buffer.from(`${jws}\n`), plan]));
}

/** The signed manifest of a bundle. */
export function manifestOf(bundle) {
  return JSON.parse(Buffer.from(split(bundle).jws.split(".")[1], "base64url").toString());
}

/** A bundle whose manifest was changed after signing (the signature is the original's). */
export function tamperManifest(bundle, change) {
  const { jws, plan } = split(bundle);
  const [h, p, s] = jws.split(".");
  const payload = JSON.parse(Buffer.from(p, "base64url").toString());
  return join2(`${h}.${Buffer.from(JSON.stringify(change(payload))).toString("base64url")}.${s}`, plan);
}

/** `good`'s signed manifest over `other`'s plan: the plan is not the one that was signed. */
export function swapPlan(good, other) {
  return join2(split(good).jws, split(other).plan);
}

/** A `promo-edge.snapshot/1` bundle, as the origin published before plans (a JWS over the snapshot JSON). */
export function v1Bundle(snapshot) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return new Uint8Array(Buffer.from(`${b64({ alg: "EdDSA", kid: "old" })}.${b64(snapshot)}.${"A".repeat(86)}`));
}
