// @ts-self-types="./types.d.ts"
/**
 * Types of the JSON the engine reads and writes. They mirror the Rust wire
 * types (snake_case keys, Voucherify's shapes) and are checked against real
 * snapshots, requests and engine responses by `test/types.test.mjs`.
 *
 * Answers are lean by default, as in Voucherify: the fields an
 * `options.expand` asks for are optional here (see {@link ValidationExpand}).
 *
 * Money is always an integer number of minor units (cents for USD, yen for
 * JPY, fils for KWD), never a float. The engine rejects larger than 10^15,
 * so every amount is exact as a JS number.
 */

/** An integer amount in minor units of the plan's currency. */
export type Money = number;
/** An RFC 3339 timestamp, e.g. `2026-06-01T12:00:00Z`. */
export type Timestamp = string;

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Free-form metadata, as in Voucherify. */
export type Metadata = { [key: string]: JsonValue };

// ---------------------------------------------------------------------------
// Snapshot (`schema: "promo-edge.snapshot/1"`)
// ---------------------------------------------------------------------------

/**
 * The campaign source model, as `promo-origin publish` assembles it from a
 * source directory before compiling it into a plan. The engine does not
 * read it (it loads plans and signed bundles); the type is here for tools
 * that write or inspect campaign definitions.
 */
export interface Snapshot {
  schema: "promo-edge.snapshot/1";
  project?: string;
  channel?: string;
  /** Strictly increasing publication number (keep it below 2^53). */
  version: number;
  issued_at: Timestamp;
  /** After this instant the snapshot is reported stale. */
  expires_at: Timestamp;
  currency: Currency;
  /** How computed discounts are rounded to minor units (default `HALF_UP`). */
  rounding?: RoundingMode;
  time_zone: TimeZoneSpec;
  /** Salt of the unique-code hashes. */
  code_salt?: string;
  stacking_rules?: Partial<StackingRules>;
  categories?: Category[];
  products?: Product[];
  skus?: Sku[];
  collections?: Collection[];
  validation_rules?: ValidationRule[];
  campaigns?: Campaign[];
}

export type RoundingMode = "HALF_UP" | "HALF_EVEN" | "DOWN";

export interface Currency {
  /** ISO 4217 code. */
  code: string;
  /** Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD. */
  exponent: number;
}

/** The project's zone as UTC-offset periods (no tz database needed). */
export interface TimeZoneSpec {
  /** IANA name, informational. */
  name: string;
  offsets: OffsetPeriod[];
}

export interface OffsetPeriod {
  /** First instant of the period; only the first period may omit it. */
  from?: Timestamp;
  /** Seconds east of UTC. */
  offset_seconds: number;
}

export interface Category {
  id: string;
  name?: string;
  /** Lower is applied first under `CATEGORY_HIERARCHY` (default 1). */
  hierarchy?: number;
}

export interface Product {
  id: string;
  source_id?: string;
  name?: string;
  /** Catalog unit price, used when an order line has none. */
  price?: Money;
  metadata?: Metadata;
}

export interface Sku {
  id: string;
  source_id?: string;
  product_id: string;
  sku?: string;
  price?: Money;
  metadata?: Metadata;
}

export interface Collection {
  id: string;
  name?: string;
  /** Member product and SKU ids. */
  products?: string[];
}

export interface ValidationRule {
  id: string;
  name?: string;
  /** `basic`, `advanced`, … (informational). */
  type?: string;
  error?: ErrorMessage;
  rules?: RuleSet;
  applicable_to?: ApplicableTo;
  bundle_rules?: BundleRules;
}

export interface ErrorMessage {
  message: string;
}

/**
 * Numbered conditions (`"1"`, `"2"`, …) and their `logic`, e.g.
 * `"(1 and 2) or 3"`; without `logic` all rules must hold.
 */
export interface RuleSet {
  logic?: string;
  [ruleNumber: `${number}`]: RuleCondition;
}

/** One condition, e.g. `{name: "order.amount", conditions: {$more_than: [5000]}}`. */
export interface RuleCondition {
  /** The rule name: `order.amount`, `customer.segment`, `product.metadata`, … */
  name: string;
  /** The metadata key of `*.metadata` rules. */
  property?: string;
  /** Operators (`$is`, `$in`, `$more_than`, `$count_more`, …) and their operands. */
  conditions?: { [operator: `$${string}`]: JsonValue[] };
  /** Sub-rules narrowing this rule's match. */
  rules?: RuleSet;
  error?: ErrorMessage;
}

export interface ApplicableTo {
  included?: Target[];
  /** Never touched; exclusions win. */
  excluded?: Target[];
  /** Every product except the excluded ones. */
  included_all?: boolean;
}

export type TargetObject = "product" | "sku" | "products_collection";
export type TargetEffect =
  | "APPLY_TO_EVERY"
  | "APPLY_TO_CHEAPEST"
  | "APPLY_FROM_CHEAPEST"
  | "APPLY_TO_MOST_EXPENSIVE"
  | "APPLY_FROM_MOST_EXPENSIVE";

export interface Target {
  object: TargetObject;
  id: string;
  source_id?: string;
  product_id?: string;
  effect?: TargetEffect;
  /** Count lines (`ITEM`, default) or units (`UNIT`). */
  target?: "ITEM" | "UNIT";
  skip_initially?: number;
  repeat?: number;
  quantity_limit?: number;
  aggregated_quantity_limit?: number;
  amount_limit?: Money;
  aggregated_amount_limit?: Money;
  /** New unit price for FIXED `APPLY_TO_ITEMS` discounts. */
  price?: Money;
  price_formula?: string;
}

export interface BundleRules {
  /** Most bundles identified (1–100, default 1). */
  limit?: number;
  multiply_discount?: boolean;
  rules?: { [componentNumber: string]: BundleRuleCondition };
}

export interface BundleRuleCondition {
  name: "order.items.any";
  conditions: { $is: BundleComponentRef[] } | { [operator: `$${string}`]: JsonValue[] };
  /** Units of the component per bundle (default 1). */
  quantity?: number;
}

export interface BundleComponentRef {
  id: string;
  object: TargetObject;
  type?: string;
  source_id?: string;
  product_id?: string;
}

export type CampaignType =
  | "DISCOUNT_COUPONS"
  | "PROMOTION"
  | "GIFT_VOUCHERS"
  | "LOYALTY_PROGRAM"
  | "REFERRAL_PROGRAM";

/** The time fields shared by campaigns, vouchers, tiers and earning rules. */
export interface Validity {
  start_date?: Timestamp;
  expiration_date?: Timestamp;
  validity_timeframe?: ValidityTimeframe;
  /** 0 = Sunday … 6 = Saturday. */
  validity_day_of_week?: number[];
  validity_hours?: ValidityHours;
}

export interface ValidityTimeframe {
  /** ISO 8601 duration between window starts, e.g. `P2D`. */
  interval: string;
  /** ISO 8601 length of each window, e.g. `PT1H`. */
  duration: string;
}

export interface ValidityHours {
  daily?: DailyWindow[];
}

export interface DailyWindow {
  /** `HH:mm`, inclusive, project-local. */
  start_time: string;
  /** `HH:mm`, exclusive. */
  expiration_time: string;
  days_of_week?: number[];
}

export interface Campaign extends Validity {
  id: string;
  name?: string;
  campaign_type: CampaignType;
  /** `AUTO_UPDATE`, `STATIC` or `STANDALONE` (informational). */
  type?: string;
  active?: boolean;
  category_id?: string;
  categories?: string[];
  metadata?: Metadata;
  validation_rule_ids?: string[];
  /** What the campaign's codes give. */
  voucher?: VoucherTemplate;
  vouchers?: Voucher[];
  /**
   * Bulk unique codes in the compact form: base64url SHA-256 hashes of
   * `code_salt + code`, each a voucher of the `voucher` template.
   */
  code_hashes?: string[];
  promotion_tiers?: PromotionTier[];
  promotion_stacks?: PromotionStack[];
  loyalty?: LoyaltyProgram;
  referral_program?: ReferralProgram;
  join_once?: boolean;
  auto_join?: boolean;
  /** An advertised offer: its generic codes count for strikethrough prices. */
  public?: boolean;
}

export type VoucherType = "DISCOUNT_VOUCHER" | "GIFT_VOUCHER" | "LOYALTY_CARD";

export interface VoucherTemplate {
  type?: VoucherType;
  discount?: Discount;
  gift?: GiftSource;
  loyalty_card?: LoyaltyCardSource;
  redemption?: RedemptionLimit;
}

/** A generic code in clear (`code`) or a unique code as its salted hash (`code_hash`). */
export interface Voucher extends Validity {
  id?: string;
  code?: string;
  /** `base64url(SHA-256(code_salt ‖ code))`. */
  code_hash?: string;
  type?: VoucherType;
  discount?: Discount;
  gift?: GiftSource;
  loyalty_card?: LoyaltyCardSource;
  active?: boolean;
  redemption?: RedemptionLimit;
  /** The customer (`source_id`) the code is published to. */
  holder_id?: string;
  redeemable_by_holder_only?: boolean;
  is_referral_code?: boolean;
  validation_rule_ids?: string[];
  metadata?: Metadata;
}

export interface RedemptionLimit {
  /** Most redemptions; absent = unlimited. */
  quantity?: number;
  redeemed_quantity?: number;
}

export interface GiftSource {
  amount?: Money;
  balance?: Money;
  effect?: "APPLY_TO_ORDER" | "APPLY_TO_ITEMS";
}

export interface LoyaltyCardSource {
  points?: number;
  balance?: number;
}

export type DiscountType = "AMOUNT" | "PERCENT" | "FIXED" | "UNIT";
export type DiscountEffect =
  | "APPLY_TO_ORDER"
  | "APPLY_TO_ITEMS"
  | "APPLY_TO_ITEMS_BY_QUANTITY"
  | "APPLY_TO_ITEMS_PROPORTIONALLY"
  | "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY"
  | "ADD_MISSING_ITEMS"
  | "ADD_NEW_ITEMS"
  | "ADD_MANY_ITEMS";

/** Voucherify's `Discount` object. */
export interface Discount {
  type: DiscountType;
  amount_off?: Money;
  amount_off_formula?: string;
  /** A plain percentage such as `10` or `12.5` (not money). */
  percent_off?: number;
  percent_off_formula?: string;
  amount_limit?: Money;
  aggregated_amount_limit?: Money;
  fixed_amount?: Money;
  fixed_amount_formula?: string;
  unit_off?: number;
  unit_off_formula?: string;
  /** The product or SKU id given. */
  unit_type?: string;
  units?: UnitGift[];
  effect?: DiscountEffect;
  is_dynamic?: boolean;
}

export interface UnitGift {
  unit_off: number;
  unit_off_formula?: string;
  unit_type: string;
  effect: "ADD_MISSING_ITEMS" | "ADD_NEW_ITEMS";
}

export interface PromotionTier extends Validity {
  id: string;
  name?: string;
  banner?: string;
  hierarchy?: number;
  active?: boolean;
  action: { discount: Discount };
  validation_rule_ids?: string[];
  category_id?: string;
  categories?: string[];
  metadata?: Metadata;
}

export interface PromotionStack {
  id: string;
  name?: string;
  tier_ids: string[];
  category_id?: string;
}

export interface LoyaltyProgram {
  earning_rules?: EarningRule[];
  tiers?: LoyaltyTier[];
  rewards?: Reward[];
}

export interface EarningRule extends Validity {
  id: string;
  /** Default `order.paid`. */
  event?: string;
  loyalty: EarningLoyalty;
  validation_rule_ids?: string[];
  active?: boolean;
}

/** `FIXED` points, or `PROPORTIONAL` points `every` so much of a basis. */
export interface EarningLoyalty {
  type: "FIXED" | "PROPORTIONAL";
  points?: number;
  points_formula?: string;
  /** e.g. `ORDER_AMOUNT`, `ORDER_ITEMS_QUANTITY`, `CUSTOMER_METADATA`. */
  calculation_type?: string;
  order?: { amount?: EveryPoints; total_amount?: EveryPoints; metadata?: EveryPoints };
  order_items?: { amount?: EveryPoints; subtotal_amount?: EveryPoints; quantity?: EveryPoints };
  customer?: { metadata?: EveryPoints };
}

export interface EveryPoints {
  every: number;
  points: number;
  object?: string;
  id?: string;
  property?: string;
}

export interface LoyaltyTier {
  id: string;
  name?: string;
  points?: { from?: number; to?: number };
  /** Per earning rule id. */
  earning_rules?: {
    [earningRuleId: string]: { type: "MULTIPLY"; multiplier: number } | { type: "CUSTOM"; points: number };
  };
}

export interface Reward {
  id: string;
  name?: string;
  type: "COIN" | "CAMPAIGN" | "MATERIAL";
  /** COIN: `points_ratio` points buy `exchange_ratio` major currency units. */
  coin?: { exchange_ratio: number; points_ratio: number };
  points?: number;
}

export interface ReferralProgram {
  conversion_event_type?: "redemption" | "custom_event";
  referee_reward?: JsonValue;
}

// ---------------------------------------------------------------------------
// Stacking rules (Voucherify's `stacking_rules`; every field has its default)
// ---------------------------------------------------------------------------

export interface StackingRules {
  redeemables_limit: number;
  applicable_redeemables_limit: number;
  applicable_redeemables_per_category_limit: number;
  applicable_redeemables_category_limits: { [categoryId: string]: number };
  applicable_exclusive_redeemables_limit: number;
  applicable_exclusive_redeemables_per_category_limit: number;
  exclusive_categories: string[];
  joint_categories: string[];
  redeemables_application_mode: "ALL" | "PARTIAL";
  redeemables_sorting_rule: "REQUESTED_ORDER" | "CATEGORY_HIERARCHY";
  grouped_redeemables_sorting_rule: "JOINT_ALWAYS_LAST" | "MIXED";
  discount_calculation_mode: "DISCOUNTED_AMOUNT" | "INITIAL_AMOUNT";
  initial_amount_mode_categories: string[];
  discounted_amount_mode_categories: string[];
  redeemables_products_application_mode: "STACK" | "ONCE";
  redeemables_no_effect_rule: "REDEEM_ANYWAY" | "SKIP";
  no_effect_skip_categories: string[];
  no_effect_redeem_anyway_categories: string[];
  redeemables_rollback_order_mode: "WITH_ORDER" | "WITHOUT_ORDER";
}

// ---------------------------------------------------------------------------
// Validation request (`POST /v1/validations` body)
// ---------------------------------------------------------------------------

export interface ValidationRequest {
  /** Codes, tiers and stacks to apply, in the requested order (at most 30). */
  redeemables?: RedeemableRef[];
  order?: OrderInput;
  customer?: CustomerInput;
  /** Redemption metadata (for `redemption.metadata` rules). */
  metadata?: Metadata;
  /** Live counters the host knows; absent ones are taken as 0. */
  counters?: Counters;
  /** Voucherify API fields accepted so the same body can be sent, and ignored. */
  tracking_id?: string;
  session?: { type?: "LOCK"; key?: string; ttl?: number; ttl_unit?: string };
  options?: ValidationOptions;
}

/**
 * Voucherify's `options.expand` for validation and qualification: answers
 * are lean by default, and each expansion adds fields back.
 * - `order`: the order's `items`, and (validate) each applicable
 *   redeemable's own `order` after it.
 * - `redeemable`: (validate) each redeemable's `campaign_id`,
 *   `campaign_name`, `name`, `banner` and `metadata`; qualify always has them.
 * - `category`: each category's `name` and `object`.
 * - `redemption`, `validation_rules`: accepted for compatibility with
 *   Voucherify's values; they add nothing. Any other value is `INVALID_REQUEST`.
 */
export type ValidationExpand = "order" | "redeemable" | "category" | "redemption" | "validation_rules";

export interface ValidationOptions {
  expand?: ValidationExpand[];
}

export interface RedeemableRef {
  object: "voucher" | "promotion_tier" | "promotion_stack";
  /** A code or `v_…` id, a `promo_…` tier id, a `stack_…` id. */
  id: string;
  /** Gift card: credits to use. */
  /** `{}` (no credits named) uses what the order needs, up to the balance. */
  gift?: { credits?: Money };
  /** Loyalty card: the reward and points to spend. */
  /** `assignment_id` may name the reward instead of `id`. */
  reward?: { id?: string; assignment_id?: string; points?: number };
}

export interface OrderInput {
  id?: string;
  source_id?: string;
  /** Order amount when there are no items. */
  amount?: Money;
  /** At most 500 lines. */
  items?: OrderItemInput[];
  metadata?: Metadata;
}

export interface OrderItemInput {
  product_id?: string;
  sku_id?: string;
  source_id?: string;
  related_object?: "product" | "sku";
  /** Units (default 1). */
  quantity?: number;
  /** Unit price; the catalog's when absent. */
  price?: Money;
  /** Line amount; must equal price × quantity when both are given. */
  amount?: Money;
  product?: ItemReference;
  sku?: ItemReference;
  metadata?: Metadata;
}

export interface ItemReference {
  id?: string;
  source_id?: string;
  name?: string;
  price?: Money;
  metadata?: Metadata;
}

export interface CustomerInput {
  id?: string;
  /** The merchant's customer id; holder checks use it. */
  source_id?: string;
  metadata?: Metadata;
  segments?: string[];
  loyalty_tier?: string;
}

/** Keys are redeemable ids as requested (code or tier id) and campaign ids. */
export interface Counters {
  redeemables?: { [redeemableId: string]: { [counter: string]: number } };
  campaigns?: { [campaignId: string]: { [counter: string]: number } };
}

// ---------------------------------------------------------------------------
// Validation response
// ---------------------------------------------------------------------------

export interface ValidationResponse {
  /** No redeemable is INAPPLICABLE and at least one applies. */
  valid: boolean;
  redeemables: RedeemableResult[];
  inapplicable_redeemables: RedeemableResult[];
  skipped_redeemables: RedeemableResult[];
  /** The order after every applied redeemable. */
  order: OrderCalculation;
  stacking_rules: StackingRules;
  snapshot_version: number;
  /** Points this order would earn, per loyalty campaign. */
  earned_points?: EarnedPoints[];
}

export type RedeemableStatus = "APPLICABLE" | "INAPPLICABLE" | "SKIPPED";

export interface RedeemableResult {
  status: RedeemableStatus;
  /** The id as requested. */
  id: string;
  object: "voucher" | "promotion_tier" | "promotion_stack";
  /** The order after this redeemable (APPLICABLE only; with `expand: ["order"]`). */
  order?: OrderCalculation;
  applicable_to?: TargetList;
  inapplicable_to?: TargetList;
  result: Outcome;
  categories?: CategoryRef[];
  // These five come with `expand: ["redeemable"]` (lean validate answers leave them out).
  metadata?: Metadata;
  campaign_id?: string;
  campaign_name?: string;
  name?: string;
  banner?: string;
  /** What would make it apply. */
  nudges?: Nudge[];
  /** Counters its rules needed that the request did not supply (taken as 0). */
  counters_assumed?: string[];
}

/** A category, whole (Voucherify's `Category`). */
export interface CategoryRef {
  id: string;
  hierarchy: number;
  stacking_rules_type?: "EXCLUSIVE" | "JOINT";
  /** Display name. */
  name: string;
  object: "category";
  /** When the snapshot that holds it was issued (categories keep no time of their own). */
  created_at: string;
}

export interface TargetList {
  object: "list";
  data_ref: "data";
  data: TargetRef[];
  total: number;
}

export interface TargetRef {
  object: TargetObject;
  id: string;
  /** Whether a collection must match as a whole (always `false`). */
  strict: boolean;
  /** The application rule (`APPLY_TO_EVERY` for whole-cart lines and excluded targets). */
  effect: TargetEffect;
  /** Request line indices it covered. */
  order_item_indices: number[];
}

export interface Outcome {
  /** The discount as applied. */
  discount?: AppliedDiscount;
  bundle?: BundleOutcome;
  gift?: { credits: Money; balance: Money };
  loyalty_card?: { points: number; balance: number };
  /** Why it is inapplicable. */
  error?: RedeemableError;
  /** Why it was skipped. */
  details?: { key: string; message: string };
}

/**
 * `result.discount`: the definition in force, with its effect resolved.
 * `is_dynamic: true` marks a discount computed by a formula (its plain
 * values are then the fallbacks).
 */
export type AppliedDiscount = (
  | { type: "AMOUNT"; amount_off: Money; effect: DiscountEffect; aggregated_amount_limit?: Money }
  | {
      type: "PERCENT";
      percent_off: number;
      effect: "APPLY_TO_ORDER" | "APPLY_TO_ITEMS";
      amount_limit?: Money;
      aggregated_amount_limit?: Money;
    }
  | { type: "FIXED"; fixed_amount: Money; effect: "APPLY_TO_ORDER" | "APPLY_TO_ITEMS" }
  | { type: "UNIT"; unit_off: number; unit_type: string; effect: "ADD_MISSING_ITEMS" | "ADD_NEW_ITEMS" }
  | {
      type: "UNIT";
      effect: "ADD_MANY_ITEMS";
      units: { unit_off: number; unit_type: string; effect: "ADD_MISSING_ITEMS" | "ADD_NEW_ITEMS" }[];
    }
) & { is_dynamic?: true };

export interface BundleOutcome {
  /** Complete bundles found (at most `limit`). */
  quantity: number;
  limit: number;
  identified: BundleItem[];
  /** What the first (or next) bundle still needs. */
  missing: BundleItem[];
}

export interface BundleItem {
  object?: TargetObject;
  id: string;
  quantity: number;
}

export interface RedeemableError {
  /** 404 not found, 400 otherwise. */
  code: number;
  /** `voucher_expired`, `order_rules_violated`, … */
  key: string;
  message: string;
  details?: string;
  resource_id: string;
  resource_type: "voucher" | "promotion_tier" | "promotion_stack";
  /** The configured message of the failing rule. */
  error?: { message: string };
  rule?: { validation_rule_id: string; path: string; name: string };
}

/** A machine-readable hint at what would make a redeemable apply. */
export type Nudge =
  | { type: "ADD_AMOUNT"; amount: Money; rule: string }
  | { type: "ADD_ITEMS"; items: { object?: TargetObject; id: string; quantity: number }[] }
  | { type: "ADD_LINES"; count: number }
  | { type: "WAIT_UNTIL"; at: Timestamp };

/** The calculated order (Voucherify's `OrderCalculated`). */
/** The calculated order, with the fields of Voucherify's order objects. */
export interface OrderCalculation {
  object: "order";
  /** The request's order id; `""` when the request names none (a preview is no stored order). */
  id: string;
  source_id?: string;
  /** The evaluation time (the request's `now`). */
  created_at: string;
  /** The customer's `source_id`, else `id`, else `null`. */
  customer_id: string | null;
  /** Always `null` (the request names no referrer). */
  referrer_id: string | null;
  amount: Money;
  initial_amount: Money;
  discount_amount: Money;
  items_discount_amount: Money;
  total_discount_amount: Money;
  total_amount: Money;
  applied_discount_amount: Money;
  items_applied_discount_amount: Money;
  total_applied_discount_amount: Money;
  /** The lines (with `expand: ["order"]`). */
  items?: OrderItemCalculation[];
  /** Order metadata (`{}` when none). */
  metadata: Metadata;
}

export interface OrderItemCalculation {
  object: "order_item";
  related_object?: "product" | "sku";
  product_id?: string;
  sku_id?: string;
  source_id?: string;
  price: Money;
  quantity: number;
  initial_quantity: number;
  discount_quantity: number;
  applied_discount_quantity: number;
  amount: Money;
  initial_amount: Money;
  discount_amount: Money;
  applied_discount_amount: Money;
  subtotal_amount: Money;
  applied_quantity: number;
  applied_quantity_amount: Money;
  metadata?: Metadata;
}

export interface EarnedPoints {
  campaign_id: string;
  campaign_name: string;
  points: number;
  rules: { earning_rule_id: string; points: number }[];
}

// ---------------------------------------------------------------------------
// Qualification (`POST /v1/qualifications` shape)
// ---------------------------------------------------------------------------

export type QualificationScenario =
  | "ALL"
  | "CUSTOMER_WALLET"
  | "AUDIENCE_ONLY"
  | "PRODUCTS"
  | "PRODUCTS_DISCOUNT"
  | "PRODUCTS_BY_CUSTOMER"
  | "PRODUCTS_DISCOUNT_BY_CUSTOMER"
  /** Refused (`INVALID_REQUEST`): qualification answers redeemables one by one. */
  | "PROMOTION_STACKS";

export interface QualificationRequest {
  customer?: CustomerInput;
  order?: OrderInput;
  metadata?: Metadata;
  /** Default `ALL`. */
  scenario?: QualificationScenario;
  options?: QualificationOptions;
  /** Codes the customer holds (unique codes are never in a plan in clear). */
  wallet?: string[];
  counters?: Counters;
}

export interface QualificationOptions {
  /** Page size (default 5, at most 50). */
  limit?: number;
  /** The page after this entry id (an earlier answer's `more_starting_after`). */
  starting_after?: string;
  /** Voucherify-style: `{field: {conditions: {$in: [...]}}, junction}`. */
  filters?: { [field: string]: JsonValue };
  sorting_rule?: "DEFAULT" | "BEST_DEAL" | "LEAST_DEAL";
  /** What to add to the lean answer (see {@link ValidationExpand}). */
  expand?: ValidationExpand[];
}

export interface QualificationResponse {
  redeemables: {
    object: "list";
    data_ref: "data";
    data: QualifiedRedeemable[];
    total: number;
    has_more: boolean;
    /** With `has_more`: the `options.starting_after` of the next page. */
    more_starting_after?: string;
  };
  /** The cart without any redeemable. */
  order: OrderCalculation;
  stacking_rules: StackingRules;
  snapshot_version: number;
}

export interface QualifiedRedeemable {
  /** The code (generic), voucher id (unique) or tier id. */
  id: string;
  object: "voucher" | "promotion_tier" | "promotion_stack";
  /** Whether it applies to this cart as it is. */
  applicable: boolean;
  result: Outcome;
  /** The cart calculated with this redeemable alone (its `items` with `expand: ["order"]`). */
  order: OrderCalculation;
  /** When the snapshot that holds it was issued. */
  created_at: string;
  /** Targets it discounts (empty when none is named). */
  applicable_to: TargetList;
  /** Targets it excludes (empty when none). */
  inapplicable_to: TargetList;
  campaign_id?: string;
  campaign_name?: string;
  campaign_type: CampaignType;
  name?: string;
  banner?: string;
  categories: CategoryRef[];
  /** `{}` when it has none. */
  metadata: Metadata;
  nudges?: Nudge[];
  counters_assumed?: string[];
}

// ---------------------------------------------------------------------------
// Strikethrough pricing
// ---------------------------------------------------------------------------

export interface PricingRequest {
  /** What to price (at most 10,000 entries). */
  products: PricingItem[];
  /** Who is looking (for customer rules); anonymous when absent. */
  customer?: CustomerInput;
  /** `expand: ["redeemable"]` adds each source's `name` and `campaign_id`. */
  options?: { expand?: ValidationExpand[] };
}

export interface PricingItem {
  /** The caller's key for this entry (echoed). */
  key?: string;
  product_id?: string;
  sku_id?: string;
  source_id?: string;
  /** Unit price; the catalog's when absent. */
  price?: Money;
  quantity?: number;
  metadata?: Metadata;
}

export interface PricingResponse {
  products: ProductPrice[];
  snapshot_version: number;
}

export interface ProductPrice {
  key: string;
  price: Money;
  quantity: number;
  amount: Money;
  discounted_amount: Money;
  /** The strikethrough price. */
  discounted_price: Money;
  discount_amount: Money;
  /** The promotions that gave it, in application order. */
  applied: PriceSource[];
  /** When the price stops holding. */
  valid_until?: Timestamp;
}

export interface PriceSource {
  /** Tier id or code. */
  id: string;
  object: "voucher" | "promotion_tier" | "promotion_stack";
  /** Tier name (with `expand: ["redeemable"]`). */
  name?: string;
  banner?: string;
  /** Campaign id (with `expand: ["redeemable"]`). */
  campaign_id?: string;
  discount_amount: Money;
}

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

/** What loading a plan or bundle reported. */
export interface LoadReport {
  version: number;
  campaigns: number;
  /** Codes and tiers indexed. */
  redeemables: number;
  /** Redeemables disabled by a publish-time problem (they fail closed). */
  disabled: number;
  warnings: LoadWarning[];
  /** The key that signed the bundle (absent for a bare plan). */
  kid?: string;
  /** Whether the bundle was already past `expires_at` when loaded (accepted within the grace period). */
  stale: boolean;
}

export interface LoadWarning {
  /** Stable code, e.g. `RULE_UNKNOWN_NAME`, `DISCOUNT_INVALID`. */
  code: string;
  /** Where in the campaign source. */
  path: string;
  message: string;
}

/** A JSON Web Key Set of trusted Ed25519 public keys (RFC 8037). */
export interface Jwks {
  keys: Jwk[];
}

export interface Jwk {
  kty: "OKP" | (string & {});
  crv?: "Ed25519" | (string & {});
  /** The public key, base64url. */
  x?: string;
  kid?: string;
  /** A key marked `enc` is not trusted for signatures. */
  use?: "sig" | "enc";
  alg?: string;
}

/** An automatic promotion (a tier) of the held plan, from `promotionTiers()`. */
export interface PromotionTierInfo {
  /** What a request names with `object: "promotion_tier"`. */
  id: string;
  name?: string;
  /** Banner for a badge. */
  banner?: string;
  campaign_id: string;
  campaign_name: string;
  /** Stacking categories. */
  categories: string[];
}

export interface EngineStatus {
  version: number;
  project: string;
  channel: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  /** Whether `now` is past `expires_at`. */
  stale: boolean;
  /** The plan's currency: every amount is in its minor units. */
  currency: Currency;
  /** The project's IANA time zone (windows and nudge times are in it). */
  time_zone: string;
}
