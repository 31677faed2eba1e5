// Where the worker's promotions come from, and how long it trusts them.
//
// The engine holds one signed plan per isolate (module scope outlives a
// request). It comes from a KV namespace when one is bound — a deploy step or
// cron pushes each published bundle there, so a cold isolate never waits on
// the origin — or else straight from the origin's `GET /v1/bundles/{channel}`.
//
// A bundle (`promo-edge.bundle/2`) is binary: a compact JWS over a small
// manifest (project, channel, version, dates, the plan's size and SHA-256),
// a newline, then the compiled plan. It travels as bytes end to end — KV's
// `get(key, "arrayBuffer")`, the origin's `arrayBuffer()` — and
// `loadBundle` checks the Ed25519 signature and then holds the plan to the
// signed digest before anything is served, so neither KV nor the network
// has to be trusted: a tampered bundle is refused with the engine's code
// and the bundle already held stays.
import { PromoEngine, PromoError, type Currency } from "promo-edge";

/** The worker's bindings (wrangler.toml `[vars]` and `[[kv_namespaces]]`). */
export interface Env {
  /** Signed bundles under `bundle:<channel>` (the bytes `promo-origin publish` wrote). */
  BUNDLES?: KVNamespace;
  /** The promo-origin, e.g. `https://promo.example.com` (no trailing slash needed). */
  ORIGIN_URL?: string;
  /** Which channel's bundle to serve; default `web`. */
  CHANNEL?: string;
  /**
   * The trusted public keys (JWKS JSON, as `GET /v1/keys` returns it). Pin
   * them: then whoever can write KV or intercept the origin still cannot sign.
   * Without it the keys are fetched from the origin with each new bundle.
   */
  JWKS?: string;
  /** Seconds a held bundle is used before it is revalidated; default 60, at most 3600. */
  REFRESH_SECONDS?: string;
  /** How long one origin request may take; default 3000 ms, at most 30000. */
  FETCH_TIMEOUT_MS?: string;
  /**
   * How long past its `expires_at` a bundle is still accepted when nothing
   * newer can be had (served, and reported `stale`); default 0, at most 30
   * days. A bundle already held keeps serving past expiry regardless.
   */
  STALE_GRACE_SECONDS?: string;
  /** A fixed clock (RFC 3339) for demos and tests; the real time when unset. */
  NOW?: string;
}

/** What the worker holds, for the routes and for `GET /api/status`. */
export interface Held {
  version: number;
  /** The origin's ETag, or the same tag computed from a KV value. */
  etag: string;
  source: "kv" | "origin";
  currency: Currency;
  loaded_at: string;
}

/** Why there is no bundle to serve; the worker answers 503 with this code. */
export class BundleUnavailable extends Error {
  override readonly name = "BundleUnavailable";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Problem {
  code: string;
  message: string;
  at: string;
}

/** Counters that make the refresh behaviour observable (`GET /api/status`). */
export interface Counts {
  checks: number;
  loads: number;
  not_modified: number;
  refused: number;
  failed: number;
}

// With nothing held, every request would otherwise retry the origin; this
// bounds that to one attempt per isolate every few seconds during an outage.
const RETRY_EMPTY_MS = 5_000;

function bounded(text: string | undefined, fallback: number, max: number): number {
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/** The media type of a signed bundle, as the origin serves it. */
export const BUNDLE_TYPE = "application/vnd.promo-edge.bundle";

/** `"<base64url SHA-256>"`: the origin's ETag scheme, so both sources look alike. */
async function tagOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const b64 = btoa(String.fromCharCode(...digest));
  return `"${b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}"`;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

export class BundleHolder {
  readonly engine: PromoEngine;
  #held: Held | null = null;
  #checkedAtMs = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | null = null;
  #lastError: Problem | null = null;
  readonly counts: Counts = { checks: 0, loads: 0, not_modified: 0, refused: 0, failed: 0 };

  constructor(engine: PromoEngine) {
    this.engine = engine;
  }

  get held(): Held | null {
    return this.#held;
  }

  get lastError(): Problem | null {
    return this.#lastError;
  }

  /**
   * The bundle to serve with, revalidated first when it is older than
   * REFRESH_SECONDS. The request that finds it due waits for that check
   * (usually a 304 of a few hundred bytes, bounded by FETCH_TIMEOUT_MS);
   * concurrent requests share it. If the check fails, the held bundle keeps
   * serving and the next check is due a full interval later. Throws
   * {@link BundleUnavailable} only when nothing could ever be loaded.
   */
  async ready(env: Env, now: string): Promise<Held> {
    const ttlMs = bounded(env.REFRESH_SECONDS, 60, 3600) * 1000;
    const age = Date.now() - this.#checkedAtMs;
    const due = this.#held === null ? age >= RETRY_EMPTY_MS : age >= ttlMs;
    if (due) {
      this.#inflight ??= this.#check(env, now).finally(() => {
        this.#inflight = null;
      });
      await this.#inflight;
    } else if (this.#inflight !== null) {
      await this.#inflight;
    }
    if (this.#held === null) {
      const why = this.#lastError ?? { code: "BUNDLE_UNAVAILABLE", message: "no bundle has been loaded" };
      throw new BundleUnavailable(why.code, why.message);
    }
    return this.#held;
  }

  async #check(env: Env, now: string): Promise<void> {
    this.counts.checks += 1;
    this.#checkedAtMs = Date.now();
    const channel = env.CHANNEL ?? "web";
    try {
      const fromKv = env.BUNDLES ? await env.BUNDLES.get(`bundle:${channel}`, "arrayBuffer") : null;
      if (fromKv !== null) {
        await this.#fromKv(new Uint8Array(fromKv), env, now);
      } else if (env.ORIGIN_URL) {
        await this.#fromOrigin(env.ORIGIN_URL.replace(/\/+$/, ""), channel, env, now);
      } else {
        throw new BundleUnavailable(
          "BUNDLE_UNAVAILABLE",
          env.BUNDLES ? `KV has no bundle:${channel} and ORIGIN_URL is not set` : "set a BUNDLES KV namespace or ORIGIN_URL",
        );
      }
    } catch (e) {
      if (e instanceof PromoError) {
        // The bundle was fetched but refused: bad signature, unknown key,
        // a plan that is not the signed one, expired, older than the one
        // held, an outdated format. Nothing changed.
        this.counts.refused += 1;
        this.#lastError = { code: e.code, message: e.message, at: now };
        console.warn(`bundle refused: ${e.code}: ${e.message}`);
      } else {
        this.counts.failed += 1;
        const code = e instanceof BundleUnavailable ? e.code : "ORIGIN_UNREACHABLE";
        this.#lastError = { code, message: e instanceof BundleUnavailable ? e.message : describe(e), at: now };
        console.warn(`bundle check failed: ${this.#lastError.code}: ${this.#lastError.message}`);
      }
    }
  }

  async #fromKv(bundle: Uint8Array, env: Env, now: string): Promise<void> {
    const etag = await tagOf(bundle);
    if (this.#held?.etag === etag) {
      // The value has not changed since it was verified: nothing to do.
      this.counts.not_modified += 1;
      this.#lastError = null;
      return;
    }
    await this.#offer(bundle, etag, "kv", env, now);
  }

  async #fromOrigin(origin: string, channel: string, env: Env, now: string): Promise<void> {
    const headers = new Headers({ accept: BUNDLE_TYPE });
    // Revalidate what we hold: an unchanged bundle costs a 304 and no verify.
    if (this.#held?.source === "origin") headers.set("if-none-match", this.#held.etag);
    const res = await fetch(`${origin}/v1/bundles/${encodeURIComponent(channel)}`, {
      headers,
      signal: AbortSignal.timeout(bounded(env.FETCH_TIMEOUT_MS, 3000, 30_000)),
    });
    if (res.status === 304 && this.#held !== null) {
      this.counts.not_modified += 1;
      this.#lastError = null;
      return;
    }
    if (!res.ok) {
      throw new BundleUnavailable("ORIGIN_HTTP_ERROR", `GET /v1/bundles/${channel} answered ${res.status}`);
    }
    const bundle = new Uint8Array(await res.arrayBuffer());
    const etag = res.headers.get("etag") ?? (await tagOf(bundle));
    if (this.#held?.etag === etag) {
      // A 200 for what we hold (a proxy dropped If-None-Match): not news.
      this.counts.not_modified += 1;
      this.#lastError = null;
      return;
    }
    await this.#offer(bundle, etag, "origin", env, now);
  }

  /** The origin's JWKS, fetched with each new bundle so a key rotation needs no redeploy. */
  async #originKeys(env: Env): Promise<string> {
    if (!env.ORIGIN_URL) throw new BundleUnavailable("JWKS_MISSING", "set JWKS (or ORIGIN_URL to fetch /v1/keys)");
    const res = await fetch(`${env.ORIGIN_URL.replace(/\/+$/, "")}/v1/keys`, {
      signal: AbortSignal.timeout(bounded(env.FETCH_TIMEOUT_MS, 3000, 30_000)),
    });
    if (!res.ok) throw new BundleUnavailable("ORIGIN_HTTP_ERROR", `GET /v1/keys answered ${res.status}`);
    return res.text();
  }

  async #offer(bundle: Uint8Array, etag: string, source: Held["source"], env: Env, now: string): Promise<void> {
    const jwks = env.JWKS ?? (await this.#originKeys(env));
    const graceMs = bounded(env.STALE_GRACE_SECONDS, 0, 30 * 86_400) * 1000;
    // Verifies the manifest's signature against `jwks` and the plan against
    // its signed digest, then maps the plan (no compiling at the edge); on
    // any PromoError the engine keeps what it had.
    const report = this.engine.loadBundle(bundle, jwks, { now, graceMs });
    for (const w of report.warnings) console.warn(`bundle v${report.version}: ${w.code} at ${w.path}: ${w.message}`);
    const status = this.engine.status(now);
    if (!status) throw new BundleUnavailable("BUNDLE_UNAVAILABLE", "the engine holds no snapshot after loading one");
    this.#held = { version: report.version, etag, source, currency: status.currency, loaded_at: now };
    this.counts.loads += 1;
    this.#lastError = null;
  }
}
