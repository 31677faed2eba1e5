// The smallest answers that satisfy each @voucherify/sdk 2.9.0 response type
// the origin answers: every field here is required by the SDK's declared
// types (typecheck.test.mjs deletes each one in turn and expects an error),
// except the optional containers included to show what THEY require once
// present (an `order`, a redeemable's `categories`, `applicable_to`, ...).
// A reference for shaping answers, not what a real answer looks like.

const T = "2026-06-01T12:00:00.000Z";
const order = { id: "ord_1", created_at: T, object: "order" };
const category = { id: "cat_1", name: "Cat", hierarchy: 1, created_at: T, object: "category" };
const applicableTo = { object: "list", total: 1, data_ref: "data",
  data: [{ object: "product", id: "prod_mug", strict: false, effect: "APPLY_TO_EVERY" }] };
const inapplicableTo = { object: "list", total: 0, data_ref: "data", data: [] };
const voucher = { id: "v_1", code: "WELCOME", active: true, is_referral_code: false, created_at: T, object: "voucher",
  validation_rules_assignments: { object: "list", total: 0, data_ref: "data" } };
const redemption = { id: "r_1", object: "redemption", result: "SUCCESS", voucher, related_object_type: "voucher", redemption: "r_0" };
const stackOrder = { ...order, redemptions: { r_0: { date: T, related_object_type: "redemption", related_object_id: "r_0", stacked: ["r_1"] } } };
const orderCalc = { metadata: {}, customer_id: null, referrer_id: null, object: "order",
  items: [{ object: "order_item" }] };
export const minimalAnswers = [
  { name: "stackable", type: "ValidationValidateStackableResponse", value: {
    valid: true,
    stacking_rules: { redeemables_limit: 30, applicable_redeemables_limit: 5, applicable_exclusive_redeemables_limit: 1,
      exclusive_categories: [], joint_categories: [], redeemables_application_mode: "ALL", redeemables_sorting_rule: "REQUESTED_ORDER" },
    order,
    session: { key: "k", type: "LOCK", ttl: 1, ttl_unit: "DAYS" },
    redeemables: [{ status: "APPLICABLE", id: "WELCOME", object: "voucher", order, applicable_to: applicableTo, inapplicable_to: applicableTo,
      categories: [category],
      result: { discount: { type: "PERCENT", effect: "APPLY_TO_ORDER",
                            units: [{ effect: "ADD_NEW_ITEMS", unit_off: 1, unit_type: "prod_mug", sku: { id: "s" }, product: { id: "p" } }] },
                error: { message: "m" }, loyalty_card: { transfers: [{ code: "C", points: 1 }] } } }],
    skipped_redeemables: [{ status: "SKIPPED", id: "GIFT-1", object: "voucher", result: {}, categories: [category] }],
    inapplicable_redeemables: [{ status: "INAPPLICABLE", id: "ONCE-1", object: "voucher", result: { error: { message: "m" } } }],
  } },
  { name: "redeem", type: "RedemptionsRedeemStackableResponse", value: {
    redemptions: [{ ...redemption, order, customer: { id: "cust_1", object: "customer" }, gift: { amount: 1 }, loyalty_card: { points: 1 },
                    promotion_tier: { id: "t", name: "n", campaign: { id: "c" } } }],
    parent_redemption: { id: "r_0", object: "redemption", date: T, result: "SUCCESS", related_object_type: "redemption", related_object_id: "r_0",
                         order: stackOrder, customer: { id: "cust_1", object: "customer" } },
    order: stackOrder,
  } },
  { name: "rollback", type: "RedemptionsRollbackStackableResponse", value: {
    rollbacks: [redemption],
    parent_rollback: { id: "rr_0", date: T, result: "SUCCESS", redemption: "r_0", order },
    order: stackOrder,
  } },
  { name: "qualify", type: "QualificationsCheckEligibilityResponseBody", value: {
    redeemables: { object: "list", data_ref: "data", total: 1, has_more: false, data: [{
      id: "WELCOME", object: "voucher", created_at: T, result: { discount: { type: "PERCENT" }, gift: { balance: 1, credits: 1 }, error: { name: "n", message: "m" } },
      applicable_to: applicableTo, inapplicable_to: inapplicableTo, metadata: null, categories: [category], order: orderCalc,
      redeemables: [{ id: "x", object: "promotion_tier", created_at: T, result: {}, applicable_to: applicableTo, inapplicable_to: inapplicableTo, metadata: {}, categories: [] }],
    }] },
    stacking_rules: { redeemables_limit: 30, applicable_redeemables_limit: 5, applicable_exclusive_redeemables_limit: 1, exclusive_categories: [], joint_categories: [] },
    order: orderCalc,
  } },
  { name: "promotions", type: "PromotionsValidateResponse", value: {
    valid: true, promotions: [{ id: "t", object: "promotion_tier", name: "n", order: { amount: 1 } }] } },
  { name: "legacy", type: "ValidationsValidateVoucherResponse", value: {
    tracking_id: "t", order: { amount: 1, discount_amount: 1, total_discount_amount: 1, total_amount: 1 }, gift: { amount: 1, balance: 1 },
    loyalty: { points_cost: 1 }, error: { message: "m" }, applicable_to: applicableTo } },
  { name: "voucher", type: "VouchersGetResponse", value: {
    ...voucher, gift: { amount: 1, balance: 1 }, loyalty_card: { points: 1 },
    redemption: { object: "list", redeemed_quantity: 0, data_ref: "redemption_entries", redemption_entries: [], total: 0, url: "u" },
    validation_rules_assignments: { object: "list", total: 1, data_ref: "data", data: [{ id: "a", created_at: T, object: "validation_rules_assignment" }] } } },
  { name: "client validate", type: "ClientSideValidateResponse", value: {
    valid: true, order: { amount: 1, discount_amount: 1, total_discount_amount: 1, total_amount: 1 }, gift: { amount: 1, balance: 1 }, loyalty: { points_cost: 1 },
    promotions: [{ tracking_id: "t", valid: true, id: "t", name: "n", discount: {}, hierarchy: 1, object: "promotion_tier" }] } },
];

/**
 * Containers that may be left out (the deletion sweep skips them): each
 * entry's name and the dotted path of an optional field of it.
 */
export const optionalContainers = {
  stackable: ["order", "session", "redeemables", "redeemables.0.order", "redeemables.0.applicable_to",
    "redeemables.0.inapplicable_to", "redeemables.0.categories", "redeemables.0.result", "redeemables.0.result.discount",
    "redeemables.0.result.discount.units", "redeemables.0.result.discount.units.0.sku",
    "redeemables.0.result.discount.units.0.product", "redeemables.0.result.error", "redeemables.0.result.loyalty_card",
    "redeemables.0.result.loyalty_card.transfers", "skipped_redeemables", "skipped_redeemables.0.categories",
    "inapplicable_redeemables", "inapplicable_redeemables.0.result.error"],
  redeem: ["redemptions.0.order", "redemptions.0.customer", "redemptions.0.gift", "redemptions.0.loyalty_card",
    "redemptions.0.promotion_tier", "parent_redemption.order", "parent_redemption.order.redemptions",
    "parent_redemption.order.redemptions.r_0", "parent_redemption.customer", "order", "order.redemptions", "order.redemptions.r_0"],
  rollback: ["parent_rollback.order", "order", "order.redemptions", "order.redemptions.r_0"],
  qualify: ["redeemables.data.0.result.discount", "redeemables.data.0.result.gift", "redeemables.data.0.result.error",
    "redeemables.data.0.order", "redeemables.data.0.order.items", "redeemables.data.0.redeemables", "order", "order.items"],
  promotions: ["promotions", "promotions.0.order"],
  legacy: ["order", "gift", "loyalty", "error", "applicable_to"],
  voucher: ["validation_rules_assignments.data", "gift", "loyalty_card", "redemption"],
  "client validate": ["order", "gift", "loyalty", "promotions"],
};
