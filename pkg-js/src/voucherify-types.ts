// @ts-self-types="./voucherify-types.d.ts"
/**
 * The request and response types of the official `@voucherify/sdk` 2.9.0
 * that `promo-edge/voucherify` answers, declared here so that the package
 * depends on nothing: the same names, the same fields, structurally
 * identical (a test assigns them both ways against the SDK's own
 * declarations). Transcribed from the SDK's `dist/types/*.d.ts`
 * (MIT License, Copyright (c) Voucherify), only the types these methods
 * reach.
 *
 * Money is an integer number of minor units, as everywhere in promo-edge.
 */

// ---------------------------------------------------------------------------
// DiscountVoucher.d.ts
// ---------------------------------------------------------------------------

export type DiscountVouchersTypes = "AMOUNT" | "PERCENT" | "UNIT" | "FIXED";
/**
 * The SDK's enum, declared the same way: TypeScript treats two enums of the
 * same name and members as compatible, so values typed with this one fit
 * the SDK's `DiscountVouchersTypesEnum` and back.
 */
export enum DiscountVouchersTypesEnum {
  AMOUNT = "AMOUNT",
  PERCENT = "PERCENT",
  UNIT = "UNIT",
  FIXED = "FIXED",
}
export type DiscountVouchersEffectTypes =
  | "ADD_MISSING_ITEMS"
  | "ADD_NEW_ITEMS"
  | "ADD_MANY_ITEMS"
  | "APPLY_TO_ORDER"
  | "APPLY_TO_ITEMS"
  | "APPLY_TO_ITEMS_PROPORTIONALLY"
  | "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY"
  | "APPLY_TO_ITEMS_BY_QUANTITY";
export type DiscountUnitVouchersEffectTypes = "ADD_MISSING_ITEMS" | "ADD_NEW_ITEMS" | "ADD_MANY_ITEMS";
export type DiscountAmountVouchersEffectTypes =
  | "APPLY_TO_ORDER"
  | "APPLY_TO_ITEMS"
  | "APPLY_TO_ITEMS_PROPORTIONALLY"
  | "APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY"
  | "APPLY_TO_ITEMS_BY_QUANTITY";
export type DiscountPercentVouchersEffectTypes = "APPLY_TO_ORDER" | "APPLY_TO_ITEMS";
export type DiscountFixedVouchersEffectTypes = "APPLY_TO_ORDER" | "APPLY_TO_ITEMS";
interface SimpleSkuDiscountUnit {
  id: string;
  source_id?: string;
  sku: string;
}
interface SimpleProductDiscountUnit {
  id: string;
  source_id?: string;
  name: string;
}
export interface DiscountUnit {
  type?: DiscountVouchersTypesEnum.UNIT;
  unit_off?: number;
  unit_off_formula?: string;
  effect?: DiscountUnitVouchersEffectTypes;
  unit_type?: string;
  product?: SimpleProductDiscountUnit;
  sku?: SimpleSkuDiscountUnit;
}
export interface DiscountAmount {
  type?: DiscountVouchersTypesEnum.AMOUNT;
  amount_off?: number;
  amount_off_formula?: string;
  effect?: DiscountAmountVouchersEffectTypes;
}
export interface DiscountPercent {
  type?: DiscountVouchersTypesEnum.PERCENT;
  percent_off?: number;
  percent_off_formula?: string;
  amount_limit?: number;
  effect?: DiscountPercentVouchersEffectTypes;
}
export interface DiscountFixed {
  type?: DiscountVouchersTypesEnum.FIXED;
  fixed_amount?: number;
  fixed_amount_formula?: string;
  effect?: DiscountFixedVouchersEffectTypes;
}
export type Discount = DiscountAmount_ | DiscountUnit_ | DiscountUnitMultiple_ | DiscountPercent_ | DiscountFixed_;
export type DiscountAmount_ = {
  type: "AMOUNT";
  amount_off?: number;
  amount_off_formula?: string;
  aggregated_amount_limit?: number;
  effect?: DiscountAmountVouchersEffectTypes;
  is_dynamic?: boolean;
};
export type DiscountUnit_ = { type: "UNIT" } & DiscountUnitBase_;
export type DiscountUnitBase_ = {
  unit_off?: number;
  unit_off_formula?: string;
  unit_type: string;
  product?: SimpleProductDiscountUnit;
  sku?: SimpleSkuDiscountUnit;
  effect?: "ADD_MISSING_ITEMS" | "ADD_NEW_ITEMS";
  is_dynamic?: boolean;
};
export type DiscountUnitMultiple_ = {
  type: "UNIT";
  effect: "ADD_MANY_ITEMS";
  units: DiscountUnitBase_[];
};
export type DiscountPercent_ = {
  type: "PERCENT";
  percent_off?: number;
  percent_off_formula?: string;
  amount_limit?: number;
  aggregated_amount_limit?: number;
  effect?: DiscountPercentVouchersEffectTypes;
  is_dynamic?: boolean;
};
export type DiscountFixed_ = {
  type: "FIXED";
  fixed_amount?: number;
  fixed_amount_formula?: string;
  effect?: DiscountFixedVouchersEffectTypes;
  is_dynamic?: boolean;
};
/** The legacy (single-code) answers' `discount`. */
export type LegacyDiscount = DiscountAmount | DiscountUnit | DiscountPercent | DiscountFixed;

// ---------------------------------------------------------------------------
// ApplicableTo.d.ts, ValidationError.d.ts, Categories.d.ts, Exports.d.ts
// ---------------------------------------------------------------------------

export type ApplicableToEffect = "APPLY_TO_EVERY" | "APPLY_TO_CHEAPEST" | "APPLY_TO_MOST_EXPENSIVE";
export interface ApplicableTo {
  object: "product" | "sku" | "products_collection";
  id: string;
  source_id?: string;
  product_id?: string;
  product_source_id?: string;
  strict: boolean;
  price?: number;
  price_formula?: number;
  effect: ApplicableToEffect;
  quantity_limit?: number;
  aggregated_quantity_limit?: number;
  amount_limit?: number;
  aggregated_amount_limit?: number;
  order_item_indices?: number[];
}
export interface ApplicableToResultList {
  object: "list";
  total: number;
  data: ApplicableTo[];
  data_ref: "data";
}
export type InapplicableToResultList = {
  data: InapplicableTo[];
  total: number;
  object: "list";
  data_ref: string;
};
export type InapplicableTo = ApplicableTo;

export interface ValidationError {
  code?: number;
  key?: string;
  message: string;
  details?: string;
  request_id?: string;
}

export type Category = {
  id: string;
  name: string;
  hierarchy: number;
  created_at: string;
  updated_at?: string;
  object: "category";
  stacking_rules_type?: "JOINT" | "EXCLUSIVE";
};

export type Junction = "and" | "AND" | "or" | "OR";

// ---------------------------------------------------------------------------
// Customers.d.ts
// ---------------------------------------------------------------------------

export interface SimpleCustomer {
  id: string;
  name?: string;
  email?: string;
  source_id?: string;
  metadata?: Record<string, any>;
  object: "customer";
}
export interface CustomerRequest {
  id?: string;
  source_id?: string;
  name?: string;
  description?: string;
  email?: string;
  phone?: string;
  birthday?: string;
  birthdate?: string;
  address?: {
    city?: string;
    state?: string;
    line_1?: string;
    line_2?: string;
    country?: string;
    postal_code?: string;
  };
  metadata?: Record<string, any>;
}
export type CustomersCreateBody = CustomerRequest;
export type Referrer = CustomerRequest;
export type Customer = CustomerRequest;
export type CustomerId = {
  id: string;
  object: "customer";
};
export type ReferrerId = CustomerId;
export type CustomerWithSummaryLoyaltyReferrals = {
  id?: string;
  source_id?: string;
  name?: string;
  description?: string;
  email?: string;
  phone?: string;
  birthday?: string;
  birthdate?: string;
  address: {
    city?: string;
    state?: string;
    line_1?: string;
    line_2?: string;
    country?: string;
    postal_code?: string;
  } | null;
  metadata?: Record<string, any>;
  summary: CustomerSummary;
  loyalty: CustomerLoyalty;
  referrals: CustomerReferrals;
  system_metadata: Record<string, unknown>;
  created_at: string;
  updated_at?: string;
  assets?: {
    cockpit_url?: string;
  };
  object: "customer";
};
export type ReferrerWithSummaryLoyaltyReferrals = CustomerWithSummaryLoyaltyReferrals;
export type CustomerSummary = {
  redemptions: CustomerSummaryRedemptions;
  orders: CustomerSummaryOrders;
};
export type CustomerSummaryRedemptions = {
  total_redeemed: number;
  total_failed: number;
  total_succeeded: number;
  total_rolled_back: number;
  total_rollback_failed: number;
  total_rollback_succeeded: number;
  gift: {
    redeemed_amount: number;
    amount_to_go: number;
  };
  loyalty_card: {
    redeemed_points: number;
    points_to_go: number;
  };
};
export type CustomerSummaryOrders = {
  total_amount: number;
  total_count: number;
  average_amount: number;
  last_order_amount: number;
  last_order_date: string;
};
export type CustomerLoyalty = {
  points: number;
  referred_customers: number;
  campaigns: Record<string, {
    points: number;
    loyalty_tier: string;
    referred_customers: number;
  }>;
};
export type CustomerReferrals = {
  total: number;
  campaigns: {
    campaign_id: string;
    referrer_id: string;
    related_object_id: string;
    related_object_type: string;
    date: string;
  }[];
};

// ---------------------------------------------------------------------------
// Orders.d.ts
// ---------------------------------------------------------------------------

export interface OrdersItem {
  sku_id?: string;
  product_id?: string;
  related_object?: "product" | "sku";
  source_id?: string;
  discount_quantity?: number;
  initial_quantity?: number;
  quantity?: number;
  price?: number;
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  applied_discount_amount?: number;
  subtotal_amount?: number;
  product?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    name?: string;
    metadata?: Record<string, any>;
    price?: number;
  };
  sku?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    sku?: string;
    price?: number;
  };
  object?: "order_item";
  metadata?: Record<string, any>;
}
export interface OrdersCreate {
  source_id?: string;
  status?: "CREATED" | "PAID" | "CANCELED" | "FULFILLED";
  customer?: CustomerRequest;
  amount?: number;
  discount_amount?: number;
  items?: OrdersItem[];
  metadata?: Record<string, any>;
}
export interface OrdersCreateResponse {
  id: string;
  source_id?: string;
  created_at: string;
  updated_at?: string;
  status?: "CREATED" | "PAID" | "PROCESSING" | "CANCELED" | "FULFILLED";
  amount?: number;
  initial_amount?: number;
  discount_amount?: number;
  items_discount_amount?: number;
  total_discount_amount?: number;
  applied_discount_amount?: number;
  items_applied_discount_amount?: number;
  total_amount?: number;
  total_applied_discount_amount?: number;
  items?: OrdersItem[];
  metadata?: Record<string, any>;
  customer?: CustomerRequest;
  object: "order";
}
export type Order = {
  id?: string;
  source_id?: string;
  status?: "CREATED" | "PAID" | "CANCELED" | "FULFILLED";
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  items?: OrderItem[];
  customer?: Customer;
  customer_id?: string;
  referrer?: Referrer;
  referrer_id?: string;
  metadata?: Record<string, any>;
};
export type OrderItem = {
  sku_id?: string;
  product_id?: string;
  related_object?: "product" | "sku";
  source_id?: string;
  quantity?: number;
  discount_quantity?: number;
  initial_quantity?: number;
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  price?: number;
  product?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    name?: string;
    metadata?: Record<string, any>;
    price?: number;
  };
  sku?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    sku?: string;
    price?: number;
  };
  metadata?: Record<string, any>;
};
export type OrderCalculated = {
  id?: string;
  source_id?: string | null;
  created_at?: string;
  updated_at?: string | null;
  status?: "CREATED" | "PAID" | "CANCELED" | "FULFILLED";
  amount?: number;
  initial_amount?: number;
  discount_amount?: number;
  items_discount_amount?: number;
  total_discount_amount?: number;
  total_amount?: number;
  applied_discount_amount?: number;
  items_applied_discount_amount?: number;
  total_applied_discount_amount?: number;
  items?: OrderItemCalculated[];
  metadata: Record<string, unknown>;
  customer?: CustomerId | CustomerWithSummaryLoyaltyReferrals;
  customer_id: string | null;
  referrer?: ReferrerId | ReferrerWithSummaryLoyaltyReferrals;
  referrer_id: string | null;
  object: "order";
  redemptions?: Record<string, OrderRedemptions>;
};
export type OrderRedemptions = {
  date?: string;
  rollback_id?: string;
  rollback_date?: string;
  related_object_type?: string;
  related_object_id?: string;
  related_object_parent_id?: string;
  stacked?: string[];
  rollback_stacked?: string[];
};
export type OrderItemCalculated = {
  sku_id?: string;
  product_id?: string;
  related_object?: "product" | "sku";
  source_id?: string;
  quantity?: number;
  discount_quantity?: number;
  initial_quantity?: number;
  amount?: number;
  discount_amount?: number;
  initial_amount?: number;
  total_applied_discount_amount?: number;
  price?: number;
  subtotal_amount?: number;
  product?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    name?: string;
    metadata?: Record<string, any>;
    price?: number;
  };
  sku?: {
    id?: string;
    source_id?: string;
    override?: boolean;
    sku?: string;
    price?: number;
  };
  object: "order_item";
  metadata?: Record<string, any>;
};

// ---------------------------------------------------------------------------
// ValidateSession.d.ts, Gift.d.ts, Rewards.d.ts, Products.d.ts, Loyalties.d.ts
// ---------------------------------------------------------------------------

export type ValidationSessionType = "LOCK";
export type ValidationSessionTTLUnit =
  | "DAYS"
  | "HOURS"
  | "MICROSECONDS"
  | "MILLISECONDS"
  | "MINUTES"
  | "NANOSECONDS"
  | "SECONDS";
export interface ValidationSessionParams {
  key?: string;
  type?: ValidationSessionType;
  ttl?: number;
  ttl_unit?: ValidationSessionTTLUnit;
}
export interface ValidationSessionResponse {
  key: string;
  type: ValidationSessionType;
  ttl: number;
  ttl_unit: ValidationSessionTTLUnit;
}

export interface GiftRedemptionParams {
  credits?: number;
}

export interface RewardRedemptionParams {
  points?: number;
  assignment_id?: string;
  id?: string;
}
export interface RewardsResponse {
  id: string;
  name?: string;
  stock?: number;
  redeemed?: number;
  attributes?: {
    image_url?: string;
    description?: string;
  };
  created_at: string;
  updated_at?: string;
  object: "reward";
}
interface RewardsTypeMaterial {
  type?: "MATERIAL";
  parameters: {
    product?: {
      id?: string;
      sku?: string;
    };
  };
}
interface RewardsTypeCampaignResponse {
  type?: "CAMPAIGN";
  parameters: {
    campaign?: {
      id: string;
      balance?: number;
      type?: "DISCOUNT_COUPONS" | "PROMOTION" | "GIFT_VOUCHERS" | "REFERRAL_PROGRAM";
    };
  };
}
interface RewardsTypeCoin {
  type?: "COIN";
  parameters: {
    coin?: {
      exchange_ratio?: number;
    };
  };
}
export type RewardsTypeResponse = Required<RewardsTypeCampaignResponse> | Required<RewardsTypeCoin> | Required<RewardsTypeMaterial>;
export type RewardsCreateResponse = RewardsResponse & RewardsTypeResponse;

export interface SimpleProduct {
  id: string;
  source_id?: string;
  name?: string;
}
export interface SimpleSku {
  id: string;
  source_id?: string;
  sku?: string;
}

export interface LoyaltyPointsTransfer {
  code: string;
  points: number;
}
export interface LoyaltiesTransferPoints {
  code: string;
  points: number;
  reason?: string;
  source_id: string;
}

// ---------------------------------------------------------------------------
// ValidationRules.d.ts, PromotionTiers.d.ts, Vouchers.d.ts
// ---------------------------------------------------------------------------

export interface ValidationRulesCreateResponse {
  id: string;
  name: string;
  error?: {
    message?: string;
  };
  rules?: {
    logic?: string;
    [rule: string]: any;
  };
  created_at: string;
  updated_at?: string;
  object: "validation_rules";
}
export type ValidationRulesGetResponse = ValidationRulesCreateResponse & {
  assignments_count?: string;
};
export interface ValidationRulesListResponse {
  object: "list";
  total: number;
  data_ref: "data";
  data: ValidationRulesGetResponse[];
}
export type ValidationRulesAssignmentsList = ValidationRulesListResponse;
export interface ValidationRulesCreateAssignmentResponse {
  id: string;
  rule_id: string;
  related_object_id?: string;
  related_object_type?: string;
  created_at?: string;
  updated_at: string;
  object: "validation_rules_assignment";
}
export interface ValidationRulesListAssignmentsResponse {
  object: "list";
  total: number;
  data_ref: "data";
  data: ValidationRulesCreateAssignmentResponse[];
}

export interface SimplePromotionTier {
  tracking_id: string;
  metadata?: Record<string, any>;
  valid: boolean;
  id: string;
  name: string;
  banner?: string;
  discount: DiscountUnit | DiscountPercent | DiscountAmount | DiscountFixed;
  hierarchy: number;
  object: "promotion_tier";
}
export interface PromotionTier {
  id: string;
  object: "promotion_tier";
  name: string;
  banner?: string;
  campaign: {
    id: string;
    object: "campaign";
    start_date?: string;
    expiration_date?: string;
    active: boolean;
  };
  validation_rule_assignments: ValidationRulesListAssignmentsResponse;
  action: {
    discount: DiscountUnit | DiscountPercent | DiscountAmount | DiscountFixed;
  };
  hierarchy: number;
  metadata?: Record<string, any>;
  active?: boolean;
}
export interface PromotionTierRedeemDetailsSimple {
  id: string;
  name: string;
  banner?: string;
  campaign: {
    id: string;
  };
}
export type PromotionTierRedeemDetails = PromotionTier & {
  summary: {
    redemptions: {
      total_redeemed: number;
    };
    orders: {
      total_amount: number;
      total_discount_amount: number;
    };
  };
};

export interface VouchersResponse {
  id: string;
  code: string;
  campaign?: string;
  category?: string;
  type?: "DISCOUNT_VOUCHER" | "GIFT_VOUCHER";
  discount?: DiscountAmount | DiscountPercent | DiscountUnit | DiscountFixed;
  gift?: {
    amount: number;
    balance: number;
  };
  loyalty_card?: {
    points: number;
  };
  start_date?: string;
  expiration_date?: string;
  validity_timeframe?: {
    interval: string;
    duration: string;
  };
  validity_day_of_week?: number[];
  publish?: {
    object: "list";
    count: number;
    data_ref: "entries";
    entries: string[];
    total: number;
    url: string;
  };
  redemption?: {
    object: "list";
    quantity?: number;
    redeemed_quantity: number;
    data_ref: "redemption_entries";
    redemption_entries: string[];
    total: number;
    url: string;
  };
  active: boolean;
  additional_info?: string;
  metadata?: Record<string, any>;
  assets?: {
    qr?: {
      id: string;
      url: string;
    };
    barcode?: {
      id: string;
      url: string;
    };
  };
  is_referral_code: boolean;
  referrer_id?: string;
  holder_id?: string;
  updated_at?: string;
  created_at: string;
  object: "voucher";
  validation_rules_assignments: {
    object: "list";
    total: number;
    data_ref: "data";
    data?: {
      id: string;
      rule_id?: string;
      related_object_id?: string;
      related_object_type?: string;
      created_at: string;
      object: "validation_rules_assignment";
    }[];
  };
}

// ---------------------------------------------------------------------------
// Stackable.d.ts
// ---------------------------------------------------------------------------

type ExpandOption = "order" | "redeemable" | "redemption";
export interface StackableOptions {
  expand: ExpandOption[];
}
export type StackableRedeemableObject = "promotion_stack" | "promotion_tier" | "voucher";
export interface StackableRedeemableParams {
  object: StackableRedeemableObject;
  id: string;
  reward?: RewardRedemptionParams;
  gift?: GiftRedemptionParams;
}
export type StackableRedeemableResponseStatus = "APPLICABLE" | "INAPPLICABLE" | "SKIPPED";
export interface StackableRedeemableResultDiscountUnit {
  effect: DiscountUnitVouchersEffectTypes;
  unit_off: number;
  unit_type: string;
  sku?: SimpleSku;
  product?: SimpleProduct;
}
export interface StackableRedeemableResultDiscount {
  type: DiscountVouchersTypes;
  effect: DiscountVouchersEffectTypes;
  amount_off?: number;
  amount_off_formula?: string;
  percent_off?: number;
  percent_off_formula?: string;
  amount_limit?: number;
  fixed_amount?: number;
  fixed_amount_formula?: string;
  unit_off?: number;
  unit_off_formula?: string;
  unit_type?: string;
  sku?: SimpleSku;
  product?: SimpleProduct;
  units?: StackableRedeemableResultDiscountUnit[];
}
export interface StackableRedeemableResultGift {
  credits?: number;
}
export interface StackableRedeemableResultLoyaltyCard {
  points?: number;
  transfers?: LoyaltyPointsTransfer[];
}
export interface StackableRedeemableResultResponse {
  discount?: StackableRedeemableResultDiscount;
  gift?: StackableRedeemableResultGift;
  loyalty_card?: StackableRedeemableResultLoyaltyCard;
  error?: ValidationError;
  details?: {
    key?: string;
    message?: string;
  };
}
export interface StackableRedeemableResponse {
  status: StackableRedeemableResponseStatus;
  id: string;
  object: StackableRedeemableObject;
  order?: OrdersCreateResponse;
  applicable_to?: ApplicableToResultList;
  inapplicable_to?: ApplicableToResultList;
  result?: StackableRedeemableResultResponse;
  metadata?: Record<string, any>;
  categories?: Category[];
}
export type StackableRedeemableInapplicableResponse = {
  status: "INAPPLICABLE";
  id: string;
  object: "voucher" | "promotion_tier";
  result: {
    error?: ValidationError;
    details?: {
      key?: string;
      message?: string;
    };
  };
  metadata?: Record<string, unknown>;
  categories?: Category[];
};
export type StackableRedeemableSkippedResponse = {
  status: "SKIPPED";
  id: string;
  object: "voucher" | "promotion_tier";
  result: {
    details?: {
      key?: string;
      message?: string;
    };
  };
  metadata?: Record<string, unknown>;
  categories?: Category[];
};

// ---------------------------------------------------------------------------
// Validations.d.ts
// ---------------------------------------------------------------------------

export interface ValidationsValidateVoucherParams {
  customer?: {
    id?: string;
    source_id?: string;
    name?: string;
    email?: string;
    description?: string;
    metadata?: Record<string, any>;
  };
  order?: {
    id?: string;
    source_id?: string;
    amount?: number;
    items?: OrdersItem[];
    metadata?: Record<string, any>;
  };
  gift?: {
    credits: number;
  };
  reward?: {
    id: string;
  };
  session?: ValidationSessionParams;
  /**
   * Not in the SDK's type (an addition, so SDK-typed values still fit):
   * redemption metadata for `redemption.metadata` rules.
   */
  metadata?: Record<string, any>;
}
export interface ValidationsValidateVoucherResponse {
  applicable_to?: ApplicableToResultList;
  inapplicable_to?: ApplicableToResultList;
  campaign?: string;
  campaign_id?: string;
  metadata?: Record<string, any>;
  code?: string;
  valid?: boolean;
  discount?: DiscountAmount | DiscountUnit | DiscountPercent | DiscountFixed;
  gift?: {
    amount: number;
    balance: number;
  };
  loyalty?: {
    points_cost: number;
  };
  order?: {
    amount: number;
    discount_amount: number;
    total_discount_amount: number;
    total_amount: number;
    applied_discount_amount?: number;
    total_applied_discount_amount?: number;
    items?: OrdersItem[];
    initial_amount?: number;
    items_discount_amount?: number;
    items_applied_discount_amount?: number;
    metadata?: Record<string, any>;
  };
  session?: ValidationSessionParams;
  start_date?: string;
  expiration_date?: string;
  tracking_id: string;
  error?: ValidationError;
}
export interface ValidationsValidateStackableParams {
  options?: StackableOptions;
  redeemables: StackableRedeemableParams[];
  session?: ValidationSessionParams;
  order?: OrdersCreate;
  customer?: CustomersCreateBody;
  metadata?: Record<string, any>;
}
export interface ValidationValidateStackableResponse {
  valid: boolean;
  tracking_id?: string;
  session?: ValidationSessionResponse;
  order?: OrdersCreateResponse;
  redeemables?: StackableRedeemableResponse[];
  skipped_redeemables?: StackableRedeemableSkippedResponse[];
  inapplicable_redeemables?: StackableRedeemableInapplicableResponse[];
  stacking_rules: ValidationsStackingRules;
}
export type ValidationsStackingRules = {
  redeemables_limit: number;
  applicable_redeemables_limit: number;
  applicable_redeemables_per_category_limit?: number;
  applicable_exclusive_redeemables_limit: number;
  applicable_exclusive_redeemables_per_category_limit?: number;
  exclusive_categories: string[];
  joint_categories: string[];
  redeemables_application_mode: "ALL" | "PARTIAL";
  redeemables_sorting_rule: "CATEGORY_HIERARCHY" | "REQUESTED_ORDER";
};
export type ValidationsValidateCode = PromotionsValidateParams;
export type ValidationsValidateContext = ValidationsValidateVoucherParams;

// ---------------------------------------------------------------------------
// Qualifications.d.ts
// ---------------------------------------------------------------------------

export type QualificationsCheckEligibilityRequestBody = {
  customer?: CustomerRequest;
  order?: Order;
  mode?: "BASIC" | "ADVANCED";
  tracking_id?: string;
  scenario?:
    | "ALL"
    | "CUSTOMER_WALLET"
    | "AUDIENCE_ONLY"
    | "PRODUCTS"
    | "PRODUCTS_DISCOUNT"
    | "PROMOTION_STACKS"
    | "PRODUCTS_BY_CUSTOMER"
    | "PRODUCTS_DISCOUNT_BY_CUSTOMER";
  options?: {
    limit?: number;
    starting_after?: string;
    filters?: {
      junction?: Junction;
    } & Partial<Record<QualificationsFiltersFields, QualificationsFieldConditions>>;
    expand?: ("redeemable" | "category" | "validation_rules")[];
    sorting_rule?: "BEST_DEAL" | "LEAST_DEAL" | "DEFAULT";
  };
  metadata?: Record<string, any>;
};
export type QualificationsCheckEligibilityResponseBody = {
  redeemables: QualificationsRedeemableList;
  tracking_id?: string;
  order?: OrderCalculated;
  stacking_rules: QualificationsStackingRules;
};
export type QualificationsFiltersFields = "category_id" | "campaign_id" | "resource_id" | "resource_type" | "voucher_type" | "code";
export type QualificationsFiltersCondition = "$in" | "$not_in" | "$is" | "$is_not" | "$has_value" | "$is_unknown";
export type QualificationsFieldConditions = {
  conditions?: Partial<Record<QualificationsFiltersCondition, any>>;
};
export type QualificationsRedeemableList = {
  object: "list";
  data_ref: "data";
  data: QualificationsRedeemable[];
  total: number;
  has_more: boolean;
  more_starting_after?: string;
};
export type QualificationsStackingRules = {
  redeemables_limit: number;
  applicable_redeemables_limit: number;
  applicable_exclusive_redeemables_limit: number;
  exclusive_categories: string[];
  joint_categories: string[];
};
export type QualificationsRedeemable = QualificationsRedeemableBase & {
  redeemables?: QualificationsRedeemableBase[];
};
export type QualificationsRedeemableBase = {
  id: string;
  object: "campaign" | "promotion_tier" | "promotion_stack" | "voucher";
  created_at: string;
  result: RedeemableResult;
  order?: OrderCalculated;
  validation_rule_id?: string;
  applicable_to: ApplicableToResultList;
  inapplicable_to: InapplicableToResultList;
  metadata: Record<string, unknown> | null;
  categories: Category[];
  banner?: string;
  name?: string;
  campaign_name?: string;
  campaign_id?: string;
  validation_rules_assignments?: ValidationRulesAssignmentsList;
};
export type RedeemableResult = {
  discount?: Discount;
  gift?: {
    balance: number;
    credits: number;
  };
  loyalty_card?: {
    points?: number;
    balance?: number;
    exchange_ratio?: number;
    points_ratio?: number;
    transfers?: LoyaltiesTransferPoints[];
  };
  error?: Error;
};

// ---------------------------------------------------------------------------
// Promotions.d.ts
// ---------------------------------------------------------------------------

export interface PromotionsValidateParams {
  customer?: Omit<SimpleCustomer, "id" | "object"> & {
    description?: string;
    id?: string;
  };
  order?: {
    id?: string;
    source_id?: string;
    items?: OrdersItem[];
    amount?: number;
    metadata?: Record<string, any>;
  };
  metadata?: Record<string, any>;
}
export interface PromotionsValidateQueryParams {
  audienceRulesOnly?: boolean;
  filters?: Record<string, any>;
}
export interface PromotionsValidateResponse {
  valid: boolean;
  promotions?: {
    id: string;
    object: "promotion_tier";
    banner?: string;
    name: string;
    start_date?: string;
    expiration_date?: string;
    discount?: DiscountUnit | DiscountAmount | DiscountPercent | DiscountFixed;
    discount_amount?: number;
    applied_discount_amount?: number;
    metadata?: Record<string, any>;
    order?: {
      id?: string;
      source_id?: string;
      amount: number;
      initial_amount?: number;
      items_discount_amount?: number;
      items_applied_discount_amount?: number;
      items?: OrdersItem[];
      metadata?: Record<string, any>;
      discount_amount?: number;
      total_discount_amount?: number;
      total_amount?: number;
      applied_discount_amount?: number;
      total_applied_discount_amount?: number;
    };
    hierarchy?: number;
  }[];
  tracking_id?: string;
}

// ---------------------------------------------------------------------------
// Redemptions.d.ts
// ---------------------------------------------------------------------------

export interface RedemptionsRedeemStackableParams {
  options?: StackableOptions;
  redeemables: StackableRedeemableParams[];
  session?: ValidationSessionParams;
  order?: OrdersCreate;
  customer?: CustomersCreateBody;
  metadata?: Record<string, any>;
}
export interface RedemptionsRedeemResponse {
  id: string;
  object: "redemption";
  date?: string;
  customer_id?: string;
  tracking_id?: string;
  order?: OrdersCreateResponse;
  metadata?: Record<string, any>;
  result: "SUCCESS" | "FAILURE";
  voucher: VouchersResponse;
  customer?: SimpleCustomer;
  reward?: RewardsCreateResponse;
  related_object_type: "voucher";
  gift?: {
    amount: number;
  };
  loyalty_card?: {
    points: number;
  };
  promotion_tier?: PromotionTierRedeemDetailsSimple | PromotionTierRedeemDetails;
  failure_code?: string;
  failure_message?: string;
}
export type RedemptionsRedeemStackableRedemptionResult = RedemptionsRedeemResponse & {
  redemption: string;
};
export type RedemptionsRedeemStackableOrderResponse = OrdersCreateResponse & {
  redemptions?: Record<string, {
    date: string;
    rollback_id?: string;
    rollback_date?: string;
    related_object_type: "redemption";
    related_object_id: string;
    stacked: string[];
    rollback_stacked?: string[];
  }>;
};
export interface RedemptionsRedeemStackableResponse {
  redemptions: RedemptionsRedeemStackableRedemptionResult[];
  parent_redemption: {
    id: string;
    object: "redemption";
    date: string;
    customer_id?: string;
    tracking_id?: string;
    metadata?: Record<string, any>;
    result: "SUCCESS" | "FAILURE";
    order?: RedemptionsRedeemStackableOrderResponse;
    customer?: SimpleCustomer;
    related_object_type: "redemption";
    related_object_id: string;
  };
  order?: RedemptionsRedeemStackableOrderResponse;
  skipped_redeemables?: StackableRedeemableSkippedResponse;
  inapplicable_redeemables?: StackableRedeemableInapplicableResponse;
}
export interface RedemptionsRollbackStackableResponse {
  rollbacks: RedemptionsRedeemStackableRedemptionResult[];
  parent_rollback: {
    id: string;
    date: string;
    customer_id?: string;
    tracking_id?: string;
    metadata?: Record<string, any>;
    result: "SUCCESS" | "FAILURE";
    order?: OrdersCreateResponse;
    customer?: SimpleCustomer;
    redemption: string;
  };
  order?: RedemptionsRedeemStackableOrderResponse;
}

// ---------------------------------------------------------------------------
// ClientSide.d.ts
// ---------------------------------------------------------------------------

type ClientSideItem = Pick<OrdersItem, "source_id" | "sku_id" | "product_id" | "sku" | "quantity" | "related_object" | "amount">;
export interface ClientSideValidateParams {
  code?: string;
  tracking_id?: string;
  amount?: number;
  items?: ClientSideItem[];
  orderMetadata?: Record<string, any>;
  customer?: Pick<CustomerRequest, "source_id" | "metadata">;
  reward?: {
    id: string;
  };
  metadata?: Record<string, any>;
  session_type?: "LOCK";
  session_key?: string;
  session_ttl?: number;
  session_ttl_unit?: "MILLISECONDS" | "SECONDS" | "MINUTES" | "HOURS" | "DAYS";
}
export interface ClientSideValidateResponse {
  code?: string;
  valid: boolean;
  discount?: DiscountUnit | DiscountAmount | DiscountPercent | DiscountFixed;
  applicable_to?: ApplicableToResultList;
  order?: {
    amount: number;
    discount_amount: number;
    total_discount_amount: number;
    total_amount: number;
    items?: ClientSideItem[];
  };
  tracking_id?: string;
  campaign_id?: string;
  loyalty?: {
    points_cost: number;
  };
  gift?: {
    amount: number;
    balance: number;
  };
  promotions?: SimplePromotionTier[];
}
export type ClientSideValidationsValidateStackableParams = ValidationsValidateStackableParams;
export type ClientSideValidationValidateStackableResponse = ValidationValidateStackableResponse;
export type ClientSideRedemptionsRedeemStackableParams = RedemptionsRedeemStackableParams;
export type ClientSideRedemptionsRedeemStackableResponse = RedemptionsRedeemStackableResponse;
