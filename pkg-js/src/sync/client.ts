// @ts-self-types="./client.d.ts"
// The sync client: keeps an engine's plan fresh from the origin.
// A value import first: tsc drops the comments (and the @ts-self-types line) before an elided type-only import.
import { isPromoError, type PromoErrorCode } from "../errors.js";
import { type SyncStore, MemoryStore } from "./store.js";
import { type BackoffOptions, type Timers, TypedEventTarget, backoffDelay, messageOf, realTimers, unit } from "./shared.js";
import type { PromoEngine } from "../engine.js";
import type { Jwks, LoadReport } from "../types.js";

/** Why a sync step failed: the engine's code for a refused bundle, else a transport problem. */
export type SyncErrorCode = PromoErrorCode | "NETWORK_ERROR" | "HTTP_ERROR" | "STORE_ERROR";

/** Where a loaded bundle came from. */
export type BundleSource = "network" | "store";

export interface SyncUpdateDetail {
  version: number;
  source: BundleSource;
  report: LoadReport;
}

export interface SyncStaleDetail {
  version: number;
  expires_at: string;
}

export interface SyncErrorDetail {
  code: SyncErrorCode;
  message: string;
  /** For `HTTP_ERROR`: the status. */
  status?: number;
  /** What failed: restoring from the store, fetching, verifying/loading, persisting. */
  phase: "restore" | "fetch" | "load" | "persist";
  error: unknown;
}

/** The events a {@link PromoSync} emits. */
export interface SyncEventMap {
  [type: string]: unknown;
  update: SyncUpdateDetail;
  stale: SyncStaleDetail;
  error: SyncErrorDetail;
}

/** What one {@link PromoSync.refresh} did. */
export type RefreshOutcome =
  | { kind: "updated"; version: number; report: LoadReport }
  | { kind: "not-modified"; version: number | null }
  | { kind: "refused"; code: SyncErrorCode; message: string }
  | { kind: "failed"; code: SyncErrorCode; message: string; status?: number };

export interface PromoSyncOptions {
  /** The engine to keep fresh. */
  engine: PromoEngine;
  /** The bundle's URL, e.g. `https://origin.example/v1/bundles/web`. */
  url: string | URL;
  /** The public keys you trust (pin them in your app; the client never fetches keys). */
  jwks: Jwks | string;
  /** Where the last good bundle is kept (default: memory). */
  store?: SyncStore;
  /**
   * The store key (default `promo-edge/bundle/<url>`). The bundle's bytes
   * are kept under it exactly as served, its ETag under `<storeKey>.meta`.
   */
  storeKey?: string;
  /** How long past `expires_at` a bundle is still accepted (then reported stale). Default 0. */
  graceMs?: number;
  /** Delay between polls when all is well (default 60 s). */
  pollIntervalMs?: number;
  /** Backoff after failed polls (default 1 s doubling up to 5 min). */
  backoff?: BackoffOptions;
  /** Per-request timeout (default 15 s). */
  requestTimeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
  timers?: Timers;
  /** Returns [0, 1) (default `Math.random`). */
  random?: () => number;
  /** The clock (default the current time). */
  now?: () => Date;
}

/** `<storeKey>.meta`: the ETag the origin sent with the stored bundle, and that bundle's version. */
interface Meta {
  etag: string | null;
  version: number;
}

function parseMeta(text: string | null): Meta | null {
  if (text === null) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null) return null;
    const o = v as { etag?: unknown; version?: unknown };
    if (typeof o.version !== "number") return null;
    return { etag: typeof o.etag === "string" ? o.etag : null, version: o.version };
  } catch {
    return null;
  }
}

/**
 * What a client of the JSON-bundle era stored under the same key: the
 * record `{"bundle": "<JWS>", "etag", "version"}`. Its JWS goes to the
 * engine, which refuses it with `BUNDLE_FORMAT_OUTDATED` (the network then
 * brings the current format); anything else is passed through as it is.
 */
function unwrapLegacy(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x7b /* { */) return bytes;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const jws = (v as { bundle?: unknown } | null)?.bundle;
    return typeof jws === "string" ? new TextEncoder().encode(jws) : bytes;
  } catch {
    return bytes;
  }
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function codeOf(error: unknown, fallback: SyncErrorCode): SyncErrorCode {
  return isPromoError(error) ? error.code : fallback;
}

/**
 * Keeps a {@link PromoEngine}'s plan fresh: fetches the signed bundle
 * with `If-None-Match`, verifies and loads it through the engine against the
 * JWKS you pin, persists the last good bundle and restores it at start (so
 * an offline cold start still evaluates), and polls with exponential backoff
 * and jitter. A refused bundle — tampered, unknown `kid`, older version,
 * expired — changes nothing: the last good plan keeps serving and an
 * `error` event carries the engine's code.
 *
 * Events: `update` ({@link SyncUpdateDetail}), `stale`, `error`.
 */
export class PromoSync extends TypedEventTarget<SyncEventMap> {
  readonly #o: PromoSyncOptions;
  readonly #store: SyncStore;
  readonly #key: string;
  readonly #timers: Timers;
  readonly #random: () => number;
  #etag: string | null = null;
  #bundle: Uint8Array | null = null;
  #version: number | null = null;
  #failures = 0;
  #timer: unknown = undefined;
  #running = false;
  #inflight: Promise<RefreshOutcome> | undefined;

  constructor(options: PromoSyncOptions) {
    super();
    this.#o = options;
    this.#store = options.store ?? new MemoryStore();
    // A store written for the text-only interface cannot hold a bundle: say so now, not at the first poll.
    if (typeof (this.#store as Partial<SyncStore>).getBytes !== "function") {
      throw new TypeError("PromoSync: the store has no getBytes(); bundles are bytes (see \"Stores\" in the README)");
    }
    this.#key = options.storeKey ?? `promo-edge/bundle/${String(options.url)}`;
    this.#timers = options.timers ?? realTimers;
    this.#random = options.random ?? Math.random;
  }

  /** The version this client loaded (from the network or the store), or `null`. */
  get version(): number | null {
    return this.#version;
  }

  /** The ETag of the bundle held, if it came with one. */
  get etag(): string | null {
    return this.#etag;
  }

  /** Consecutive failed polls (drives the backoff). */
  get failures(): number {
    return this.#failures;
  }

  #now(): Date {
    return this.#o.now ? this.#o.now() : new Date();
  }

  #load(bundle: Uint8Array): LoadReport {
    return this.#o.engine.loadBundle(bundle, this.#o.jwks, { now: this.#now(), graceMs: this.#o.graceMs ?? 0 });
  }

  #fail(detail: SyncErrorDetail): void {
    this.emit("error", detail);
  }

  #checkStale(): void {
    const status = this.#o.engine.status(this.#now());
    if (status?.stale) this.emit("stale", { version: status.version, expires_at: status.expires_at });
  }

  /**
   * Loads the bundle persisted by an earlier run, verifying it again (a
   * store is not trusted more than the network). Resolves to the version
   * loaded, or `null` when there is none or it is refused (then `error`).
   */
  async restore(): Promise<number | null> {
    let stored: Uint8Array | null;
    let meta: Meta | null;
    try {
      stored = await this.#store.getBytes(this.#key);
      meta = stored === null ? null : parseMeta(await this.#store.get(`${this.#key}.meta`));
    } catch (e) {
      this.#fail({ code: "STORE_ERROR", message: messageOf(e), phase: "restore", error: e });
      return null;
    }
    if (stored === null) return null;
    try {
      const bundle = unwrapLegacy(stored);
      const report = this.#load(bundle);
      // The ETag is only a hint, and only for the bundle it came with: the
      // two are separate writes, so after a crash between them it may
      // belong to another version, and sending it could earn a wrong 304.
      this.#etag = meta !== null && meta.version === report.version ? meta.etag : null;
      this.#bundle = bundle;
      this.#version = report.version;
      this.emit("update", { version: report.version, source: "store", report });
      this.#checkStale();
      return report.version;
    } catch (e) {
      // The engine already holds this or a newer version: nothing to restore.
      if (isPromoError(e) && e.code === "SNAPSHOT_NOT_NEWER") return null;
      this.#fail({ code: codeOf(e, "STORE_ERROR"), message: messageOf(e), phase: "restore", error: e });
      return null;
    }
  }

  /** One conditional fetch, verified and loaded; concurrent calls share one request. */
  refresh(): Promise<RefreshOutcome> {
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refresh(): Promise<RefreshOutcome> {
    const fetchFn = this.#o.fetch ?? globalThis.fetch.bind(globalThis);
    const headers: Record<string, string> = { accept: "application/vnd.promo-edge.bundle", ...this.#o.headers };
    // Ask for a 304 only if the engine really holds what that tag names.
    const held = this.#o.engine.status(this.#now())?.version ?? null;
    if (this.#etag !== null && held !== null && held === this.#version) headers["if-none-match"] = this.#etag;
    const controller = new AbortController();
    const timeout = this.#timers.setTimeout(() => controller.abort(), this.#o.requestTimeoutMs ?? 15_000);
    let response: Response;
    let bundle: Uint8Array;
    try {
      response = await fetchFn(String(this.#o.url), { headers, signal: controller.signal, cache: "no-store" });
      // Bytes, never text(): the plan after the JWS line is binary.
      bundle = response.status === 304 ? new Uint8Array(0) : new Uint8Array(await response.arrayBuffer());
    } catch (e) {
      const message = messageOf(e);
      this.#fail({ code: "NETWORK_ERROR", message, phase: "fetch", error: e });
      return { kind: "failed", code: "NETWORK_ERROR", message };
    } finally {
      this.#timers.clearTimeout(timeout);
    }
    if (response.status === 304) {
      this.#checkStale();
      return { kind: "not-modified", version: this.#version };
    }
    if (!response.ok) {
      const message = `GET ${String(this.#o.url)} answered ${response.status}`;
      this.#fail({ code: "HTTP_ERROR", message, status: response.status, phase: "fetch", error: null });
      return { kind: "failed", code: "HTTP_ERROR", message, status: response.status };
    }
    const etag = response.headers.get("etag");
    if (sameBytes(this.#bundle, bundle) && held === this.#version) {
      // The same bytes under another tag (or none): nothing to load.
      this.#etag = etag;
      this.#checkStale();
      return { kind: "not-modified", version: this.#version };
    }
    let report: LoadReport;
    try {
      report = this.#load(bundle);
    } catch (e) {
      const code = codeOf(e, "BUNDLE_MALFORMED");
      const message = messageOf(e);
      this.#fail({ code, message, phase: "load", error: e });
      return { kind: "refused", code, message };
    }
    this.#etag = etag;
    this.#bundle = bundle;
    this.#version = report.version;
    try {
      // The bundle first: if the page dies before the second write, the old
      // meta names another version and restore() drops its ETag.
      await this.#store.put(this.#key, bundle);
      const meta: Meta = { etag, version: report.version };
      await this.#store.put(`${this.#key}.meta`, JSON.stringify(meta));
    } catch (e) {
      this.#fail({ code: "STORE_ERROR", message: messageOf(e), phase: "persist", error: e });
    }
    this.emit("update", { version: report.version, source: "network", report });
    if (report.stale) this.#checkStale();
    return { kind: "updated", version: report.version, report };
  }

  /**
   * Restores the persisted bundle, fetches once, then keeps polling: every
   * `pollIntervalMs` while all is well, with exponential backoff and jitter
   * after failures or refusals. Resolves after the first fetch.
   */
  async start(): Promise<RefreshOutcome> {
    this.#running = true;
    await this.restore();
    return this.#tick();
  }

  async #tick(): Promise<RefreshOutcome> {
    const outcome = await this.refresh();
    if (outcome.kind === "failed" || outcome.kind === "refused") this.#failures += 1;
    else this.#failures = 0;
    this.#schedule();
    return outcome;
  }

  /** The delay before the next poll, given the failures so far. */
  nextDelay(): number {
    if (this.#failures === 0) {
      const interval = Math.max(1, Math.floor(this.#o.pollIntervalMs ?? 60_000));
      // ±10 % so that many clients do not poll in step.
      return interval - Math.floor(interval / 10) + Math.floor(unit(this.#random) * (Math.floor(interval / 5) + 1));
    }
    return backoffDelay(this.#failures - 1, this.#o.backoff ?? {}, this.#random);
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      if (this.#running) void this.#tick();
    }, this.nextDelay());
  }

  /** Stops polling (a fetch in flight completes). */
  stop(): void {
    this.#running = false;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
