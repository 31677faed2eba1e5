// A real `promo-origin` for the sync tests: keys, a tiny campaign source and
// published bundle variants in a temp dir, `serve` on 127.0.0.1 (port 0, the
// chosen port read from its first stdout line), and small HTTP helpers.
// Every wait is bounded.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveOrigin } from "../../../origin/tests/js/serve.mjs";
import { REPO_ROOT } from "./dump.mjs";

export const NOW = "2026-06-01T10:00:00Z";
export const CHANNEL_KEY = "web-secret-0123456789";
export const BIN = process.env.PROMO_ORIGIN_BIN ?? join(REPO_ROOT, "target/debug/promo-origin");
/** `make test-sync` sets this, so a missing binary fails rather than skips. */
export const REQUIRED = process.env.PROMO_SYNC_REQUIRED === "1";
export const available = existsSync(BIN);
export const skip = !available && !REQUIRED ? `no ${BIN} (run make test-sync)` : false;

const PROJECT = {
  project: "proj_sync",
  channel: "web",
  currency: { code: "USD", exponent: 2 },
  time_zone: "Europe/Warsaw",
  products: [{ id: "prod_mug", name: "Mug", price: 1000 }],
};
const CAMPAIGNS = {
  campaigns: [
    {
      id: "camp_once", name: "Single use", campaign_type: "DISCOUNT_COUPONS",
      voucher: { discount: { type: "AMOUNT", amount_off: 500 }, redemption: { quantity: 1 } },
      vouchers: [{ id: "v_once", code: "ONCE" }],
    },
    {
      id: "camp_gift", name: "Gift cards", campaign_type: "GIFT_VOUCHERS",
      vouchers: [
        { id: "v_gift", code: "GIFT-1", gift: { amount: 50000 } },
        // The outbox's onDifference test spends part of it behind the preview's back.
        { id: "v_gift_2", code: "GIFT-2", gift: { amount: 5000 } },
      ],
    },
  ],
};

function run(args) {
  return execFileSync(BIN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
}

/** A temp dir with keys/, a stranger's keys (keys2/) and source/. */
export function makeEnv() {
  const dir = mkdtempSync(join(tmpdir(), "promo-sync-"));
  run(["keygen", "--out", join(dir, "keys")]);
  run(["keygen", "--out", join(dir, "keys2")]);
  mkdirSync(join(dir, "source/campaigns"), { recursive: true });
  writeFileSync(join(dir, "source/project.json"), JSON.stringify(PROJECT));
  writeFileSync(join(dir, "source/campaigns/c.json"), JSON.stringify(CAMPAIGNS));
  return {
    dir,
    jwks: JSON.parse(readFileSync(join(dir, "keys/jwks.json"), "utf8")),
    /** Publishes a bundle with its own state file; returns its bytes (`promo-edge.bundle/2`). */
    publish({ version, key = "keys", now = NOW, lifetime = "P30D", name = `v${version}` }) {
      const out = join(dir, `${name}.bundle`);
      run(["publish", "--source", join(dir, "source"), "--key", join(dir, key, "signing-key.jwk.json"), "--out", out,
        "--version", String(version), "--now", now, "--lifetime", lifetime, "--state", join(dir, `${name}.state.json`)]);
      return new Uint8Array(readFileSync(out));
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `promo-origin serve` on the env's source and ledger; resolves to `{url, stop, kill, stderr}`. */
export async function startOrigin(env) {
  const origin = await serveOrigin(BIN, ["--source", join(env.dir, "source"), "--key", join(env.dir, "keys/signing-key.jwk.json"),
    "--db", join(env.dir, "ledger.sqlite"), "--listen", "127.0.0.1:0", "--channel-key", `web=${CHANNEL_KEY}`,
    "--now", NOW, "--refresh", "P0D"]);
  return { ...origin, kill: () => origin.stop("SIGKILL") };
}

/** A tiny HTTP server; `handler(req, body, res)`; resolves to `{url, close}`. */
export function httpServer(handler) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, Buffer.concat(chunks), res)).catch((e) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(e));
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(done); }),
      });
    });
  });
}

/** Forwards a request to `target` and returns {status, headers, body}. */
export async function forward(target, req, body) {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers["content-length"];
  const r = await fetch(target + req.url, { method: req.method, headers, body: req.method === "GET" ? undefined : body });
  return { status: r.status, headers: Object.fromEntries(r.headers), body: Buffer.from(await r.arrayBuffer()) };
}

export function reply(res, { status, headers, body }) {
  const h = { ...headers };
  delete h["content-length"];
  delete h["transfer-encoding"];
  delete h["content-encoding"];
  res.writeHead(status, h);
  res.end(body);
}

/** Authenticated JSON call to the origin. */
export async function api(url, path, body) {
  const r = await fetch(url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${CHANNEL_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

/**
 * A durable-looking user store that behaves like a Workers KV binding:
 * get/put/delete on a JSON file, text kept as strings and bytes as base64,
 * `get(key)` answering text and `get(key, "arrayBuffer")` bytes, whichever
 * was put.
 */
export class FileKV {
  constructor(path) {
    this.path = path;
  }
  #all() {
    return existsSync(this.path) ? JSON.parse(readFileSync(this.path, "utf8")) : {};
  }
  /** The raw entry: a string, or `{base64}` for bytes. */
  raw(key) {
    return this.#all()[key] ?? null;
  }
  get(key, type) {
    const v = this.raw(key);
    if (v === null) return null;
    const bytes = typeof v === "string" ? Buffer.from(v, "utf8") : Buffer.from(v.base64, "base64");
    return type === "arrayBuffer" ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.toString("utf8");
  }
  put(key, value) {
    const all = this.#all();
    all[key] = typeof value === "string" ? value : { base64: Buffer.from(value).toString("base64") };
    writeFileSync(this.path, JSON.stringify(all));
  }
  delete(key) {
    const all = this.#all();
    delete all[key];
    writeFileSync(this.path, JSON.stringify(all));
  }
}

/** Fake timers: records each delay; `fire()` runs the earliest. */
export function fakeTimers() {
  let id = 0;
  const pending = new Map();
  return {
    delays: [],
    setTimeout(cb, ms) {
      id += 1;
      pending.set(id, { cb, ms });
      this.delays.push(ms);
      return id;
    },
    clearTimeout(h) {
      pending.delete(h);
    },
    get size() {
      return pending.size;
    },
    /** Runs every pending callback except request timeouts (≥ `skipAtLeast` ms). */
    fireAll(skipAtLeast = Infinity) {
      const due = [...pending].filter(([, t]) => t.ms < skipAtLeast);
      for (const [h, t] of due) {
        pending.delete(h);
        t.cb();
      }
      return due.length;
    },
  };
}
