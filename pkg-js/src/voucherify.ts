// @ts-self-types="./voucherify.d.ts"
// `promo-edge/voucherify`: the method names and signatures of the official
// `@voucherify/sdk` (2.9.0), answered from the plan an engine holds, so a
// storefront swaps `VoucherifyServerSide(...)` / `VoucherifyClientSide(...)`
// for `createVoucherify({engine, ...})` and changes nothing else. Stackable
// validation and qualification are the engine's answers as they are (they
// have Voucherify's shapes); the legacy single-code and promotion answers are
// reshaped from them; redemptions go through the RedemptionOutbox to the
// origin, the authority on budgets and limits.
// A value import first: tsc drops the comments (and the @ts-self-types line) before an elided type-only import.
import { isPromoError } from "./errors.js";
import type { Now, PromoEngine } from "./engine.js";
import type { RedemptionOutbox, RedemptionSettlement } from "./sync/outbox.js";
import type * as E from "./types.js";
import type * as V from "./voucherify-types.js";

export * from "./voucherify-types.js";

/** The fields of a Voucherify error body (`{code, key, message, details, request_id, …}`). */
export interface VoucherifyErrorBody {
  code?: number;
  key?: string;
  message?: string;
  details?: string;
  request_id?: string;
  resource_id?: string;
  resource_type?: string;
  related_object_ids?: string[];
  related_object_type?: string;
  related_object_total?: number;
  error?: { message: string };
}

/**
 * The SDK's `VoucherifyError`: the HTTP status as `code`, Voucherify's
 * lowercase `key`, `message`, `details`, `request_id`. Made from a
 * Voucherify error body, as the SDK does. `cause` is what it stands for:
 * the `PromoError` of a local call, the outbox's settlement of a redemption.
 */
export class VoucherifyError extends Error {
  override readonly name = "VoucherifyError";
  code: number;
  key: string;
  details?: string;
  request_id?: string;
  resource_id?: string;
  resource_type?: string;
  related_object_ids?: string[];
  related_object_type?: string;
  related_object_total?: number;
  error?: { message: string };
  override cause?: unknown;

  constructor(statusCode: number, body?: unknown, cause?: unknown) {
    const b: VoucherifyErrorBody = typeof body === "object" && body !== null ? (body as VoucherifyErrorBody) : {};
    const text = typeof body === "string" ? body : JSON.stringify(body ?? {}, null, 2);
    super(b.message || `Unexpected status code: ${statusCode} - Details: ${text}`);
    this.code = typeof b.code === "number" ? b.code : statusCode;
    this.key = typeof b.key === "string" ? b.key : `http_${statusCode}`;
    this.details = b.details;
    this.request_id = b.request_id;
    this.resource_id = b.resource_id;
    this.resource_type = b.resource_type;
    this.related_object_ids = b.related_object_ids;
    this.related_object_type = b.related_object_type;
    this.related_object_total = b.related_object_total;
    this.error = b.error;
    this.cause = cause;
  }
}

/** Where the server-only calls the engine cannot answer (rollbacks) are sent. */
export interface VoucherifyOrigin {
  /** The origin's base URL, e.g. `https://origin.example` (`promo-origin serve`). */
  url: string | URL;
  /** Its credentials, e.g. `{authorization: "Bearer …"}` or `{"x-app-id": …, "x-app-token": …}`. */
  headers?: Record<string, string>;
  fetch?: typeof globalThis.fetch;
}

export interface CreateVoucherifyOptions {
  /** The engine holding the plan (kept fresh by `PromoSync`). */
  engine: PromoEngine;
  /** Where `redeemStackable` queues redemptions for the origin; without one it rejects. */
  outbox?: RedemptionOutbox;
  /** `now` for every evaluation: a fixed time or a clock (default: the current time). */
  now?: Now | (() => Now);
  /** The shopper's tracking id (as `VoucherifyClientSide({trackingId})`; `setIdentity` changes it). */
  trackingId?: string;
  /** For `redemptions.rollbackStackable`, which only the origin can do. */
  origin?: VoucherifyOrigin;
}

type Legacy = V.ValidationsValidateVoucherResponse & { valid: boolean };
type PromotionsAnswer = V.PromotionsValidateResponse & { promotions: NonNullable<V.PromotionsValidateResponse["promotions"]> };

export interface VoucherifyValidations {
  /** A code (the legacy single-code validation), or promotions when `code` is an object. */
  validate(code: string, context?: V.ValidationsValidateContext): Promise<V.ValidationsValidateVoucherResponse>;
  validate(code: V.ValidationsValidateCode, context?: V.ValidationsValidateContext): Promise<V.PromotionsValidateResponse>;
  validate(
    code: string | V.ValidationsValidateCode,
    context?: V.ValidationsValidateContext,
  ): Promise<V.ValidationsValidateVoucherResponse> | Promise<V.PromotionsValidateResponse>;
  validateVoucher(code: string, params?: V.ValidationsValidateVoucherParams): Promise<V.ValidationsValidateVoucherResponse>;
  validateStackable(params: V.ValidationsValidateStackableParams): Promise<V.ValidationValidateStackableResponse>;
}

/** Both spellings: `qualifications.checkEligibility(body)` (server) and `qualifications(body)` (client). */
export interface VoucherifyQualifications {
  (body: V.QualificationsCheckEligibilityRequestBody): Promise<V.QualificationsCheckEligibilityResponseBody>;
  checkEligibility(body: V.QualificationsCheckEligibilityRequestBody): Promise<V.QualificationsCheckEligibilityResponseBody>;
}

export interface VoucherifyPromotions {
  validate(body: V.PromotionsValidateParams, params?: V.PromotionsValidateQueryParams): Promise<V.PromotionsValidateResponse>;
}

export interface VoucherifyRedemptions {
  redeemStackable(params: V.RedemptionsRedeemStackableParams): Promise<V.RedemptionsRedeemStackableResponse>;
  rollbackStackable(parentRedemptionId: string, params?: any, queryParams?: any): Promise<V.RedemptionsRollbackStackableResponse>;
}

/** What replaces a `VoucherifyServerSide` and a `VoucherifyClientSide` instance. */
export interface PromoVoucherify {
  validations: VoucherifyValidations;
  qualifications: VoucherifyQualifications;
  promotions: VoucherifyPromotions;
  redemptions: VoucherifyRedemptions;
  // ClientSide's names.
  setIdentity(identity?: string): void;
  validate(params: V.ClientSideValidateParams | string): Promise<V.ClientSideValidateResponse>;
  validateStackable(params: V.ClientSideValidationsValidateStackableParams): Promise<V.ValidationValidateStackableResponse>;
  redeemStackable(params: V.ClientSideRedemptionsRedeemStackableParams): Promise<V.RedemptionsRedeemStackableResponse>;
}

/** The HTTP status a `PromoError` would have had from the origin. */
function statusOf(code: string): number {
  return code === "NO_SNAPSHOT" ? 503 : 400;
}

/** A `PromoError` as the `VoucherifyError` the SDK would have thrown; anything else as it is. */
function toVoucherify(e: unknown): unknown {
  if (!isPromoError(e)) return e;
  const d = e.details as Record<string, unknown>;
  const details = Object.keys(d).length === 0 ? undefined : Object.entries(d).map(([k, v]) => `${k}: ${String(v)}`).join(", ");
  const status = statusOf(e.code);
  return new VoucherifyError(status, { code: status, key: e.code.toLowerCase(), message: e.message, details }, e);
}

function settle<T>(run: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(run())).catch((e: unknown) => {
    throw toVoucherify(e);
  });
}

const as = <T>(value: unknown): T => value as T;
const PAGE = 50; // qualify's most per call

/** A refused or failed redemption as the SDK's error. */
function redemptionError(s: RedemptionSettlement): VoucherifyError {
  if (!s.ok) {
    return new VoucherifyError(s.status, {
      code: s.status,
      key: s.error.code.toLowerCase(),
      message: s.error.message,
      request_id: s.rejection?.request_id,
    }, s);
  }
  // FAILED: nothing was redeemed. The origin answers it in Voucherify's error envelope (a 400 with
  // the first reason as `key`); an answer without one says why in its first inapplicable redeemable.
  const body = s.redemption as unknown as VoucherifyErrorBody;
  if (typeof body.key === "string") return new VoucherifyError(typeof body.code === "number" ? body.code : 400, body, s);
  const r = s.redemption.result?.inapplicable_redeemables?.[0] ?? s.redemption.result?.skipped_redeemables?.[0];
  const err = r?.result.error;
  const detail = r?.result.details;
  return new VoucherifyError(400, {
    code: 400,
    key: err?.key ?? detail?.key ?? "redemption_failed",
    message: err?.message ?? detail?.message ?? "the redemption failed: nothing was redeemed",
    details: err?.details,
    resource_id: err?.resource_id ?? r?.id,
    resource_type: err?.resource_type ?? r?.object,
    error: err?.error,
  }, s);
}

/**
 * An object with `@voucherify/sdk`'s method names and signatures, answered
 * locally from `engine`'s plan (redemptions through `outbox`, rollbacks at
 * `origin`). Every method returns a promise, as the SDK's do; a request the
 * engine refuses rejects with a {@link VoucherifyError} (400, the
 * `PromoError`'s code in lowercase as `key`; 503 `no_snapshot` before a plan
 * is loaded) whose `cause` is the `PromoError`.
 */
export function createVoucherify(options: CreateVoucherifyOptions): PromoVoucherify {
  const { engine, outbox, origin } = options;
  let identity = options.trackingId;
  const now = (): Now | undefined => (typeof options.now === "function" ? options.now() : options.now);
  const trackingOf = (customer?: { id?: string; source_id?: string }, explicit?: string): string =>
    explicit ?? identity ?? customer?.source_id ?? customer?.id ?? "";

  const validateStackable = (params: V.ValidationsValidateStackableParams): Promise<V.ValidationValidateStackableResponse> =>
    settle(() => as<V.ValidationValidateStackableResponse>(engine.validate(as<E.ValidationRequest>(params), now())));

  const checkEligibility = (body: V.QualificationsCheckEligibilityRequestBody): Promise<V.QualificationsCheckEligibilityResponseBody> =>
    settle(() => as<V.QualificationsCheckEligibilityResponseBody>(engine.qualify(as<E.QualificationRequest>(body), now())));

  /** The legacy answer for one code, from a one-voucher stackable validation. */
  function legacy(code: string, context: V.ValidationsValidateVoucherParams = {}, tracking?: string): Legacy {
    const redeemable: E.RedeemableRef = { object: "voucher", id: code };
    if (context.gift) redeemable.gift = context.gift;
    if (context.reward) redeemable.reward = context.reward;
    const request: E.ValidationRequest = { redeemables: [redeemable], options: { expand: ["order", "redeemable"] } };
    for (const k of ["order", "customer", "metadata", "session"] as const) {
      if (context[k] !== undefined) Object.assign(request, { [k]: context[k] });
    }
    const answer = engine.validate(request, now());
    const all = [...answer.redeemables, ...answer.inapplicable_redeemables, ...answer.skipped_redeemables];
    const r = all.find((x) => x.object === "voucher" && x.id === code) ?? all[0];
    const valid = answer.valid && r?.status === "APPLICABLE";
    const out: Legacy = { valid, code, tracking_id: trackingOf(context.customer, tracking) };
    if (!r) return out;
    const res = r.result;
    if (r.metadata) out.metadata = r.metadata;
    if (r.campaign_name !== undefined) out.campaign = r.campaign_name;
    if (r.campaign_id !== undefined) out.campaign_id = r.campaign_id;
    if (!valid) {
      // As Voucherify: an invalid code says why, and nothing of what it would give.
      out.error = res.error ?? (res.details ? { code: 400, ...res.details } : { code: 400, key: "not_applicable", message: "the code does not apply" });
      return out;
    }
    out.order = answer.order;
    if (res.discount) out.discount = as<V.LegacyDiscount>(res.discount);
    // What this order takes from the card and what it leaves on it.
    if (res.gift) out.gift = { amount: res.gift.credits, balance: res.gift.balance };
    if (res.loyalty_card) out.loyalty = { points_cost: res.loyalty_card.points };
    if (r.applicable_to) out.applicable_to = as<V.ApplicableToResultList>(r.applicable_to);
    if (r.inapplicable_to) out.inapplicable_to = as<V.ApplicableToResultList>(r.inapplicable_to);
    return out;
  }

  /** Every switched-on tier that applies to the cart (that fits the audience, with `audienceRulesOnly`), each computed alone, in application order. */
  function promotions(body: V.PromotionsValidateParams, query: V.PromotionsValidateQueryParams = {}, tracking?: string): PromotionsAnswer {
    const at = now();
    const tiers = engine.promotionTiers();
    const rank = new Map(tiers.map((t, i) => [t.id, i]));
    const found: E.QualifiedRedeemable[] = [];
    for (let i = 0; i < tiers.length; i += PAGE) {
      const ids = tiers.slice(i, i + PAGE).map((t) => t.id);
      const request: E.QualificationRequest = {
        scenario: query.audienceRulesOnly ? "AUDIENCE_ONLY" : "ALL",
        options: {
          limit: PAGE,
          expand: ["order"],
          filters: { resource_type: { conditions: { $in: ["promotion_tier"] } }, resource_id: { conditions: { $in: ids } } },
        },
      };
      for (const k of ["order", "customer", "metadata"] as const) {
        if (body[k] !== undefined) Object.assign(request, { [k]: body[k] });
      }
      // AUDIENCE_ONLY also admits tiers only the cart keeps from applying: as Voucherify's audienceRulesOnly.
      const admitted = engine.qualify(request, at).redeemables.data;
      found.push(...admitted.filter((r) => r.object === "promotion_tier" && (r.applicable || query.audienceRulesOnly === true)));
    }
    found.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
    const tracking_id = trackingOf(body.customer, tracking);
    return {
      valid: found.length > 0,
      tracking_id,
      promotions: found.map((r) => {
        const p: PromotionsAnswer["promotions"][number] = {
          id: r.id,
          object: "promotion_tier",
          name: r.name ?? r.id,
          discount: as<V.LegacyDiscount>(r.result.discount),
          discount_amount: r.order.total_discount_amount,
          applied_discount_amount: r.order.total_applied_discount_amount,
          metadata: r.metadata ?? {},
          order: r.order,
          // The plan keeps tiers in application order, not their numbers: the 1-based position stands in.
          hierarchy: (rank.get(r.id) ?? 0) + 1,
        };
        if (r.banner !== undefined) p.banner = r.banner;
        return p;
      }),
    };
  }

  async function redeemStackable(params: V.RedemptionsRedeemStackableParams): Promise<V.RedemptionsRedeemStackableResponse> {
    if (!outbox) {
      throw new VoucherifyError(501, {
        code: 501,
        key: "redemptions_not_configured",
        message: "redemptions go to the origin: pass createVoucherify({outbox}) (a RedemptionOutbox)",
      });
    }
    const at = now();
    const { settled } = await settle(() => outbox.enqueue(as<E.ValidationRequest>(params), at === undefined ? {} : { now: at }));
    const s = await settled;
    if (s.ok && s.redemption.status !== "FAILED") return as<V.RedemptionsRedeemStackableResponse>(s.redemption);
    throw redemptionError(s);
  }

  async function rollbackStackable(parentRedemptionId: string, params?: any, queryParams?: any): Promise<V.RedemptionsRollbackStackableResponse> {
    if (!origin) {
      throw new VoucherifyError(501, {
        code: 501,
        key: "redemptions_not_configured",
        message: "a rollback is the origin's: pass createVoucherify({origin: {url, headers}})",
      });
    }
    const url = new URL(`/v1/redemptions/${encodeURIComponent(parentRedemptionId)}/rollbacks`, origin.url);
    for (const [k, v] of Object.entries((queryParams ?? {}) as Record<string, unknown>)) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const fetchFn = origin.fetch ?? globalThis.fetch.bind(globalThis);
    const response = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...origin.headers },
      body: JSON.stringify(params ?? {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the text is the error's details
    }
    if (!response.ok) throw new VoucherifyError(response.status, body);
    return as<V.RedemptionsRollbackStackableResponse>(body);
  }

  const validateVoucher = (code: string, params?: V.ValidationsValidateVoucherParams): Promise<V.ValidationsValidateVoucherResponse> =>
    settle(() => legacy(code, params));

  function validate(code: string, context?: V.ValidationsValidateContext): Promise<V.ValidationsValidateVoucherResponse>;
  function validate(code: V.ValidationsValidateCode, context?: V.ValidationsValidateContext): Promise<V.PromotionsValidateResponse>;
  function validate(
    code: string | V.ValidationsValidateCode,
    context?: V.ValidationsValidateContext,
  ): Promise<V.ValidationsValidateVoucherResponse> | Promise<V.PromotionsValidateResponse>;
  function validate(
    code: string | V.ValidationsValidateCode,
    context?: V.ValidationsValidateContext,
  ): Promise<V.ValidationsValidateVoucherResponse> | Promise<V.PromotionsValidateResponse> {
    // As the SDK: an object is a promotions validation (and `context` is not used).
    return typeof code === "object" && code !== null ? settle(() => promotions(code)) : validateVoucher(code, context);
  }

  /** ClientSide.validate: a code (legacy), or the promotions when there is none. */
  function clientValidate(params: V.ClientSideValidateParams | string): Promise<V.ClientSideValidateResponse> {
    return settle((): V.ClientSideValidateResponse => {
      const p: V.ClientSideValidateParams = typeof params === "string" ? { code: params } : params;
      const code = p.code?.replace(/[\r\n\t\f\v]/g, "").trim();
      const order: NonNullable<V.ValidationsValidateVoucherParams["order"]> = {};
      if (p.amount !== undefined) order.amount = p.amount;
      if (p.items !== undefined) order.items = p.items;
      if (p.orderMetadata !== undefined) order.metadata = p.orderMetadata;
      const context: V.ValidationsValidateVoucherParams = { order };
      if (p.customer !== undefined) context.customer = p.customer;
      if (p.metadata !== undefined) context.metadata = p.metadata;
      if (p.reward !== undefined) context.reward = p.reward;
      if (p.session_type !== undefined || p.session_key !== undefined) {
        context.session = as<V.ValidationSessionParams>({ type: p.session_type, key: p.session_key, ttl: p.session_ttl, ttl_unit: p.session_ttl_unit });
      }
      const tracking = p.tracking_id || undefined;
      if (code) return as<V.ClientSideValidateResponse>(legacy(code, context, tracking));
      const res = promotions(context, {}, tracking);
      const tracking_id = res.tracking_id ?? "";
      return {
        valid: res.valid,
        tracking_id,
        promotions: res.promotions.map((t) => {
          const s: V.SimplePromotionTier = {
            tracking_id,
            valid: true,
            id: t.id,
            name: t.name,
            discount: t.discount ?? {},
            hierarchy: t.hierarchy ?? 0,
            object: "promotion_tier",
          };
          if (t.metadata !== undefined) s.metadata = t.metadata;
          if (t.banner !== undefined) s.banner = t.banner;
          return s;
        }),
      };
    });
  }

  const qualifications = Object.assign((body: V.QualificationsCheckEligibilityRequestBody) => checkEligibility(body), { checkEligibility });

  return {
    validations: { validate, validateVoucher, validateStackable },
    qualifications,
    promotions: { validate: (body, params) => settle(() => promotions(body, params)) },
    redemptions: { redeemStackable, rollbackStackable },
    setIdentity(id?: string) {
      identity = id;
    },
    validate: clientValidate,
    validateStackable,
    redeemStackable,
  };
}
