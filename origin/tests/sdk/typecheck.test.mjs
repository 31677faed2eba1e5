// The type-checker itself (no server needed): what it accepts and what it
// rejects, on small answers, and that each error names its entry.

import { test } from "node:test";
import assert from "node:assert/strict";
import { typecheck, formatErrors } from "./typecheck.mjs";

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
  assert.deepEqual(errors, [], formatErrors(errors));
  assert.equal(ok, true);
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
  ];
  // `{}` fits none of them if the name is unknown (TS2694), and is an error
  // only for a missing required field otherwise; only the former counts here.
  const { errors } = await typecheck(names.map((type) => ({ name: type, type, value: {} })));
  const unknown = errors.filter((e) => /TS2694|has no exported member/.test(e.message));
  assert.deepEqual(unknown, [], formatErrors(unknown));
});
