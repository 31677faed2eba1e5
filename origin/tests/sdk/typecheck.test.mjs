// The type-checker itself (no server needed): what it accepts and what it
// rejects, on small answers, and that each error names its entry.

import { test } from "node:test";
import assert from "node:assert/strict";
import { typecheck, formatErrors } from "./typecheck.mjs";
import { minimalAnswers, optionalContainers } from "./shapes.mjs";

const stackingRules = {
  redeemables_limit: 30,
  applicable_redeemables_limit: 5,
  applicable_exclusive_redeemables_limit: 1,
  exclusive_categories: [],
  joint_categories: [],
  redeemables_application_mode: "ALL",
  redeemables_sorting_rule: "REQUESTED_ORDER",
};

const voucher = {
  id: "v_1",
  code: "WELCOME",
  active: true,
  is_referral_code: false,
  created_at: "2026-06-01T12:00:00.000Z",
  object: "voucher",
  validation_rules_assignments: { object: "list", total: 0, data_ref: "data", data: [] },
};

const emptyList = { object: "list", total: 0, data: [], data_ref: "data" };
function qualification(discount) {
  return {
    redeemables: { object: "list", data_ref: "data", total: 1, has_more: false,
                   data: [{ id: "WELCOME", object: "voucher", created_at: "2026-06-01T12:00:00.000Z", result: { discount },
                            applicable_to: emptyList, inapplicable_to: emptyList, metadata: null, categories: [] }] },
    stacking_rules: { redeemables_limit: 30, applicable_redeemables_limit: 5,
                      applicable_exclusive_redeemables_limit: 1, exclusive_categories: [], joint_categories: [] },
  };
}

test("a well-shaped answer type-checks, with extra properties and enum-valued discount types", async () => {
  const { ok, errors } = await typecheck([
    { name: "stackable", type: "ValidationValidateStackableResponse",
      value: { valid: true, stacking_rules: stackingRules, our_own_field: { anything: [1, "x", null] },
               redeemables: [{ status: "APPLICABLE", id: "WELCOME", object: "voucher",
                               result: { discount: { type: "PERCENT", effect: "APPLY_TO_ORDER", percent_off: 10 } },
                               categories: [] }] } },
    // DiscountPercent.type is the enum member DiscountVouchersTypesEnum.PERCENT.
    { name: "voucher", type: "VouchersGetResponse",
      value: { ...voucher, discount: { type: "PERCENT", percent_off: 10, effect: "APPLY_TO_ORDER" } } },
    // ...and Discount_ (qualifications) wants the plain literal 'PERCENT'.
    { name: "qualification", type: "QualificationsCheckEligibilityResponseBody", value: qualification({ type: "PERCENT", percent_off: 10 }) },
  ]);
  assert.ok(ok && errors.length === 0, formatErrors(errors));
});

test("each kind of mistake is an error, reported under its entry's name", async () => {
  const { stacking_rules, ...noRules } = { valid: true, stacking_rules: stackingRules };
  const { ok, errors } = await typecheck([
    { name: "fine", type: "ValidationValidateStackableResponse", value: { valid: true, stacking_rules: stackingRules } },
    { name: "missing required", type: "ValidationValidateStackableResponse", value: noRules },
    { name: "wrong literal", type: "ValidationValidateStackableResponse",
      value: { valid: true, stacking_rules: { ...stackingRules, redeemables_application_mode: "FOO" } } },
    { name: "null for optional", type: "ValidationValidateStackableResponse",
      value: { valid: true, tracking_id: null, stacking_rules: stackingRules } },
    { name: "wrong enum value", type: "VouchersGetResponse",
      value: { ...voucher, discount: { type: "PERCENTAGE", percent_off: 10 } } },
    { name: "string for number", type: "VouchersGetResponse", value: { ...voucher, gift: { amount: "5000", balance: 5000 } } },
    // An enum-valued "type" must not make its object fit anything.
    { name: "enum-typed discount, bad sibling", type: "VouchersGetResponse",
      value: { ...voucher, discount: { type: "PERCENT", percent_off: "10" } } },
    { name: "literal-typed discount, bad sibling", type: "QualificationsCheckEligibilityResponseBody",
      value: qualification({ type: "PERCENT", percent_off: "10" }) },
    { name: "no such type", type: "NoSuchResponse", value: {} },
  ]);
  assert.equal(ok, false);
  const names = [...new Set(errors.map((e) => e.name))];
  assert.deepEqual(names, ["missing required", "wrong literal", "null for optional", "wrong enum value", "string for number",
                           "enum-typed discount, bad sibling", "literal-typed discount, bad sibling", "no such type"],
                   formatErrors(errors));
  const byName = Object.fromEntries(errors.map((e) => [e.name, e.message]));
  assert.match(byName["missing required"], /stacking_rules/);
  assert.match(byName["wrong literal"], /"FOO"/);
  assert.match(byName["null for optional"], /null/);
  assert.match(byName["no such type"], /NoSuchResponse/);
});

test("the SDK type names the harness uses are exported from @voucherify/sdk", async () => {
  const names = [
    "ValidationValidateStackableResponse", "RedemptionsRedeemStackableResponse", "RedemptionsRollbackStackableResponse",
    "QualificationsCheckEligibilityResponseBody", "PromotionsValidateResponse", "ValidationsValidateVoucherResponse",
    "VouchersGetResponse", "ClientSideValidateResponse",
    "ValidationsValidateStackableParams", "RedemptionsRedeemStackableParams", "QualificationsCheckEligibilityRequestBody",
    "PromotionsValidateParams", "ValidationsValidateVoucherParams",
    "ClientSideValidationValidateStackableResponse", "ClientSideValidationsValidateStackableParams",
    "ClientSideRedemptionsRedeemStackableResponse", "ClientSideRedemptionsRedeemStackableParams", "ClientSideValidateParams",
  ];
  // `{}` fits none of them if the name is unknown (TS2694), and is an error
  // only for a missing required field otherwise; only the former counts here.
  const { errors } = await typecheck(names.map((type) => ({ name: type, type, value: {} })));
  const unknown = errors.filter((e) => /TS2694|has no exported member/.test(e.message));
  assert.deepEqual(unknown, [], formatErrors(unknown));
});

/** Every dotted key path of a JSON value (array indices included). */
function paths(v, p = []) {
  if (!v || typeof v !== "object") return [];
  return Object.keys(v).flatMap((k) => [[...p, k], ...paths(v[k], [...p, k])]);
}

test("shapes.mjs: the minimal answers type-check, and each of their fields is required", async () => {
  const base = await typecheck(minimalAnswers);
  assert.ok(base.ok, formatErrors(base.errors));
  const variants = [];
  for (const e of minimalAnswers) {
    for (const p of paths(e.value)) {
      const value = structuredClone(e.value);
      const parent = p.slice(0, -1).reduce((o, k) => o[k], value);
      if (Array.isArray(parent)) continue; // an element, not a field
      delete parent[p.at(-1)];
      variants.push({ name: `${e.name}: ${p.join(".")}`, type: e.type, value });
    }
  }
  const { errors } = await typecheck(variants);
  const failed = new Set(errors.map((e) => e.name));
  const optional = variants.map((v) => v.name).filter((n) => !failed.has(n));
  const declared = Object.entries(optionalContainers).flatMap(([name, ps]) => ps.map((p) => `${name}: ${p}`));
  assert.deepEqual(optional.sort(), declared.sort(), "fields whose removal is no error = the optional containers");
});

test("traps in the SDK's types: what a faithful Voucherify answer may trip on", async () => {
  const get = (n) => structuredClone(minimalAnswers.find((e) => e.name === n));
  const cases = [];
  const add = (name, entry, edit, ok) => {
    const e = get(entry);
    edit(e.value);
    cases.push({ ...e, name, ok });
  };
  // RedemptionsRedeemStackableResponse declares skipped_/inapplicable_redeemables as ONE object, not a list.
  add("redeem: skipped_redeemables []", "redeem", (v) => { v.skipped_redeemables = []; }, false);
  add("redeem: inapplicable_redeemables []", "redeem", (v) => { v.inapplicable_redeemables = []; }, false);
  // rollbacks[] are typed as redemptions: object 'redemption', related_object_type 'voucher'.
  add("rollback: object redemption_rollback", "rollback", (v) => { v.rollbacks[0].object = "redemption_rollback"; }, false);
  // VouchersResponse.type is 'DISCOUNT_VOUCHER' | 'GIFT_VOUCHER' only.
  add("voucher: type LOYALTY_CARD", "voucher", (v) => { v.type = "LOYALTY_CARD"; }, false);
  add("voucher: campaign null", "voucher", (v) => { v.campaign = null; }, false);
  // DiscountPercent.effect is 'APPLY_TO_ORDER' | 'APPLY_TO_ITEMS'.
  add("voucher: PERCENT APPLY_TO_ITEMS_PROPORTIONALLY", "voucher",
      (v) => { v.discount = { type: "PERCENT", percent_off: 1, effect: "APPLY_TO_ITEMS_PROPORTIONALLY" }; }, false);
  add("voucher: amount_limit null", "voucher", (v) => { v.discount = { type: "PERCENT", percent_off: 1, amount_limit: null }; }, false);
  // A stackable result's discount needs `effect`.
  add("stackable: discount without effect", "stackable",
      (v) => { v.redeemables[0].result.discount = { type: "PERCENT", percent_off: 10 }; }, false);
  // applicable_to entries: effect is APPLY_TO_EVERY | APPLY_TO_CHEAPEST | APPLY_TO_MOST_EXPENSIVE; price_formula a number.
  add("stackable: applicable_to effect APPLY_TO_ORDER", "stackable",
      (v) => { v.redeemables[0].applicable_to.data[0].effect = "APPLY_TO_ORDER"; }, false);
  add("stackable: order.source_id null", "stackable", (v) => { v.order.source_id = null; }, false);
  add("stackable: redeemable metadata null", "stackable", (v) => { v.redeemables[0].metadata = null; }, false);
  add("stackable: inapplicable object promotion_stack", "stackable", (v) => { v.inapplicable_redeemables[0].object = "promotion_stack"; }, false);
  add("stackable: a full ValidationError with a nested error", "stackable", (v) => {
    v.redeemables[0].result.error = { code: 400, key: "k", message: "m", details: "d", request_id: "r", error: { message: "x" } };
  }, true);
  // Qualifications: result.error is the global Error ({name, message}); order items need object 'order_item'.
  add("qualify: result.error without name", "qualify", (v) => { v.redeemables.data[0].result.error = { code: 400, key: "k", message: "m" }; }, false);
  add("qualify: order item without object", "qualify", (v) => { v.order.items = [{ product_id: "p" }]; }, false);
  add("qualify: order.source_id null", "qualify", (v) => { v.order.source_id = null; }, true);
  add("qualify: UNIT discount without unit_type", "qualify",
      (v) => { v.redeemables.data[0].result.discount = { type: "UNIT", unit_off: 1 }; }, false);
  add("legacy: no tracking_id", "legacy", (v) => { delete v.tracking_id; }, false);
  const { errors } = await typecheck(cases);
  const failed = new Set(errors.map((e) => e.name));
  assert.deepEqual(cases.map((c) => [c.name, !failed.has(c.name)]), cases.map((c) => [c.name, c.ok]));
});
