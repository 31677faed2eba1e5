// @ts-self-types="./errors.d.ts"
/**
 * Every code the engine can throw, in the order of the Rust `Error::ALL_CODES`.
 * Codes are API: they are never renamed, only added. A test checks that this
 * list equals what the WebAssembly build reports.
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
] as const;

/** A stable, machine-readable error code. */
export type PromoErrorCode = (typeof PROMO_ERROR_CODES)[number];

/**
 * Input the engine cannot work with: malformed JSON, an unknown snapshot
 * schema, a request over a limit. Business rejections (an expired code, a
 * minimum not met) are never errors: they are data in the response.
 */
export class PromoError extends Error {
  override readonly name = "PromoError";
  /** The stable code; switch on this, not on `message`. */
  readonly code: PromoErrorCode;

  constructor(code: PromoErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Whether `value` is a `PromoError` (also one thrown straight from the wasm glue). */
export function isPromoError(value: unknown): value is PromoError {
  return (
    value instanceof Error &&
    value.name === "PromoError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** Re-throws an error coming out of the wasm glue as a `PromoError` instance. */
export function rethrow(error: unknown): never {
  if (error instanceof PromoError || !isPromoError(error)) throw error;
  const plain: Error & { code: PromoErrorCode } = error;
  throw new PromoError(plain.code, plain.message);
}
