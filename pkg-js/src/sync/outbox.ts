// @ts-self-types="./outbox.d.ts"
// The redemption outbox: redemptions queued durably with an idempotency key
// fixed when the shopper acts, forwarded to the origin with retries, each
// settled exactly once with the origin's answer.
// A value import first: tsc drops the comments (and the @ts-self-types line) before an elided type-only import.
import { type SyncStore, defaultStore } from "./store.js";
import { type BackoffOptions, type Timers, TypedEventTarget, backoffDelay, messageOf, realTimers } from "./shared.js";
import { PromoError } from "../errors.js";
import type { PromoEngine } from "../engine.js";
import type { JsonValue, Metadata, OrderCalculation, ValidationRequest, ValidationResponse } from "../types.js";

/**
 * What differs between the origin's answer and the local preview. For a
 * redeemable's `status`, the origin's error or skip key (`quantity_exceeded`,
 * `gift_amount_exceeded`, …); for amounts, which one moved.
 */
export type RedemptionDifferenceReason =
  | "total_changed"
  | "discount_changed"
  | "amount_changed"
  | "balance_changed"
  | "points_changed"
  | "valid_changed"
  | "snapshot_version_differs"
  | "not_in_origin_result"
  | "applicable_at_origin"
  | (string & {});

/** Why an amount differs, as far as the origin can tell. */
export type RedemptionDifferenceCause =
  | "redeemable_status_differs"
  | "live_balance_differs"
  | "snapshot_version_differs"
  | "calculation_differs";

/** Where the origin's answer differs from the local preview, what differs, and why. */
export interface RedemptionDifference {
  /** e.g. `order.total_amount`, `redeemables[SUMMER-1].status`, `earned_points[camp_1].points`. */
  path: string;
  client: JsonValue;
  origin: JsonValue;
  reason: RedemptionDifferenceReason;
  /** On amount differences. */
  cause?: RedemptionDifferenceCause;
}

/** What the origin did with the points an order earned in one loyalty campaign. */
export type EarnedPointsCredit =
  | {
      campaign_id: string;
      points: number;
      credited: true;
      /** The card's ledger key (`voucher:<id>`, `card:<campaign>:<holder>`, `code:<sha256>`). */
      ledger_key: string;
      /** The card's points after this redemption, spent and earned. */
      balance: number;
    }
  | {
      campaign_id: string;
      points: number;
      credited: false;
      reason: "no_customer" | "no_loyalty_card" | "loyalty_card_ambiguous";
    };

/** A code as Voucherify's voucher object (what the origin's snapshot and ledger know). */
export interface RedeemedVoucher {
  id: string;
  code: string;
  object: "voucher";
  /** Left out for a loyalty card (the SDK's type has no `LOYALTY_CARD`). */
  type?: "DISCOUNT_VOUCHER" | "GIFT_VOUCHER";
  campaign?: string;
  campaign_id?: string;
  active: boolean;
  is_referral_code: boolean;
  holder_id?: string;
  metadata: Metadata;
  created_at: string;
  validation_rules_assignments: { object: "list"; data_ref: "data"; data: []; total: number };
  discount?: JsonValue;
  gift?: { amount: number; balance: number };
  loyalty_card?: { points: number; balance: number };
  redemption?: { object: "list"; quantity?: number; redeemed_quantity: number; data_ref: "redemption_entries"; redemption_entries: []; total: number; url: string };
}

/** What the parent and each child redemption of a stack share. */
interface RedemptionCommon {
  id: string;
  object: "redemption";
  date: string;
  customer_id: string | null;
  metadata: Metadata;
  result: "SUCCESS" | "FAILURE";
  related_object_id: string;
}

/** One APPLICABLE redeemable of a SUCCEEDED redemption (`id` = `<parent id>_<n>`). */
export interface ChildRedemption extends RedemptionCommon {
  related_object_type: "voucher" | "promotion_tier";
  /** The parent redemption's id. */
  redemption: string;
  voucher?: RedeemedVoucher;
  promotion_tier?: { id: string; name: string | null; campaign: { id: string | null } };
  order?: OrderCalculation;
  gift?: { amount: number };
  loyalty_card?: { points: number };
}

/** The order a redemption stored: the origin's calculation, named. */
export type RedeemedOrder = OrderCalculation & {
  redemptions?: { [parent: string]: { date: string; related_object_type: "redemption"; related_object_id: string; stacked: string[] } };
};

/**
 * The origin's answer to `POST /v1/redemptions`: Voucherify's stacked
 * redemption (`redemptions`, `parent_redemption`, `order`, and a FAILED
 * one's `code: 400`, `key`, `message`) with Promo Edge's fields below.
 */
export interface RedemptionAnswer {
  /** One per APPLICABLE redeemable of a SUCCEEDED redemption. */
  redemptions: ChildRedemption[];
  parent_redemption: RedemptionCommon & { related_object_type: "redemption"; order: RedeemedOrder };
  order: RedeemedOrder;
  inapplicable_redeemables?: ValidationResponse["inapplicable_redeemables"];
  skipped_redeemables?: ValidationResponse["skipped_redeemables"];
  /** A FAILED redemption: Voucherify's error envelope (`code` 400, `key` the first reason, e.g. `quantity_exceeded`). */
  code?: number;
  key?: string;
  message?: string;
  request_id?: string;
  id: string;
  object: "redemption";
  status: "SUCCEEDED" | "FAILED";
  created_at: string;
  snapshot_version: number;
  differences: RedemptionDifference[];
  /** Points credited to cards (SUCCEEDED only; empty otherwise). */
  earned_points: EarnedPointsCredit[];
  result: ValidationResponse;
}

/**
 * The origin's `409 REDEMPTION_RESULT_CHANGED` under `onDifference: "REJECT"`:
 * nothing was redeemed, because the origin's result differs from the one the
 * shopper saw. `result` is the origin's calculation, to show and confirm.
 */
export interface RedemptionRejection extends Omit<RedemptionAnswer, "status" | "earned_points"> {
  /** HTTP 409 (Voucherify's error envelope). */
  code: 409;
  key: "redemption_result_changed";
  message: string;
  request_id?: string;
  status: "REJECTED";
  earned_points: [];
}

/**
 * What the origin does when its result differs from the client's `expected`:
 * redeem at its own result (`ACCEPT`, the default) or redeem nothing
 * (`REJECT`, a `409 REDEMPTION_RESULT_CHANGED` settlement). A differing
 * snapshot version alone never rejects.
 */
export type OnDifference = "ACCEPT" | "REJECT";

/** The body sent: a validation request plus what the client computed. */
export type RedemptionBody = ValidationRequest & {
  snapshot_version?: number;
  expected?: Partial<ValidationResponse>;
  on_difference?: OnDifference;
};

/** How a redemption ended: the origin's answer, or its terminal refusal (a 4xx). */
export type RedemptionSettlement =
  | {
      key: string;
      ok: true;
      /** SUCCEEDED or FAILED, as the origin decided. */
      redemption: RedemptionAnswer;
      /** The origin's differences from the local preview (empty when they agree). */
      differences: RedemptionDifference[];
      /** Whether the origin answered a replay of this key (an earlier send got through). */
      replayed: boolean;
    }
  | {
      key: string;
      ok: false;
      /** The HTTP status (4xx other than 408/429). */
      status: number;
      error: { code: string; message: string };
      /** With `error.code` `REDEMPTION_RESULT_CHANGED` (409): what changed and the origin's result. */
      rejection?: RedemptionRejection;
    };

/** One queued redemption as persisted. */
export interface OutboxItem {
  key: string;
  body: RedemptionBody;
  enqueued_at: string;
  /** Sends tried so far (across flushes and reloads). */
  attempts: number;
  /** Present once the origin answered; the item is removed after its `settled` event. */
  settlement?: RedemptionSettlement;
}

export interface OutboxSettledDetail {
  settlement: RedemptionSettlement;
}

export interface OutboxRetryDetail {
  key: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface OutboxEventMap {
  [type: string]: unknown;
  settled: OutboxSettledDetail;
  retry: OutboxRetryDetail;
}

export interface RedemptionOutboxOptions {
  /** The origin's base URL, e.g. `https://origin.example` (POSTs to `/v1/redemptions`). */
  origin: string | URL;
  /** The channel's bearer key (`Authorization: Bearer …`). */
  channelKey?: string;
  /** Where items live (default: IndexedDB in browsers, else memory — pass a durable store elsewhere). */
  store?: SyncStore;
  /** Namespaces the store keys (default `promo-edge/outbox/`). */
  prefix?: string;
  /** When given, `enqueue` computes the local preview and its snapshot version itself. */
  engine?: PromoEngine;
  /** Send attempts per item per flush (default 5). */
  maxAttempts?: number;
  /** Backoff between attempts and between flushes (default 500 ms doubling up to 60 s). */
  backoff?: BackoffOptions;
  /** Flush right after each enqueue and retry pending items later on their own (default true). */
  autoFlush?: boolean;
  /** Per-request timeout (default 15 s). */
  requestTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  timers?: Timers;
  random?: () => number;
  /** Makes idempotency keys (default `crypto.randomUUID()`). */
  newKey?: () => string;
  now?: () => Date;
  /** The default `onDifference` of every `enqueue` (default: the origin's, `ACCEPT`). */
  onDifference?: OnDifference;
}

export interface EnqueueOptions {
  /** The client's locally computed response (default: the engine's `validate`, when an engine was given). */
  expected?: Partial<ValidationResponse>;
  /** The snapshot version the preview came from (default: the engine's). */
  snapshotVersion?: number;
  /** `now` for the engine's preview. */
  now?: Date | string;
  /**
   * `REJECT`: redeem only at the result the shopper saw (`expected`); a
   * result that moved settles as `{ok: false, status: 409, rejection}` with
   * nothing redeemed. `ACCEPT`: redeem at the origin's result. Default: the
   * outbox's `onDifference`.
   */
  onDifference?: OnDifference;
}

export interface Enqueued {
  /** The idempotency key, already persisted. */
  key: string;
  /** Resolves once with the origin's answer (never rejects). */
  settled: Promise<RedemptionSettlement>;
}

export interface FlushReport {
  settled: number;
  pending: number;
}

const RETRYABLE = new Set([408, 429]);

type Attempt =
  | { done: true; settlement: RedemptionSettlement }
  | { done: false; reason: string; retryAfterMs?: number };

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number.parseInt(value.trim(), 10) * 1000;
}

/**
 * A terminal 4xx as a settlement: the origin's Voucherify error envelope
 * `{code: <status>, key, message}` as `{code: KEY, message}` (the stable
 * SCREAMING_SNAKE code is the upper-cased `key`), and the rejection a 409
 * `REDEMPTION_RESULT_CHANGED` carries.
 */
function refusal(key: string, text: string, status: number): RedemptionSettlement {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  const o = typeof v === "object" && v !== null ? (v as { key?: unknown; message?: unknown; differences?: unknown }) : {};
  if (typeof o.key !== "string") return { key, ok: false, status, error: { code: `HTTP_${status}`, message: text.slice(0, 500) } };
  const code = o.key.toUpperCase();
  const error = { code, message: typeof o.message === "string" ? o.message : "" };
  if (status === 409 && code === "REDEMPTION_RESULT_CHANGED" && Array.isArray(o.differences)) {
    return { key, ok: false, status, error, rejection: v as RedemptionRejection };
  }
  return { key, ok: false, status, error };
}

/**
 * A `400` that is a FAILED redemption (Voucherify answers a redemption that
 * cannot apply with a 400; the origin records it and says why in the
 * redemption's fields): the origin decided, so it settles as an answer.
 */
function failedRedemption(text: string): RedemptionAnswer | undefined {
  try {
    const v = JSON.parse(text) as Partial<RedemptionAnswer> | null;
    return v !== null && v.object === "redemption" && v.status === "FAILED" ? (v as RedemptionAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A durable queue of redemptions for the origin. `enqueue` fixes the
 * idempotency key (`crypto.randomUUID()`) and persists the item before
 * anything is sent; sends retry network errors, 5xx, 408 and 429 with
 * exponential backoff and jitter (bounded attempts per flush), and stop at a
 * terminal answer. Each redemption settles exactly once — the promise from
 * `enqueue` and a `settled` event — and a new outbox on the same store
 * resumes what a reload or crash left pending: the origin answers a resent
 * key with its first answer, so nothing counts twice.
 *
 * One outbox per store at a time (two tabs: give each its own `prefix`).
 */
export class RedemptionOutbox extends TypedEventTarget<OutboxEventMap> {
  readonly #o: RedemptionOutboxOptions;
  readonly #store: SyncStore;
  readonly #prefix: string;
  readonly #timers: Timers;
  readonly #random: () => number;
  readonly #waiters = new Map<string, { promise: Promise<RedemptionSettlement>; resolve: (s: RedemptionSettlement) => void }>();
  /** Serialises index updates. */
  #lock: Promise<unknown> = Promise.resolve();
  #flushing: Promise<FlushReport> | undefined;
  #again = false;
  #retryTimer: unknown = undefined;
  #failedFlushes = 0;
  #closed = false;

  constructor(options: RedemptionOutboxOptions) {
    super();
    this.#o = options;
    this.#store = options.store ?? defaultStore("promo-edge-outbox");
    this.#prefix = options.prefix ?? "promo-edge/outbox/";
    this.#timers = options.timers ?? realTimers;
    this.#random = options.random ?? Math.random;
  }

  #itemKey(key: string): string {
    return `${this.#prefix}item/${key}`;
  }

  #locked<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(run, run);
    this.#lock = next.catch(() => undefined);
    return next;
  }

  async #index(): Promise<string[]> {
    const text = await this.#store.get(`${this.#prefix}index`);
    if (text === null) return [];
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : [];
  }

  async #writeIndex(keys: string[]): Promise<void> {
    await this.#store.put(`${this.#prefix}index`, JSON.stringify(keys));
  }

  async #read(key: string): Promise<OutboxItem | null> {
    const text = await this.#store.get(this.#itemKey(key));
    return text === null ? null : (JSON.parse(text) as OutboxItem);
  }

  async #write(item: OutboxItem): Promise<void> {
    await this.#store.put(this.#itemKey(item.key), JSON.stringify(item));
  }

  #waiter(key: string): Promise<RedemptionSettlement> {
    let w = this.#waiters.get(key);
    if (!w) {
      let resolve: (s: RedemptionSettlement) => void = () => undefined;
      const promise = new Promise<RedemptionSettlement>((r) => {
        resolve = r;
      });
      w = { promise, resolve };
      this.#waiters.set(key, w);
    }
    return w.promise;
  }

  /**
   * Queues a redemption. Resolves once the item, with its idempotency key,
   * is durable in the store — before any send; `settled` resolves with the
   * origin's answer later (after retries, reloads, restarts).
   */
  async enqueue(request: ValidationRequest, options: EnqueueOptions = {}): Promise<Enqueued> {
    const body: RedemptionBody = { ...request };
    const engine = this.#o.engine;
    const expected = options.expected ?? (engine ? engine.validate(request, options.now) : undefined);
    const onDifference = options.onDifference ?? this.#o.onDifference;
    if (onDifference === "REJECT" && expected === undefined) {
      // The origin would refuse it (400): with nothing to compare, REJECT protects nothing.
      throw new PromoError("INVALID_REQUEST", {
        path: "onDifference",
        message: '"REJECT" needs the result the shopper saw: pass `engine` or `expected`',
      });
    }
    if (expected !== undefined) body.expected = expected;
    const version = options.snapshotVersion ?? engine?.status(options.now)?.version;
    if (version !== undefined) body.snapshot_version = version;
    if (onDifference !== undefined) body.on_difference = onDifference;
    const key = this.#o.newKey ? this.#o.newKey() : globalThis.crypto.randomUUID();
    const now = this.#o.now ? this.#o.now() : new Date();
    const item: OutboxItem = { key, body, enqueued_at: now.toISOString(), attempts: 0 };
    await this.#locked(async () => {
      await this.#write(item);
      const keys = await this.#index();
      keys.push(key);
      await this.#writeIndex(keys);
    });
    const settled = this.#waiter(key);
    if (this.#o.autoFlush ?? true) void this.flush();
    return { key, settled };
  }

  /** The items not yet settled and delivered, in enqueue order. */
  async pending(): Promise<OutboxItem[]> {
    const keys = await this.#locked(() => this.#index());
    const items: OutboxItem[] = [];
    for (const key of keys) {
      const item = await this.#read(key);
      if (item) items.push(item);
    }
    return items;
  }

  /** Resolves with the settlement of `key` (an item resumed after a reload, say). */
  whenSettled(key: string): Promise<RedemptionSettlement> {
    return this.#waiter(key);
  }

  /**
   * Sends every pending item (in order; each up to `maxAttempts` times with
   * backoff). Items still failing stay queued for the next flush. Concurrent
   * calls share one run.
   */
  flush(): Promise<FlushReport> {
    if (this.#flushing) {
      this.#again = true;
      return this.#flushing;
    }
    this.#flushing = this.#flushLoop().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #flushLoop(): Promise<FlushReport> {
    let settled = 0;
    let pending = 0;
    // Bounded: a pass covers the items present when it starts; another pass
    // runs only for items enqueued meanwhile (each pass is finite).
    do {
      this.#again = false;
      pending = 0;
      const keys = await this.#locked(() => this.#index());
      for (const key of keys) {
        if (this.#closed) break;
        const done = await this.#process(key);
        if (done) settled += 1;
        else pending += 1;
      }
    } while (this.#again && !this.#closed);
    if (pending > 0) {
      this.#failedFlushes += 1;
      this.#scheduleRetry();
    } else {
      this.#failedFlushes = 0;
    }
    return { settled, pending };
  }

  #scheduleRetry(): void {
    if (this.#closed || !(this.#o.autoFlush ?? true)) return;
    this.#timers.clearTimeout(this.#retryTimer);
    const delay = backoffDelay(this.#failedFlushes - 1, this.#o.backoff ?? { baseMs: 500, maxMs: 60_000 }, this.#random);
    this.#retryTimer = this.#timers.setTimeout(() => {
      this.#retryTimer = undefined;
      void this.flush();
    }, delay);
  }

  /** Drives one item to settlement or gives up for this flush; true once settled and delivered. */
  async #process(key: string): Promise<boolean> {
    let item = await this.#read(key);
    if (item === null) {
      await this.#remove(key);
      return true;
    }
    const max = Math.max(1, Math.floor(this.#o.maxAttempts ?? 5));
    const backoff = this.#o.backoff ?? { baseMs: 500, maxMs: 60_000 };
    let wait = 0;
    for (let n = 0; item.settlement === undefined && n < max && !this.#closed; n += 1) {
      if (wait > 0) await this.#sleep(wait);
      item.attempts += 1;
      await this.#write(item);
      const attempt = await this.#send(item);
      if (attempt.done) {
        item.settlement = attempt.settlement;
        // Durable before anyone hears of it, so a crash now re-delivers the same answer.
        await this.#write(item);
      } else if (n + 1 < max) {
        // A server's Retry-After is honoured, within the backoff ceiling.
        const ceiling = Math.max(1, Math.floor(backoff.maxMs ?? 60_000));
        wait = Math.max(backoffDelay(n, backoff, this.#random), Math.min(attempt.retryAfterMs ?? 0, ceiling));
        this.emit("retry", { key, attempt: item.attempts, delayMs: wait, reason: attempt.reason });
      }
    }
    if (item.settlement === undefined) return false;
    this.#deliver(item.settlement);
    await this.#remove(key);
    return true;
  }

  #deliver(settlement: RedemptionSettlement): void {
    this.emit("settled", { settlement });
    this.#waiters.get(settlement.key)?.resolve(settlement);
    this.#waiters.delete(settlement.key);
  }

  async #remove(key: string): Promise<void> {
    await this.#locked(async () => {
      const keys = await this.#index();
      await this.#writeIndex(keys.filter((k) => k !== key));
      await this.#store.delete(this.#itemKey(key));
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timers.setTimeout(resolve, ms);
    });
  }

  async #send(item: OutboxItem): Promise<Attempt> {
    const fetchFn = this.#o.fetch ?? globalThis.fetch.bind(globalThis);
    const url = new URL("/v1/redemptions", this.#o.origin);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": item.key,
    };
    if (this.#o.channelKey !== undefined) headers.authorization = `Bearer ${this.#o.channelKey}`;
    const controller = new AbortController();
    const timeout = this.#timers.setTimeout(() => controller.abort(), this.#o.requestTimeoutMs ?? 15_000);
    let status: number;
    let text: string;
    let replayed: boolean;
    let retryAfter: number | undefined;
    try {
      const response = await fetchFn(url, { method: "POST", headers, body: JSON.stringify(item.body), signal: controller.signal });
      status = response.status;
      replayed = response.headers.get("idempotent-replayed") === "true";
      retryAfter = parseRetryAfter(response.headers.get("retry-after"));
      text = await response.text();
    } catch (e) {
      return { done: false, reason: `network: ${messageOf(e)}` };
    } finally {
      this.#timers.clearTimeout(timeout);
    }
    if (status >= 200 && status < 300) {
      let answer: RedemptionAnswer;
      try {
        answer = JSON.parse(text) as RedemptionAnswer;
      } catch {
        // A garbled success (a proxy in the way?): ask again; the key makes it safe.
        return { done: false, reason: `unreadable ${status} answer` };
      }
      return {
        done: true,
        settlement: { key: item.key, ok: true, redemption: answer, differences: answer.differences ?? [], replayed },
      };
    }
    const failed = status === 400 ? failedRedemption(text) : undefined;
    if (failed !== undefined) {
      return { done: true, settlement: { key: item.key, ok: true, redemption: failed, differences: failed.differences ?? [], replayed } };
    }
    if (status >= 500 || RETRYABLE.has(status)) {
      return retryAfter === undefined ? { done: false, reason: `HTTP ${status}` } : { done: false, reason: `HTTP ${status}`, retryAfterMs: retryAfter };
    }
    return { done: true, settlement: refusal(item.key, text, status) };
  }

  /** Stops retry timers; pending items stay in the store for the next outbox. */
  close(): void {
    this.#closed = true;
    this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
