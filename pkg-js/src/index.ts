// @ts-self-types="./index.d.ts"
export { PromoEngine } from "./engine.js";
export type { Now, WasmSource, WasmSyncSource } from "./engine.js";
export { PromoError, PROMO_ERROR_CODES, describeError, isPromoError } from "./errors.js";
export type { CountDetails, PromoErrorArgs, PromoErrorCode, PromoErrorDetails, PromoErrorDetailsMap, PromoErrorOf, SizeDetails } from "./errors.js";
export { formatMoney, toDecimalString } from "./money.js";
export type * from "./types.js";
export * from "./sync/index.js";
