// `promo-edge/voucherify`: the @voucherify/sdk method names answered from the
// engine's plan. Stackable validation and qualification are the engine's
// answers untouched; the legacy and promotion answers are reshaped from them
// (amounts worked out by hand below); redemptions go through a real
// RedemptionOutbox to a fake origin; rollbacks to the origin.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { PromoEngine, RedemptionOutbox, MemoryStore, isPromoError } from "../dist/node.js";
import { createVoucherify, VoucherifyError, DiscountVouchersTypesEnum } from "../dist/voucherify.js";
import { makePublisher } from "./support/publish.mjs";

const NOW = "2026-06-01T12:00:00Z";
const PROJECT = {
  project: "shop",
  channel: "web",
  currency: { code: "USD", exponent: 2 },
  time_zone: "UTC",
  validation_rules: [{
    id: "val_min",
    rules: { "1": { name: "order.amount", conditions: { $more_than_or_equal: [5000] }, error: { message: "Spend at least $50" } } },
  }],
};
const CAMPAIGNS = [
  {
    id: "camp_ten",
    name: "Ten off",
    campaign_type: "DISCOUNT_COUPONS",
    voucher: { discount: { type: "PERCENT", percent_off: 10 } },
    vouchers: [{ code: "TEN", metadata: { tier: "gold" } }, { code: "BIG", validation_rule_ids: ["val_min"] }],
  },
  {
    id: "camp_gift",
    name: "Gift cards",
    campaign_type: "GIFT_VOUCHERS",
    voucher: { type: "GIFT_VOUCHER", gift: { amount: 5000 } },
    vouchers: [{ code: "GIFT-1" }],
  },
  {
    id: "camp_promo",
    name: "Spend more",
    campaign_type: "PROMOTION",
    promotion_tiers: [
      { id: "promo_five", name: "5 off", banner: "$5 off", hierarchy: 1, metadata: { badge: "red" }, action: { discount: { type: "AMOUNT", amount_off: 500 } } },
      { id: "promo_twenty", name: "20 % over 50", hierarchy: 2, validation_rule_ids: ["val_min"], action: { discount: { type: "PERCENT", percent_off: 20 } } },
    ],
  },
];
const pub = makePublisher();
after(() => pub.cleanup());
const PLAN = pub.plan({ project: PROJECT, campaigns: CAMPAIGNS }, { version: 4 });

// 3 × 19.99 = 59.97.
const ITEMS = [{ product_id: "prod_mug", price: 1999, quantity: 3 }];
const CUSTOMER = { source_id: "cust_1" };

async function loaded() {
  const engine = await PromoEngine.init();
  engine.loadPlan(PLAN);
  return engine;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected a rejection");
}

function assertVoucherifyError(e, code, key) {
  assert.ok(e instanceof VoucherifyError, `not a VoucherifyError: ${e?.stack ?? e}`);
  assert.ok(e instanceof Error);
  assert.equal(e.code, code, e.message);
  assert.equal(e.key, key, e.message);
  assert.equal(typeof e.message, "string");
}

test("validations.validateStackable and the client's validateStackable are engine.validate, untouched", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW });
  const request = { redeemables: [{ object: "voucher", id: "TEN" }, { object: "promotion_tier", id: "promo_five" }], order: { items: ITEMS }, customer: CUSTOMER };
  const expected = engine.validate(request, NOW);
  assert.deepEqual(await v.validations.validateStackable(request), expected);
  assert.deepEqual(await v.validateStackable(request), expected);
  // 599.7 → 600 off, then 500 off the 5397 left: 4897.
  assert.equal(expected.order.total_discount_amount, 1100);
  assert.equal(expected.order.total_amount, 4897);
  engine.free();
});

test("validations.validate(code, context): the legacy answer, reshaped with the right amounts", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: () => NOW });
  const res = await v.validations.validate("TEN", { order: { items: ITEMS }, customer: CUSTOMER });
  assert.equal(res.valid, true);
  assert.equal(res.code, "TEN");
  assert.equal(res.tracking_id, "cust_1", "the customer's source_id");
  assert.deepEqual(res.discount, { type: "PERCENT", percent_off: 10, effect: "APPLY_TO_ORDER" });
  assert.equal(res.discount.type, DiscountVouchersTypesEnum.PERCENT);
  assert.equal(res.campaign, "Ten off");
  assert.equal(res.campaign_id, "camp_ten");
  assert.deepEqual(res.metadata, { tier: "gold" });
  assert.equal(res.error, undefined);
  const { amount, discount_amount, total_discount_amount, total_amount, applied_discount_amount, total_applied_discount_amount } = res.order;
  assert.deepEqual({ amount, discount_amount, total_discount_amount, total_amount, applied_discount_amount, total_applied_discount_amount },
    { amount: 5997, discount_amount: 600, total_discount_amount: 600, total_amount: 5397, applied_discount_amount: 600, total_applied_discount_amount: 600 });
  assert.equal(res.order.items.length, 1);
  assert.ok(Object.values(res.order).filter((x) => typeof x === "number").every(Number.isInteger), "money stays integers");
  // validateVoucher is the same call.
  assert.deepEqual(await v.validations.validateVoucher("TEN", { order: { items: ITEMS }, customer: CUSTOMER }), res);

  // A gift card: 800 of its 5000 on a 1000 order.
  const gift = await v.validations.validate("GIFT-1", { order: { amount: 1000 }, gift: { credits: 800 } });
  assert.equal(gift.valid, true);
  assert.deepEqual(gift.gift, { amount: 800, balance: 4200 });
  assert.equal(gift.order.total_amount, 200);
  assert.equal(gift.tracking_id, "");
  engine.free();
});

test("an invalid code is data: valid false, the error, nothing it would give", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW, trackingId: "track_1" });
  const small = await v.validations.validate("BIG", { order: { amount: 1000 }, customer: CUSTOMER });
  assert.equal(small.valid, false);
  assert.equal(small.code, "BIG");
  assert.equal(small.tracking_id, "track_1", "the configured tracking id first");
  assert.equal(small.error.code, 400);
  assert.equal(small.error.key, "order_rules_violated");
  assert.equal(small.error.message, "Order does not match validation rules");
  assert.equal(small.order, undefined);
  assert.equal(small.discount, undefined);
  const unknown = await v.validations.validate("NOPE", { order: { amount: 1000 } });
  assert.equal(unknown.valid, false);
  assert.equal(unknown.error.code, 404);
  assert.equal(unknown.error.key, "resource_not_found");
  engine.free();
});

test("qualifications.checkEligibility and the client's qualifications(body) are engine.qualify, untouched", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW });
  const body = { customer: CUSTOMER, order: { amount: 3000 }, options: { limit: 10, sorting_rule: "BEST_DEAL" } };
  const expected = engine.qualify(body, NOW);
  assert.deepEqual(await v.qualifications.checkEligibility(body), expected);
  assert.deepEqual(await v.qualifications(body), expected);
  // At 30.00: TEN (300 off) and the 500-off tier; BIG and 20 % need 50.00.
  assert.deepEqual(expected.redeemables.data.map((r) => [r.id, r.order.total_discount_amount]), [["promo_five", 500], ["TEN", 300]]);
  engine.free();
});

test("promotions.validate and validations.validate(object): the tiers that apply, each alone, in hierarchy order", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW });
  const big = await v.promotions.validate({ order: { items: ITEMS }, customer: CUSTOMER });
  assert.equal(big.valid, true);
  assert.equal(big.tracking_id, "cust_1");
  // 59.97: 5.00 off → 54.97; 20 % is 11.994 → 11.99 off → 47.98.
  assert.deepEqual(big.promotions.map((p) => [p.id, p.object, p.name, p.hierarchy, p.discount_amount, p.applied_discount_amount, p.order.amount, p.order.total_amount]), [
    ["promo_five", "promotion_tier", "5 off", 1, 500, 500, 5997, 5497],
    ["promo_twenty", "promotion_tier", "20 % over 50", 2, 1199, 1199, 5997, 4798],
  ]);
  const [five, twenty] = big.promotions;
  assert.deepEqual(five.discount, { type: "AMOUNT", amount_off: 500, effect: "APPLY_TO_ORDER" });
  assert.equal(five.banner, "$5 off");
  assert.deepEqual(five.metadata, { badge: "red" });
  assert.deepEqual(twenty.discount, { type: "PERCENT", percent_off: 20, effect: "APPLY_TO_ORDER" });
  assert.deepEqual(await v.validations.validate({ order: { items: ITEMS }, customer: CUSTOMER }), big);

  const small = await v.promotions.validate({ order: { amount: 3000 } });
  assert.deepEqual(small.promotions.map((p) => [p.id, p.order.total_amount]), [["promo_five", 2500]]);
  assert.equal(small.tracking_id, "");
  // Audience rules only: the 20 % tier's audience fits (it has none); only the cart's 30.00 keeps it from applying.
  const audience = await v.promotions.validate({ order: { amount: 3000 } }, { audienceRulesOnly: true });
  assert.deepEqual(audience.promotions.map((p) => [p.id, p.discount_amount, p.order.total_amount]), [["promo_five", 500, 2500], ["promo_twenty", 0, 3000]]);
  engine.free();
});

test("the client's validate: a code (legacy answer) or, without one, the promotions", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW });
  const res = await v.validate({ code: " TEN\n", items: ITEMS, customer: CUSTOMER, orderMetadata: { channel: "web" } });
  assert.equal(res.valid, true);
  assert.equal(res.code, "TEN");
  assert.equal(res.tracking_id, "cust_1");
  assert.equal(res.order.total_discount_amount, 600);
  assert.equal(res.order.total_amount, 5397);
  assert.deepEqual(res.discount, { type: "PERCENT", percent_off: 10, effect: "APPLY_TO_ORDER" });
  v.setIdentity("shopper_9");
  const promos = await v.validate({ amount: 3000 });
  assert.deepEqual(promos, {
    valid: true,
    tracking_id: "shopper_9",
    promotions: [{
      tracking_id: "shopper_9", valid: true, id: "promo_five", name: "5 off",
      discount: { type: "AMOUNT", amount_off: 500, effect: "APPLY_TO_ORDER" },
      hierarchy: 1, object: "promotion_tier", metadata: { badge: "red" }, banner: "$5 off",
    }],
  });
  // A string is a code; without an order the engine says it needs one.
  const bare = await v.validate("TEN");
  assert.equal(bare.valid, false);
  assert.equal(bare.error.key, "missing_order");
  engine.free();
});

test("input the engine refuses rejects with a VoucherifyError whose cause is the PromoError", async () => {
  const engine = await PromoEngine.init();
  const v = createVoucherify({ engine, now: NOW });
  const none = await rejection(v.validations.validateStackable({ redeemables: [{ object: "voucher", id: "TEN" }], order: { amount: 100 } }));
  assertVoucherifyError(none, 503, "no_snapshot");
  assert.ok(isPromoError(none.cause, "NO_SNAPSHOT"));
  engine.loadPlan(PLAN);
  const fractional = await rejection(v.validations.validate("TEN", { order: { items: [{ product_id: "p", price: 10.5, quantity: 1 }] } }));
  assertVoucherifyError(fractional, 400, "invalid_json");
  assert.ok(isPromoError(fractional.cause, "INVALID_JSON"));
  engine.free();
});

/** A fake origin for the outbox: records each POST and answers from `answers` in turn. */
function fakeOrigin(answers) {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url: String(url), method: init.method, headers: init.headers, body: JSON.parse(init.body) });
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { sent, fetch };
}

const REDEEM = { redeemables: [{ object: "voucher", id: "TEN" }], order: { items: ITEMS }, customer: CUSTOMER };

test("redemptions.redeemStackable through a RedemptionOutbox: the origin's body on success", async () => {
  const engine = await loaded();
  const body = {
    id: "rdm_1", object: "redemption", status: "SUCCEEDED", created_at: NOW, snapshot_version: 4, differences: [], earned_points: [],
    result: engine.validate(REDEEM, NOW),
    parent_redemption: { id: "rdm_1", object: "redemption", date: NOW, result: "SUCCESS", related_object_type: "redemption", related_object_id: "rdm_1" },
    redemptions: [],
  };
  const origin = fakeOrigin([[200, body]]);
  const outbox = new RedemptionOutbox({ origin: "https://origin.example", channelKey: "web-key", store: new MemoryStore(), fetch: origin.fetch, newKey: () => "key-1" });
  const v = createVoucherify({ engine, outbox, now: NOW });
  assert.deepEqual(await v.redemptions.redeemStackable(REDEEM), body);
  assert.equal(origin.sent.length, 1);
  assert.equal(origin.sent[0].url, "https://origin.example/v1/redemptions");
  assert.equal(origin.sent[0].headers["idempotency-key"], "key-1");
  assert.equal(origin.sent[0].headers.authorization, "Bearer web-key");
  assert.deepEqual(origin.sent[0].body.redeemables, REDEEM.redeemables);
  assert.deepEqual(await outbox.pending(), []);
  outbox.close();
  engine.free();
});

test("redeemStackable: a used-up code, a refusal, a FAILED answer and a changed result reject with VoucherifyError", async () => {
  const engine = await loaded();
  const failed = engine.validate({ ...REDEEM, redeemables: [{ object: "voucher", id: "BIG" }], order: { amount: 1000 } }, NOW);
  const redemption = { object: "redemption", status: "FAILED", created_at: NOW, snapshot_version: 4, differences: [], earned_points: [], redemptions: [] };
  const origin = fakeOrigin([
    // What the origin answers a code whose uses are spent: a FAILED redemption in Voucherify's 400 envelope.
    [400, { code: 400, key: "quantity_exceeded", message: "Quantity exceeded", request_id: "req_1", ...redemption, id: "rdm_1", result: failed }],
    [401, { code: 401, key: "unauthorized", message: "Unauthorized", request_id: "req_2" }],
    [200, { ...redemption, id: "rdm_3", result: failed }],
    [409, { code: 409, key: "redemption_result_changed", message: "the origin's result differs", request_id: "req_4", ...redemption, status: "REJECTED",
      differences: [{ path: "order.total_amount", client: 5397, origin: 5997, reason: "total_changed" }], result: failed }],
  ]);
  const outbox = new RedemptionOutbox({ origin: "https://origin.example", store: new MemoryStore(), fetch: origin.fetch });
  const v = createVoucherify({ engine, outbox, now: NOW });

  const spent = await rejection(v.redemptions.redeemStackable(REDEEM));
  assertVoucherifyError(spent, 400, "quantity_exceeded");
  assert.equal(spent.message, "Quantity exceeded");
  assert.equal(spent.request_id, "req_1");
  assert.equal(spent.cause.ok, true, "the cause is the outbox's settlement: the origin's FAILED answer");
  assert.equal(spent.cause.redemption.status, "FAILED");

  // The client's redeemStackable is the same call.
  const refused = await rejection(v.redeemStackable(REDEEM));
  assertVoucherifyError(refused, 401, "unauthorized");
  assert.equal(refused.message, "Unauthorized");
  assert.equal(refused.cause.ok, false);
  assert.equal(refused.cause.status, 401);

  // A FAILED answer without the envelope says why in its first inapplicable redeemable.
  const notRedeemed = await rejection(v.redemptions.redeemStackable(REDEEM));
  assertVoucherifyError(notRedeemed, 400, "order_rules_violated");
  assert.equal(notRedeemed.resource_id, "BIG");
  assert.equal(notRedeemed.resource_type, "voucher");

  const changed = await rejection(v.redemptions.redeemStackable(REDEEM));
  assertVoucherifyError(changed, 409, "redemption_result_changed");
  assert.equal(changed.request_id, "req_4");
  assert.equal(changed.cause.rejection.differences[0].reason, "total_changed");
  assert.equal(origin.sent.length, 4);
  assert.deepEqual(await outbox.pending(), []);
  outbox.close();
  engine.free();
});

test("without an outbox redeemStackable rejects with redemptions_not_configured; nothing is sent", async () => {
  const engine = await loaded();
  const v = createVoucherify({ engine, now: NOW });
  assertVoucherifyError(await rejection(v.redemptions.redeemStackable(REDEEM)), 501, "redemptions_not_configured");
  assertVoucherifyError(await rejection(v.redeemStackable(REDEEM)), 501, "redemptions_not_configured");
  assertVoucherifyError(await rejection(v.redemptions.rollbackStackable("rdm_1")), 501, "redemptions_not_configured");
  engine.free();
});

test("redemptions.rollbackStackable posts to the origin's /v1/redemptions/{id}/rollbacks", async () => {
  const engine = await loaded();
  const sent = [];
  const answers = [
    [200, { parent_rollback: { id: "rbk_1", date: NOW, result: "SUCCESS", redemption: "rdm_1" }, rollbacks: [] }],
    [404, { code: 404, key: "redemption_not_found", message: "no redemption `rdm_x`", request_id: "req_9" }],
  ];
  const fetch = async (url, init) => {
    sent.push({ url: String(url), init });
    const [status, body] = answers.shift();
    return new Response(JSON.stringify(body), { status });
  };
  const v = createVoucherify({ engine, now: NOW, origin: { url: "https://origin.example", headers: { "x-app-id": "web", "x-app-token": "secret" }, fetch } });
  const rb = await v.redemptions.rollbackStackable("rdm_1", { reason: "returned" }, { reason: "returned" });
  assert.equal(rb.parent_rollback.redemption, "rdm_1");
  assert.equal(sent[0].url, "https://origin.example/v1/redemptions/rdm_1/rollbacks?reason=returned");
  assert.equal(sent[0].init.method, "POST");
  assert.equal(sent[0].init.headers["x-app-token"], "secret");
  assert.deepEqual(JSON.parse(sent[0].init.body), { reason: "returned" });
  const missing = await rejection(v.redemptions.rollbackStackable("rdm_x"));
  assertVoucherifyError(missing, 404, "redemption_not_found");
  assert.equal(missing.request_id, "req_9");
  engine.free();
});

test("VoucherifyError is made from a Voucherify error body, as the SDK's", () => {
  const e = new VoucherifyError(400, { code: 400, key: "quantity_exceeded", message: "Quantity exceeded", details: "d", request_id: "r" });
  assert.deepEqual({ name: e.name, code: e.code, key: e.key, message: e.message, details: e.details, request_id: e.request_id },
    { name: "VoucherifyError", code: 400, key: "quantity_exceeded", message: "Quantity exceeded", details: "d", request_id: "r" });
  const bare = new VoucherifyError(502, "Bad gateway");
  assert.equal(bare.code, 502);
  assert.equal(bare.key, "http_502");
  assert.equal(bare.message, "Unexpected status code: 502 - Details: Bad gateway");
});
