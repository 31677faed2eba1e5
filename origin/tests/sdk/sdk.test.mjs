// The official npm `@voucherify/sdk` (2.9.0) against `promo-origin serve`:
// each SDK call's answer is asserted on values worked out by hand from the
// fixture campaigns, and collected; the last test type-checks every answer
// (and every request sent) against the types the SDK declares (typecheck.mjs,
// tsc --strict).
//
// Fixtures (../fixtures/source): USD, prod_mug 1000, prod_tee 2500; WELCOME
// 10% (once per customer), TWICE 100 off (2 uses), DAILY 100 off (once a day
// per customer), ONCE-1/2/3 500 off (unique, 1 use each), GIFT-1 a 5000 gift
// card, CARD-1 a loyalty card of 1000 points held by cust_1 (COIN reward
// rew_coin: 1 point = 1 cent). No promotion tiers. The cart is 2 × mug +
// 1 × tee = 4500 throughout.
//
// Run: PROMO_ORIGIN_BIN=…/promo-origin node --test --test-concurrency=1
// (SDK_ANSWERS_OUT=answers.json also saves what was collected, for
// `node typecheck.mjs answers.json`). The tests share one server and its
// ledger and run in file order.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
// The package's `main` is a UMD build: Node sees only a default export.
import voucherify from "@voucherify/sdk";
import { serveOrigin } from "../js/serve.mjs";
import { typecheck, formatErrors } from "./typecheck.mjs";

const { VoucherifyServerSide, VoucherifyClientSide } = voucherify;

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.PROMO_ORIGIN_BIN ?? join(here, "../../../target/debug/promo-origin");
const source = join(here, "../fixtures/source");
const NOW = "2026-06-01T12:00:00Z";
const APP = "web";
const SECRET = "server-secret-0123456789";
const CLIENT_TOKEN = "client-token-0123456789";
const SHOP = "http://shop.test";
const EVIL = "http://evil.test";
const CALL_MS = 10_000; // every SDK call and fetch
const TEST = { timeout: 60_000 };

const ITEMS = [
  { product_id: "prod_mug", quantity: 2 },
  { product_id: "prod_tee", quantity: 1 },
];
const voucher = (id) => ({ object: "voucher", id });

let dir;
let origin;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "promo-origin-sdk-"));
  execFileSync(bin, ["keygen", "--out", join(dir, "keys")], { encoding: "utf8", timeout: 60_000 });
  origin = await serveOrigin(bin, [
    "--source", source,
    "--key", join(dir, "keys/signing-key.jwk.json"),
    "--database", `sqlite:${join(dir, "ledger.db")}`,
    "--listen", "127.0.0.1:0",
    "--channel-key", `${APP}=${SECRET}`,
    "--client-key", `${APP}=${CLIENT_TOKEN}`,
    "--allowed-origin", SHOP,
    "--client-redeem",
    "--now", NOW,
  ]);
});

after(async () => {
  if (origin) await origin.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const server = (secretKey = SECRET) =>
  VoucherifyServerSide({ applicationId: APP, secretKey, apiUrl: origin.url, timeoutMs: CALL_MS, exposeErrorCause: true });
const client = (from = SHOP) =>
  VoucherifyClientSide({ clientApplicationId: APP, clientSecretKey: CLIENT_TOKEN, apiUrl: origin.url, origin: from,
                         timeoutMs: CALL_MS, exposeErrorCause: true });

// ---------------------------------------------------------------- answers

/** Every answer (and request) to type-check: [{name, type, value}]. */
const answers = [];
/** The names the type-check test expects, registered with each test. */
const expected = new Set();

/** What the running test kept, to show with its failure. */
let kept = [];

/**
 * A test whose answers (by name) the last test type-checks. A failure says
 * which HTTP answer the SDK rejected, or shows the last answer kept.
 */
function sdkTest(title, names, fn) {
  for (const n of names) expected.add(n);
  test(title, TEST, async (t) => {
    kept = [];
    try {
      await fn(t);
    } catch (err) {
      const last = kept.at(-1);
      const shown = last ? `\nthe last answer kept (${last.name}): ${JSON.stringify(last.value).slice(0, 2000)}` : "";
      if (err instanceof assert.AssertionError) {
        err.message += shown;
        throw err;
      }
      // An SDK rejection: its status and body, without the AxiosError cause.
      const what = err && (err.isAxiosError || "key" in err) ? `the SDK rejected: ${describe(err)}` : String(err?.stack ?? err);
      throw new Error(`${what}${shown}`);
    }
  });
}

/** Keeps `value` (an SDK answer or request) for the type-check; returns it. */
function keep(name, type, value) {
  if (!expected.has(name)) throw new Error(`keep(${JSON.stringify(name)}): not registered with its test`);
  answers.push({ name, type, value });
  kept.push({ name, value });
  return value;
}

/** Sends `params` (type-checked as `paramsType`) and keeps the answer. */
async function call(name, responseType, paramsType, params, send) {
  if (paramsType) keep(`${name} (request)`, paramsType, params);
  return keep(name, responseType, await send(params));
}

/** `name` and, when a request type is given, `name (request)`. */
const withRequest = (...names) => names.flatMap((n) => [n, `${n} (request)`]);

// ---------------------------------------------------------------- helpers

/** The rejection of `promise` (it must reject). */
async function rejection(promise) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    return e;
  }
  assert.fail(`expected the SDK to reject, it resolved with ${JSON.stringify(value)}`);
}

function describe(err) {
  const { code, key, message, details, request_id } = err;
  return JSON.stringify({ status: err.cause?.response?.status, code, key, message, details, request_id,
                          body: err.cause?.response?.data, transport: err.isAxiosError ? err.message : undefined });
}

/**
 * `err` is the SDK's VoucherifyError (its class is not exported, and the
 * minified build renames it) for an HTTP `status` answer: the SDK copies the
 * body's `code`, `key`, `message`, `details`, `request_id` onto it.
 */
function assertVoucherifyError(err, status, key) {
  assert.ok(err instanceof Error, `not an Error: ${err}`);
  assert.ok(!err.isAxiosError, `a transport error, not an HTTP answer: ${describe(err)}`);
  assert.equal(err.cause?.response?.status, status, `HTTP status: ${describe(err)}`);
  assert.equal(err.code, status, `VoucherifyError.code is the body's \`code\`: ${describe(err)}`);
  assert.equal(typeof err.key, "string", `the body has a \`key\`: ${describe(err)}`);
  if (key !== undefined) assert.equal(err.key, key, describe(err));
  assert.equal(typeof err.request_id, "string", `the body has a \`request_id\`: ${describe(err)}`);
  assert.ok(!err.message.startsWith("Unexpected status code"), `the body has a \`message\`: ${describe(err)}`);
}

function byId(list, id) {
  const found = (list ?? []).find((r) => r.id === id);
  assert.ok(found, `no ${id} among ${JSON.stringify((list ?? []).map((r) => r.id))}`);
  return found;
}

function assertTotals(order, { amount = 4500, discount, total }) {
  assert.ok(order, "an order in the answer");
  assert.equal(order.amount, amount, "order.amount");
  assert.equal(order.total_discount_amount, discount, "order.total_discount_amount");
  assert.equal(order.total_amount, total, "order.total_amount");
}

/** A fetch bounded by CALL_MS; resolves to {status, headers, body (JSON or text)}. */
async function request(method, path, { headers = {}, body } = {}) {
  const res = await fetch(`${origin.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(CALL_MS),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed };
}

const serverHeaders = { "X-App-Id": APP, "X-App-Token": SECRET };
const clientHeaders = (from = SHOP) => ({ "X-Client-Application-Id": APP, "X-Client-Token": CLIENT_TOKEN, Origin: from });

/** Voucherify's error body: {code: status, key, message, request_id}. */
function assertErrorBody(r, status, key) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(typeof r.body, "object", `a JSON body: ${r.body}`);
  assert.equal(r.body.code, status, JSON.stringify(r.body));
  assert.equal(typeof r.body.key, "string", JSON.stringify(r.body));
  if (key !== undefined) assert.equal(r.body.key, key, JSON.stringify(r.body));
  assert.equal(typeof r.body.message, "string", JSON.stringify(r.body));
  assert.equal(typeof r.body.request_id, "string", JSON.stringify(r.body));
}

// ------------------------------------------- promo-edge/voucherify, locally

/** An answer without what only one side says: counters the local engine assumed (the origin reads them). */
function comparable(v) {
  return JSON.parse(JSON.stringify(v, (k, x) => (k === "counters_assumed" ? undefined : x)));
}

// First, while the ledger is fresh (the origin's live counters are then the
// published ones the bundle carries): the same calls through the npm
// package's `promo-edge/voucherify`, evaluated from the origin's own bundle,
// answer what the origin answers through the SDK.
sdkTest("promo-edge/voucherify answers the SDK's calls locally, equal to the origin's answers", [], async () => {
  const pkg = join(here, "../../../pkg-js/dist");
  const { PromoEngine } = await import(join(pkg, "node.js"));
  const { createVoucherify } = await import(join(pkg, "voucherify.js"));
  const bundle = await fetch(`${origin.url}/v1/bundles/${APP}`, { signal: AbortSignal.timeout(CALL_MS) });
  const keys = await fetch(`${origin.url}/v1/keys`, { signal: AbortSignal.timeout(CALL_MS) });
  const engine = await PromoEngine.init();
  engine.loadBundle(new Uint8Array(await bundle.arrayBuffer()), await keys.text(), { now: NOW });
  const local = createVoucherify({ engine, now: NOW });
  const customer = { source_id: "cust_local" };
  const cart = { items: ITEMS };
  const stack = { redeemables: [voucher("WELCOME"), voucher("TWICE"), { object: "voucher", id: "GIFT-1", gift: {} }], order: cart, customer };
  const pairs = [
    ["validateStackable", (c) => c.validations.validateStackable(stack)],
    ["validateStackable expanded", (c) => c.validations.validateStackable({ ...stack, options: { expand: ["order", "redeemable"] } })],
    ["checkEligibility ALL", (c) => c.qualifications.checkEligibility({ customer, order: cart, scenario: "ALL", options: { limit: 10 } })],
    ["checkEligibility AUDIENCE_ONLY", (c) => c.qualifications.checkEligibility({ customer, scenario: "AUDIENCE_ONLY" })],
    ["validations.validate WELCOME", (c) => c.validations.validate("WELCOME", { customer, order: cart })],
    ["validations.validate GIFT-1", (c) => c.validations.validate("GIFT-1", { customer, order: cart, gift: { credits: 1000 } })],
    ["validations.validate unknown", (c) => c.validations.validate("NOPE", { customer, order: cart })],
    ["promotions.validate", (c) => c.promotions.validate({ customer, order: cart })],
  ];
  for (const [name, callWith] of pairs) {
    const remote = await callWith(server());
    assert.deepEqual(comparable(await callWith(local)), comparable(remote), name);
  }
  // The client side: the same object stands in for VoucherifyClientSide.
  const viaClient = await client().validateStackable(stack);
  assert.deepEqual(comparable(await local.validateStackable(stack)), comparable(viaClient), "client validateStackable");
  const legacyClient = await client().validate({ code: "WELCOME", items: ITEMS, customer });
  assert.deepEqual(comparable(await local.validate({ code: "WELCOME", items: ITEMS, customer })), comparable(legacyClient), "client validate");
});

// ------------------------------------------------------ server: validations

sdkTest("server validations.validateStackable: WELCOME then TWICE take 450 + 100 off 4500",
  withRequest("validateStackable"), async () => {
    const r = await call("validateStackable", "ValidationValidateStackableResponse", "ValidationsValidateStackableParams",
      { redeemables: [voucher("WELCOME"), voucher("TWICE")], order: { items: ITEMS }, customer: { source_id: "cust_validate" } },
      (p) => server().validations.validateStackable(p));
    assert.equal(r.valid, true);
    assert.deepEqual(r.redeemables.map((x) => [x.status, x.id, x.object]),
                     [["APPLICABLE", "WELCOME", "voucher"], ["APPLICABLE", "TWICE", "voucher"]]);
    const [welcome, twice] = r.redeemables;
    assert.equal(welcome.result.discount.type, "PERCENT");
    assert.equal(welcome.result.discount.percent_off, 10);
    assert.equal(twice.result.discount.type, "AMOUNT");
    assert.equal(twice.result.discount.amount_off, 100);
    // 10% of 4500 = 450, then 100: 550 off, 3950 to pay.
    assertTotals(r.order, { discount: 550, total: 3950 });
    assert.deepEqual(r.skipped_redeemables ?? [], []);
    assert.deepEqual(r.inapplicable_redeemables ?? [], []);
    assert.equal(r.stacking_rules.applicable_redeemables_limit, 5, "project.json's stacking rules");
  });

sdkTest("server validations.validateStackable: a sixth applicable redeemable is SKIPPED at the limit of 5",
  withRequest("validateStackable skipped"), async () => {
    const r = await call("validateStackable skipped", "ValidationValidateStackableResponse", "ValidationsValidateStackableParams",
      { redeemables: ["WELCOME", "TWICE", "DAILY", "ONCE-2", "ONCE-3"].map(voucher)
          .concat([{ object: "voucher", id: "GIFT-1", gift: { credits: 100 } }]),
        order: { items: ITEMS }, customer: { source_id: "cust_skip" } },
      (p) => server().validations.validateStackable(p));
    assert.equal(r.valid, true);
    assert.deepEqual(r.redeemables.map((x) => x.id), ["WELCOME", "TWICE", "DAILY", "ONCE-2", "ONCE-3"]);
    assert.equal(r.skipped_redeemables.length, 1);
    const [skipped] = r.skipped_redeemables;
    assert.deepEqual([skipped.status, skipped.id, skipped.object], ["SKIPPED", "GIFT-1", "voucher"]);
    assert.equal(skipped.result.details.key, "applicable_redeemables_limit_exceeded");
    // 450 + 100 + 100 + 500 + 500 = 1650 off 4500.
    assertTotals(r.order, { discount: 1650, total: 2850 });
  });

// ------------------------------------------------------ server: redemptions

sdkTest("server redemptions.redeemStackable, then rollbackStackable gives WELCOME's use back",
  [...withRequest("redeemStackable", "validateStackable inapplicable"), "rollbackStackable", "validateStackable after rollback"],
  async () => {
    const customer = { source_id: "cust_redeem" };
    const body = { redeemables: [voucher("WELCOME"), voucher("TWICE")], order: { items: ITEMS }, customer };
    const r = await call("redeemStackable", "RedemptionsRedeemStackableResponse", "RedemptionsRedeemStackableParams", body,
      (p) => server().redemptions.redeemStackable(p));
    const parent = r.parent_redemption;
    assert.equal(typeof parent.id, "string");
    assert.equal(parent.object, "redemption");
    assert.equal(parent.result, "SUCCESS");
    assert.equal(parent.related_object_type, "redemption");
    assert.equal(r.redemptions.length, 2);
    assert.deepEqual(r.redemptions.map((x) => x.voucher.code), ["WELCOME", "TWICE"]);
    for (const x of r.redemptions) {
      assert.equal(x.object, "redemption");
      assert.equal(x.result, "SUCCESS");
      assert.equal(x.related_object_type, "voucher");
      assert.equal(x.redemption, parent.id, "each redemption names its parent");
    }
    assertTotals(r.order, { discount: 550, total: 3950 });

    // WELCOME is once per customer: used now.
    const used = await call("validateStackable inapplicable", "ValidationValidateStackableResponse", "ValidationsValidateStackableParams",
      { redeemables: [voucher("WELCOME")], order: { items: ITEMS }, customer },
      (p) => server().validations.validateStackable(p));
    assert.equal(used.valid, false);
    assert.deepEqual(used.redeemables?.filter((x) => x.status === "APPLICABLE") ?? [], []);
    const [inapplicable] = used.inapplicable_redeemables;
    assert.deepEqual([inapplicable.status, inapplicable.id, inapplicable.object], ["INAPPLICABLE", "WELCOME", "voucher"]);
    assert.equal(typeof inapplicable.result.error?.message, "string", JSON.stringify(inapplicable.result));

    const rb = keep("rollbackStackable", "RedemptionsRollbackStackableResponse",
      await server().redemptions.rollbackStackable(parent.id));
    assert.equal(rb.parent_rollback.result, "SUCCESS");
    assert.equal(rb.parent_rollback.redemption, parent.id, "the parent rollback names the parent redemption");
    assert.equal(rb.rollbacks.length, 2);
    for (const x of rb.rollbacks) assert.equal(x.result, "SUCCESS");
    assert.deepEqual(rb.rollbacks.map((x) => x.redemption).sort(), r.redemptions.map((x) => x.id).sort(),
                     "each rollback names the redemption it undid");

    const again = keep("validateStackable after rollback", "ValidationValidateStackableResponse",
      await server().validations.validateStackable({ redeemables: [voucher("WELCOME")], order: { items: ITEMS }, customer }));
    assert.equal(again.valid, true);
    assert.equal(byId(again.redeemables, "WELCOME").status, "APPLICABLE");
    assertTotals(again.order, { discount: 450, total: 4050 });
  });

sdkTest("server redemptions.redeemStackable: ONCE-1 a second time is a 400 quantity_exceeded, and the legacy validate says invalid",
  [...withRequest("redeemStackable ONCE-1", "validate ONCE-1 used up")], async () => {
    const body = { redeemables: [voucher("ONCE-1")], order: { items: ITEMS }, customer: { source_id: "cust_once" } };
    const first = await call("redeemStackable ONCE-1", "RedemptionsRedeemStackableResponse", "RedemptionsRedeemStackableParams", body,
      (p) => server().redemptions.redeemStackable(p));
    assert.equal(first.parent_redemption.result, "SUCCESS");
    assert.deepEqual(first.redemptions.map((x) => [x.voucher.code, x.result]), [["ONCE-1", "SUCCESS"]]);
    assertTotals(first.order, { discount: 500, total: 4000 });

    const err = await rejection(server().redemptions.redeemStackable(body));
    assertVoucherifyError(err, 400, "quantity_exceeded");

    const v = await call("validate ONCE-1 used up", "ValidationsValidateVoucherResponse", "ValidationsValidateVoucherParams",
      { order: { items: ITEMS }, customer: { source_id: "cust_once" } },
      (p) => server().validations.validate("ONCE-1", p));
    assert.equal(v.valid, false);
    assert.equal(v.code, "ONCE-1");
  });

// --------------------------------------------------- server: qualifications

sdkTest("server qualifications.checkEligibility ALL: WELCOME and TWICE, each priced alone on the cart",
  withRequest("checkEligibility ALL"), async () => {
    const r = await call("checkEligibility ALL", "QualificationsCheckEligibilityResponseBody", "QualificationsCheckEligibilityRequestBody",
      { scenario: "ALL", customer: { source_id: "cust_qualify" }, order: { items: ITEMS }, options: { limit: 50 } },
      (p) => server().qualifications.checkEligibility(p));
    assert.equal(r.redeemables.object, "list");
    assert.equal(r.redeemables.data_ref, "data");
    assert.equal(r.redeemables.has_more, false);
    assert.equal(r.redeemables.total, r.redeemables.data.length);
    const welcome = byId(r.redeemables.data, "WELCOME");
    assert.equal(welcome.object, "voucher");
    assert.equal(welcome.result.discount.type, "PERCENT");
    assert.equal(welcome.result.discount.percent_off, 10);
    assertTotals(welcome.order, { discount: 450, total: 4050 });
    const twice = byId(r.redeemables.data, "TWICE");
    assert.equal(twice.result.discount.amount_off, 100);
    assertTotals(twice.order, { discount: 100, total: 4400 });
    // Not public: a unique gift card nobody holds.
    assert.ok(!r.redeemables.data.some((x) => x.id === "GIFT-1" || x.id === "v_gift_1"));
    assert.equal(r.order.amount, 4500, "the cart before any redeemable");
  });

sdkTest("server qualifications.checkEligibility AUDIENCE_ONLY: the customer's redeemables, the cart ignored",
  withRequest("checkEligibility AUDIENCE_ONLY"), async () => {
    const r = await call("checkEligibility AUDIENCE_ONLY", "QualificationsCheckEligibilityResponseBody", "QualificationsCheckEligibilityRequestBody",
      { scenario: "AUDIENCE_ONLY", customer: { source_id: "cust_qualify" }, options: { limit: 50 } },
      (p) => server().qualifications.checkEligibility(p));
    assert.equal(r.redeemables.object, "list");
    assert.equal(byId(r.redeemables.data, "WELCOME").object, "voucher");
    assert.equal(byId(r.redeemables.data, "TWICE").object, "voucher");
    assert.ok(!r.redeemables.data.some((x) => x.id === "GIFT-1" || x.id === "v_gift_1"));
  });

// ------------------------------------------- server: promotions, legacy, get

sdkTest("server promotions.validate: no promotion tiers in the fixtures, so none valid",
  withRequest("promotions.validate"), async () => {
    const r = await call("promotions.validate", "PromotionsValidateResponse", "PromotionsValidateParams",
      { order: { items: ITEMS }, customer: { source_id: "cust_promo" } },
      (p) => server().promotions.validate(p));
    assert.equal(r.valid, false);
    assert.deepEqual(r.promotions ?? [], []);
  });

sdkTest("server validations.validate(code, ctx): the legacy single-code validation of WELCOME",
  withRequest("validate WELCOME"), async () => {
    const r = await call("validate WELCOME", "ValidationsValidateVoucherResponse", "ValidationsValidateVoucherParams",
      { order: { items: ITEMS }, customer: { source_id: "cust_legacy" } },
      (p) => server().validations.validate("WELCOME", p));
    assert.equal(r.valid, true);
    assert.equal(r.code, "WELCOME");
    assert.equal(r.campaign_id, "camp_welcome");
    assert.equal(r.discount.type, "PERCENT");
    assert.equal(r.discount.percent_off, 10);
    assert.equal(typeof r.tracking_id, "string");
    assertTotals(r.order, { discount: 450, total: 4050 });
    assert.equal(r.order.discount_amount, 450);
  });

sdkTest("server vouchers.get: a discount code, a gift card's balance, a loyalty card's points",
  ["vouchers.get WELCOME", "vouchers.get GIFT-1", "vouchers.get CARD-1"], async () => {
    const welcome = keep("vouchers.get WELCOME", "VouchersGetResponse", await server().vouchers.get("WELCOME"));
    assert.equal(welcome.object, "voucher");
    assert.equal(welcome.code, "WELCOME");
    assert.equal(welcome.type, "DISCOUNT_VOUCHER");
    assert.equal(welcome.active, true);
    assert.equal(welcome.discount.type, "PERCENT");
    assert.equal(welcome.discount.percent_off, 10);

    const gift = keep("vouchers.get GIFT-1", "VouchersGetResponse", await server().vouchers.get("GIFT-1"));
    assert.equal(gift.code, "GIFT-1");
    assert.equal(gift.id, "v_gift_1");
    assert.equal(gift.type, "GIFT_VOUCHER");
    // Only validated so far, never redeemed.
    assert.deepEqual([gift.gift.amount, gift.gift.balance], [5000, 5000]);

    const card = keep("vouchers.get CARD-1", "VouchersGetResponse", await server().vouchers.get("CARD-1"));
    assert.equal(card.code, "CARD-1");
    assert.equal(card.id, "v_card_1");
    assert.equal(card.loyalty_card.points, 1000);
  });

sdkTest("server vouchers.get of an unknown code is a 404 not_found", [], async () => {
  assertVoucherifyError(await rejection(server().vouchers.get("NO-SUCH-CODE")), 404, "not_found");
});

// ---------------------------------------------------------- client side

sdkTest("client validateStackable: the same 550 off through /client/v1",
  withRequest("client validateStackable"), async () => {
    const r = await call("client validateStackable", "ClientSideValidationValidateStackableResponse",
      "ClientSideValidationsValidateStackableParams",
      { redeemables: [voucher("WELCOME"), voucher("TWICE")], order: { items: ITEMS }, customer: { source_id: "cust_client" } },
      (p) => client().validateStackable(p));
    assert.equal(r.valid, true);
    assert.deepEqual(r.redeemables.map((x) => [x.status, x.id]), [["APPLICABLE", "WELCOME"], ["APPLICABLE", "TWICE"]]);
    assertTotals(r.order, { discount: 550, total: 3950 });
  });

sdkTest("client qualifications: WELCOME priced alone on the cart",
  withRequest("client qualifications"), async () => {
    const r = await call("client qualifications", "QualificationsCheckEligibilityResponseBody", "QualificationsCheckEligibilityRequestBody",
      { scenario: "ALL", customer: { source_id: "cust_client" }, order: { items: ITEMS }, options: { limit: 50 } },
      (p) => client().qualifications(p));
    const welcome = byId(r.redeemables.data, "WELCOME");
    assert.equal(welcome.result.discount.percent_off, 10);
    assertTotals(welcome.order, { discount: 450, total: 4050 });
  });

sdkTest("client redeemStackable (--client-redeem): TWICE, 100 off",
  withRequest("client redeemStackable"), async () => {
    const r = await call("client redeemStackable", "ClientSideRedemptionsRedeemStackableResponse",
      "ClientSideRedemptionsRedeemStackableParams",
      { redeemables: [voucher("TWICE")], order: { items: ITEMS }, customer: { source_id: "cust_client" } },
      (p) => client().redeemStackable(p));
    assert.equal(r.parent_redemption.result, "SUCCESS");
    assert.deepEqual(r.redemptions.map((x) => [x.voucher.code, x.result, x.redemption]),
                     [["TWICE", "SUCCESS", r.parent_redemption.id]]);
    assertTotals(r.order, { discount: 100, total: 4400 });
  });

sdkTest("client validate({code, items}): GET /client/v1/validate of WELCOME",
  withRequest("client validate WELCOME"), async () => {
    const r = await call("client validate WELCOME", "ClientSideValidateResponse", "ClientSideValidateParams",
      { code: "WELCOME", items: ITEMS, customer: { source_id: "cust_client_validate" } },
      (p) => client().validate(p));
    assert.equal(r.valid, true);
    assert.equal(r.code, "WELCOME");
    assert.equal(r.discount.type, "PERCENT");
    assert.equal(r.discount.percent_off, 10);
    assertTotals(r.order, { discount: 450, total: 4050 });
    assert.equal(r.order.discount_amount, 450);
  });

// -------------------------------------------------------------- errors

sdkTest("a wrong secret is a VoucherifyError 401 unauthorized", [], async () => {
  const err = await rejection(server("not-the-secret-0123456789").validations.validateStackable(
    { redeemables: [voucher("WELCOME")], order: { items: ITEMS } }));
  assertVoucherifyError(err, 401, "unauthorized");
});

sdkTest("a client token on a server route is 403", [], async () => {
  const r = await request("POST", "/v1/validations", {
    headers: clientHeaders(),
    body: { redeemables: [voucher("WELCOME")], order: { items: ITEMS } },
  });
  assertErrorBody(r, 403);
});

sdkTest("an unknown route is 404 with Voucherify's error body", [], async () => {
  assertErrorBody(await request("GET", "/v1/no-such-route", { headers: serverHeaders }), 404);
  assertErrorBody(await request("POST", "/v1/no-such-route", { headers: serverHeaders, body: {} }), 404);
});

// ---------------------------------------------------------------- CORS

const PREFLIGHT_HEADERS = ["content-type", "x-client-application-id", "x-client-token", "x-voucherify-channel"];

sdkTest("CORS: the allowed origin's preflight and POST carry Access-Control-Allow-Origin", [], async () => {
  const pre = await request("OPTIONS", "/client/v1/validations", {
    headers: { Origin: SHOP, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": PREFLIGHT_HEADERS.join(", ") },
  });
  assert.ok(pre.status >= 200 && pre.status < 300, `preflight status ${pre.status}`);
  assert.equal(pre.headers.get("access-control-allow-origin"), SHOP);
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /\bPOST\b/);
  const allowed = (pre.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
  for (const h of PREFLIGHT_HEADERS)
    assert.ok(allowed.includes(h) || allowed.includes("*"), `${h} not in Access-Control-Allow-Headers: ${allowed}`);

  const post = await request("POST", "/client/v1/validations", {
    headers: clientHeaders(SHOP),
    body: { redeemables: [voucher("WELCOME")], order: { items: ITEMS } },
  });
  assert.equal(post.status, 200, JSON.stringify(post.body));
  assert.equal(post.headers.get("access-control-allow-origin"), SHOP);
  assert.equal(post.body.valid, true);
});

sdkTest("CORS: another origin gets no Access-Control-Allow-Origin, and its POST is 403", [], async () => {
  const pre = await request("OPTIONS", "/client/v1/validations", {
    headers: { Origin: EVIL, "Access-Control-Request-Method": "POST",
               "Access-Control-Request-Headers": PREFLIGHT_HEADERS.join(", ") },
  });
  assert.equal(pre.headers.get("access-control-allow-origin"), null, `preflight status ${pre.status}`);

  const post = await request("POST", "/client/v1/validations", {
    headers: clientHeaders(EVIL),
    body: { redeemables: [voucher("WELCOME")], order: { items: ITEMS } },
  });
  assertErrorBody(post, 403);
  assert.equal(post.headers.get("access-control-allow-origin"), null);

  // The same through the client SDK.
  const err = await rejection(client(EVIL).validateStackable({ redeemables: [voucher("WELCOME")], order: { items: ITEMS } }));
  assertVoucherifyError(err, 403);
});

// ---------------------------------------------------------- the types

test("every answer type-checks against the SDK's types", TEST, async () => {
  if (process.env.SDK_ANSWERS_OUT) writeFileSync(process.env.SDK_ANSWERS_OUT, JSON.stringify(answers, null, 2) + "\n");
  const missing = [...expected].filter((n) => !answers.some((a) => a.name === n));
  const { errors } = await typecheck(answers, { timeoutMs: 45_000 });
  // Only the readable text on failure (SDK_ANSWERS_OUT + `node typecheck.mjs
  // FILE --full` for the types in full).
  assert.ok(errors.length === 0, `${errors.length} type error(s):\n\n${formatErrors(errors)}\n`);
  assert.deepEqual(missing, [], "answers not collected (their test failed before the call answered)");
});
