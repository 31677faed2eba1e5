// @ts-self-types="./engine.d.ts"
import init, { initSync, WasmEngine } from "../wasm/promo_edge.js";
import { rethrow } from "./errors.js";
import type {
  EngineStatus,
  Jwks,
  LoadReport,
  PricingRequest,
  PromotionTierInfo,
  PricingResponse,
  QualificationRequest,
  QualificationResponse,
  ValidationRequest,
  ValidationResponse,
} from "./types.js";

/** Where the `.wasm` comes from: a URL to fetch, a response, bytes or a compiled module. */
export type WasmSource = URL | string | Request | Response | BufferSource | WebAssembly.Module;
/** What can be instantiated without a network round trip or an `await`. */
export type WasmSyncSource = BufferSource | WebAssembly.Module;
/** `now` for an evaluation: a `Date` or an RFC 3339 string. Defaults to the current time. */
export type Now = Date | string;

let defaultSource: (() => Promise<WasmSource | undefined>) | undefined;

/** @internal Lets the Node entry read the `.wasm` from disk (Node's fetch cannot read files). */
export function setDefaultWasmSource(source: () => Promise<WasmSource | undefined>): void {
  defaultSource = source;
}

function rfc3339(now: Now | undefined): string {
  if (now === undefined) return new Date().toISOString();
  if (typeof now === "string") return now;
  // An invalid Date goes to the engine as text and comes back as INVALID_TIMESTAMP.
  return Number.isNaN(now.getTime()) ? String(now) : now.toISOString();
}

function json<T>(value: T | string): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

const utf8 = new TextEncoder();

/**
 * The bytes of a plan or bundle. Any view or buffer is accepted; so is a
 * string, encoded as UTF-8, only so that the engine can name what it is
 * (a format-1 JWS or snapshot JSON gets `BUNDLE_FORMAT_OUTDATED`, which is more
 * use to someone upgrading than a `TypeError`). Bundles are binary: read
 * them with `response.arrayBuffer()`, never `text()`.
 */
function bytesOf(value: unknown, method: string, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "string") return utf8.encode(value);
  throw new TypeError(`${method} takes the ${what}'s bytes (a Uint8Array or an ArrayBuffer), not ${value === null ? "null" : typeof value}`);
}

/**
 * A promotion engine holding at most one plan (the compiled, published
 * campaigns). Create one with `await PromoEngine.init()` (browsers, Deno,
 * Node) or `PromoEngine.initSync(module)` (edge workers), load a signed
 * bundle with {@link PromoEngine.loadBundle}; every call is synchronous. Bad input throws a {@link PromoError} with a stable `code`;
 * business rejections are data in the response.
 */
export class PromoEngine {
  #inner: WasmEngine;

  private constructor() {
    this.#inner = new WasmEngine();
  }

  /**
   * Instantiates the WebAssembly module (once per realm) and returns a new
   * engine. Without an argument the `.wasm` shipped next to the glue is
   * fetched (bundlers such as Vite rewrite that URL to a hashed asset); in
   * Node it is read from disk.
   */
  static async init(source?: WasmSource | Promise<WasmSource>): Promise<PromoEngine> {
    const resolved = source ?? (defaultSource ? await defaultSource() : undefined);
    await init(resolved === undefined ? undefined : { module_or_path: resolved });
    return new PromoEngine();
  }

  /**
   * Instantiates synchronously from a compiled `WebAssembly.Module` (the
   * edge-safe path: `import wasm from "promo-edge/promo_edge_bg.wasm"` in
   * Cloudflare Workers) or from the bytes of the `.wasm`.
   */
  static initSync(source: WasmSyncSource): PromoEngine {
    initSync({ module: source });
    return new PromoEngine();
  }

  /**
   * Loads an unsigned binary plan (`promo-edge.plan/2`): for development
   * and tests, where the bytes come from a trusted place. Production code
   * loads signed bundles with {@link loadBundle}. The plan is kept only if
   * its version is higher than the one held; on any error (`PLAN_*`,
   * `SNAPSHOT_NOT_NEWER`, `BUNDLE_FORMAT_OUTDATED` for snapshot JSON)
   * nothing changes.
   */
  loadPlan(plan: Uint8Array | ArrayBuffer): LoadReport {
    const input = bytesOf(plan, "loadPlan", "plan");
    try {
      return JSON.parse(this.#inner.loadPlan(input)) as LoadReport;
    } catch (e) {
      return rethrow(e);
    }
  }

  /**
   * Verifies a signed bundle (`promo-edge.bundle/2`: a compact JWS over a
   * manifest, a newline, the plan — what `promo-origin publish` writes and
   * `GET /v1/bundles/{channel}` serves) against trusted public keys, then
   * loads its plan. Only EdDSA and a `kid` in `jwks` are accepted; the
   * version must be higher than the one held; a bundle past `expires_at` is
   * refused unless within `graceMs` (then the report says `stale`); the plan
   * must match the signed size and SHA-256. On any failure nothing changes.
   * No secret is needed. `now` defaults to the current time.
   */
  loadBundle(bundle: Uint8Array | ArrayBuffer, jwks: Jwks | string, options: { now?: Now; graceMs?: number } = {}): LoadReport {
    const input = bytesOf(bundle, "loadBundle", "bundle");
    try {
      return JSON.parse(
        this.#inner.loadBundle(input, json(jwks), rfc3339(options.now), options.graceMs ?? 0),
      ) as LoadReport;
    } catch (e) {
      return rethrow(e);
    }
  }

  /** Validates stacked redeemables on a cart at `now` (default: the current time). */
  validate(request: ValidationRequest | string, now?: Now): ValidationResponse {
    return JSON.parse(this.validateJson(request, now)) as ValidationResponse;
  }

  /**
   * {@link validate} returning the response as JSON text, byte-for-byte what
   * the native engine and the origin produce (handy to pass straight into a
   * `Response` body).
   */
  validateJson(request: ValidationRequest | string, now?: Now): string {
    try {
      return this.#inner.validateJson(json(request), rfc3339(now));
    } catch (e) {
      return rethrow(e);
    }
  }

  /** The redeemables that fit a customer and cart, each computed alone (best deal first on request). */
  qualify(request: QualificationRequest | string, now?: Now): QualificationResponse {
    return JSON.parse(this.qualifyJson(request, now)) as QualificationResponse;
  }

  /** {@link qualify} returning the response as JSON text. */
  qualifyJson(request: QualificationRequest | string, now?: Now): string {
    try {
      return this.#inner.qualifyJson(json(request), rfc3339(now));
    } catch (e) {
      return rethrow(e);
    }
  }

  /** Strikethrough prices for a batch of products (a catalog page at once). */
  priceProducts(request: PricingRequest | string, now?: Now): PricingResponse {
    return JSON.parse(this.priceProductsJson(request, now)) as PricingResponse;
  }

  /** {@link priceProducts} returning the response as JSON text. */
  priceProductsJson(request: PricingRequest | string, now?: Now): string {
    try {
      return this.#inner.priceProductsJson(json(request), rfc3339(now));
    } catch (e) {
      return rethrow(e);
    }
  }

  /**
   * The held plan's automatic promotions (tiers switched on), in
   * application order. Send them with every cart preview: those that apply
   * discount it; the others come back inapplicable with their reason and
   * nudges ("add 8.25 more", "from 17:00"). Throws `NO_SNAPSHOT` before a load.
   */
  promotionTiers(): PromotionTierInfo[] {
    try {
      return JSON.parse(this.#inner.promotionTiersJson()) as PromotionTierInfo[];
    } catch (e) {
      return rethrow(e);
    }
  }

  /** Version, dates and staleness of the held plan, or `null` before the first load. */
  status(now?: Now): EngineStatus | null {
    try {
      const text = this.#inner.statusJson(rfc3339(now));
      return text === undefined ? null : (JSON.parse(text) as EngineStatus);
    } catch (e) {
      return rethrow(e);
    }
  }

  /** Releases the engine's wasm memory now rather than at garbage collection. */
  free(): void {
    this.#inner.free();
  }
}
