// @ts-self-types="./errors.d.ts"
// The engine's errors in JavaScript. The wasm throws a plain `Error` whose
// `message` is the error as JSON (`{"code": "…", …fields}`) and carries no
// text formatting of its own (it keeps `core::fmt` out of the module); this
// file turns that into a `PromoError` with the code, the fields as
// `details`, and a sentence a person can read.

/**
 * Every code the engine can throw, in the order of the Rust `Error::ALL_CODES`.
 * Codes are API: they are never renamed, only added. A test checks that this
 * list equals what the WebAssembly build reports (`errorCodesJson()`).
 */
export const PROMO_ERROR_CODES = [
  "INVALID_JSON",
  "SNAPSHOT_SCHEMA_UNSUPPORTED",
  "SNAPSHOT_INVALID",
  "SNAPSHOT_TOO_LARGE",
  "BUNDLE_MALFORMED",
  "BUNDLE_ALGORITHM_UNSUPPORTED",
  "BUNDLE_KEY_UNKNOWN",
  "BUNDLE_SIGNATURE_INVALID",
  "JWKS_INVALID",
  "SNAPSHOT_EXPIRED",
  "NO_SNAPSHOT",
  "SNAPSHOT_NOT_NEWER",
  "INVALID_REQUEST",
  "TOO_MANY_ORDER_ITEMS",
  "TOO_MANY_REDEEMABLES",
  "TOO_MANY_PRODUCTS",
  "AMOUNT_OUT_OF_RANGE",
  "ORDER_ITEM_PRICE_MISSING",
  "INVALID_TIMESTAMP",
  "METADATA_TOO_LARGE",
  "ARITHMETIC_OVERFLOW",
  "PLAN_TOO_LARGE",
  "PLAN_INVALID",
  "PLAN_TRUNCATED",
  "PLAN_CHECKSUM_MISMATCH",
  "PLAN_TRAILING_BYTES",
  "PLAN_VERSION_UNSUPPORTED",
  "BUNDLE_FORMAT_OUTDATED",
  "BUNDLE_PLAN_MISMATCH",
] as const;

/** A stable, machine-readable error code. */
export type PromoErrorCode = (typeof PROMO_ERROR_CODES)[number];

/** `bytes` over `limit`. */
export interface SizeDetails {
  bytes: number;
  limit: number;
}

/** `count` items over `limit`. */
export interface CountDetails {
  count: number;
  limit: number;
}

/**
 * The fields each code carries in {@link PromoError.details}: exactly the
 * fields of the Rust variant (`impl Serialize for Error` in src/error.rs).
 * Versions are JSON numbers: exact up to 2^53.
 */
export interface PromoErrorDetailsMap {
  INVALID_JSON: { message: string };
  SNAPSHOT_SCHEMA_UNSUPPORTED: { found: string };
  SNAPSHOT_INVALID: { path: string; message: string };
  SNAPSHOT_TOO_LARGE: SizeDetails;
  BUNDLE_MALFORMED: { message: string };
  BUNDLE_ALGORITHM_UNSUPPORTED: { alg: string };
  BUNDLE_KEY_UNKNOWN: { kid: string };
  BUNDLE_SIGNATURE_INVALID: { kid: string };
  JWKS_INVALID: { message: string };
  SNAPSHOT_EXPIRED: { expires_at: string };
  NO_SNAPSHOT: Record<string, never>;
  SNAPSHOT_NOT_NEWER: { held: number; offered: number };
  INVALID_REQUEST: { path: string; message: string };
  TOO_MANY_ORDER_ITEMS: CountDetails;
  TOO_MANY_REDEEMABLES: CountDetails;
  TOO_MANY_PRODUCTS: CountDetails;
  AMOUNT_OUT_OF_RANGE: { path: string; value: string };
  ORDER_ITEM_PRICE_MISSING: { index: number };
  INVALID_TIMESTAMP: { value: string };
  METADATA_TOO_LARGE: SizeDetails;
  ARITHMETIC_OVERFLOW: Record<string, never>;
  PLAN_TOO_LARGE: SizeDetails;
  /** `reason`: which check failed (`magic`, `decode`, `reference`, `index`, …). */
  PLAN_INVALID: { reason: string };
  PLAN_TRUNCATED: Record<string, never>;
  PLAN_CHECKSUM_MISMATCH: Record<string, never>;
  PLAN_TRAILING_BYTES: { bytes: number };
  PLAN_VERSION_UNSUPPORTED: { found: number };
  BUNDLE_FORMAT_OUTDATED: Record<string, never>;
  /** `what`: `size`, `digest`, `version`, `project`, `channel` or `dates`. */
  BUNDLE_PLAN_MISMATCH: { what: string };
}

/** The details of code `C` (of any code by default). */
export type PromoErrorDetails<C extends PromoErrorCode = PromoErrorCode> = PromoErrorDetailsMap[C];

// One sentence per code, from its fields. A mapped type makes a missing or
// misspelled code a compile error, and a test checks the list against the
// wasm's own.
const WORDING: { [C in PromoErrorCode]: (d: PromoErrorDetailsMap[C]) => string } = {
  INVALID_JSON: (d) => `the input is not JSON of the expected shape: ${d.message}`,
  SNAPSHOT_SCHEMA_UNSUPPORTED: (d) => `snapshot schema "${d.found}" is not supported (expected "promo-edge.snapshot/1")`,
  SNAPSHOT_INVALID: (d) => `invalid snapshot at ${d.path}: ${d.message}`,
  SNAPSHOT_TOO_LARGE: (d) => `the snapshot is ${d.bytes} bytes, over the limit of ${d.limit}`,
  BUNDLE_MALFORMED: (d) => `the bundle is malformed: ${d.message}`,
  BUNDLE_ALGORITHM_UNSUPPORTED: (d) => `bundle algorithm "${d.alg}" is not accepted (only EdDSA)`,
  BUNDLE_KEY_UNKNOWN: (d) => `the bundle is signed by key "${d.kid}", which is not in the trusted JWKS`,
  BUNDLE_SIGNATURE_INVALID: (d) => `the bundle's signature does not verify with key "${d.kid}"`,
  JWKS_INVALID: (d) => `the trusted keys are not a usable JWKS: ${d.message}`,
  SNAPSHOT_EXPIRED: (d) => `the bundle expired at ${d.expires_at}, beyond the grace period`,
  NO_SNAPSHOT: () => "no plan is loaded: call loadBundle (or loadPlan) first",
  SNAPSHOT_NOT_NEWER: (d) => `version ${d.offered} is not newer than the held version ${d.held} (a rollback is refused)`,
  INVALID_REQUEST: (d) => `invalid request at ${d.path}: ${d.message}`,
  TOO_MANY_ORDER_ITEMS: (d) => `the order has ${d.count} items, over the limit of ${d.limit}`,
  TOO_MANY_REDEEMABLES: (d) => `the request has ${d.count} redeemables, over the limit of ${d.limit}`,
  TOO_MANY_PRODUCTS: (d) => `the request has ${d.count} products, over the limit of ${d.limit}`,
  AMOUNT_OUT_OF_RANGE: (d) => `amount ${d.value} at ${d.path} is negative or too large`,
  ORDER_ITEM_PRICE_MISSING: (d) => `order item ${d.index} has no price, no amount and no catalog price`,
  INVALID_TIMESTAMP: (d) => `"${d.value}" is not an RFC 3339 timestamp`,
  METADATA_TOO_LARGE: (d) => `metadata is ${d.bytes} bytes, over the limit of ${d.limit}`,
  ARITHMETIC_OVERFLOW: () => "an amount left the range of exact arithmetic",
  PLAN_TOO_LARGE: (d) => `the plan is ${d.bytes} bytes, over the limit of ${d.limit}`,
  PLAN_INVALID: (d) => `not a valid plan (the ${d.reason} check failed)`,
  PLAN_TRUNCATED: () => "the plan is truncated",
  PLAN_CHECKSUM_MISMATCH: () => "the plan's bytes do not match its checksum (corrupted in storage or transit)",
  PLAN_TRAILING_BYTES: (d) => `${d.bytes} bytes follow the end of the plan`,
  PLAN_VERSION_UNSUPPORTED: (d) => `plan format ${d.found} is not supported (this engine reads promo-edge.plan/2)`,
  BUNDLE_FORMAT_OUTDATED: () =>
    "this is a promo-edge.snapshot/1 (JSON) snapshot or bundle: republish it with `promo-origin publish`, which compiles campaigns into a plan",
  BUNDLE_PLAN_MISMATCH: (d) => `the signed manifest and the plan disagree on ${d.what}`,
};

const KNOWN: ReadonlySet<string> = new Set(PROMO_ERROR_CODES);

/** The sentence for `code` with `details` (what a `PromoError`'s message says). */
export function describeError<C extends PromoErrorCode>(code: C, details: PromoErrorDetailsMap[C]): string {
  const word = WORDING[code] as (d: PromoErrorDetailsMap[C]) => string;
  return word(details);
}

/** The constructor's arguments: a code and the details of that code (checked in pairs). */
export type PromoErrorArgs = {
  [C in PromoErrorCode]: [code: C, details: PromoErrorDetailsMap[C], message?: string];
}[PromoErrorCode];

/** A `PromoError` of code `C`, with `details` typed for it (what {@link isPromoError} narrows to). */
export type PromoErrorOf<C extends PromoErrorCode> = PromoError & {
  readonly code: C;
  readonly details: PromoErrorDetailsMap[C];
};

/**
 * Input the engine cannot work with: malformed JSON, a plan or bundle it
 * refuses, a request over a limit. Business rejections (an expired code, a
 * minimum not met) are never errors: they are data in the response.
 *
 * Switch on `code`; read the specifics from `details` (narrow first with
 * `isPromoError(e, "SNAPSHOT_NOT_NEWER")` to have them typed); show
 * `message` to people.
 */
export class PromoError extends Error {
  override readonly name = "PromoError";
  /** The stable code; switch on this, not on `message`. */
  readonly code: PromoErrorCode;
  /** The error's fields, e.g. `{held: 7, offered: 6}` for `SNAPSHOT_NOT_NEWER`. */
  readonly details: PromoErrorDetails;

  /** `message` defaults to the worded form of `code` and `details`. */
  constructor(...[code, details, message]: PromoErrorArgs) {
    super(message ?? describeError(code, details as never));
    this.code = code;
    this.details = details;
  }
}

/**
 * Whether `value` is a `PromoError` (also one made by another copy of this
 * package, so it checks the shape rather than the class) — of code `code`
 * when one is given, which also types `details`.
 */
export function isPromoError(value: unknown): value is PromoError;
export function isPromoError<C extends PromoErrorCode>(value: unknown, code: C): value is PromoErrorOf<C>;
export function isPromoError(value: unknown, code?: PromoErrorCode): boolean {
  if (!(value instanceof Error) || value.name !== "PromoError") return false;
  const c = (value as { code?: unknown }).code;
  return typeof c === "string" && (code === undefined || c === code);
}

/**
 * The `PromoError` an error thrown by the wasm glue stands for, or `null`
 * when it is something else (a wasm trap, a JS `TypeError`), which callers
 * re-throw untouched.
 */
export function fromWasmError(error: unknown): PromoError | null {
  if (!(error instanceof Error) || !error.message.startsWith("{")) return null;
  let body: unknown;
  try {
    body = JSON.parse(error.message);
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null) return null;
  const { code, ...details } = body as { code?: unknown };
  // The wasm and this table ship in one package and a test holds them
  // equal, so an unknown code means a mismatched build: leave it visible.
  if (typeof code !== "string" || !KNOWN.has(code)) return null;
  return new PromoError(...([code, details] as PromoErrorArgs));
}

/** Re-throws an error coming out of the wasm glue as a `PromoError`; anything else as it is. */
export function rethrow(error: unknown): never {
  throw fromWasmError(error) ?? error;
}
