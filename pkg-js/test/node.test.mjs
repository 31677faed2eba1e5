// The npm package in Node: initialisation paths, the API, errors, and every
// spec vector through the wasm build (vs expected and vs native bytes).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PromoEngine, PromoError, PROMO_ERROR_CODES, describeError, isPromoError, formatMoney, toDecimalString } from "../dist/node.js";
import { errorCodesJson, specVersion } from "../wasm/promo_edge.js";
import { compare, runDump, expectedReport, nativeReport, summary, fromBase64Url, planOf } from "./support/spec.mjs";
import { loadDump, WASM_PATH } from "./support/dump.mjs";
import { makePublisher } from "./support/publish.mjs";

// Campaign sources are compiled by `promo-origin publish` (the wasm has no compiler).
const PROJECT = { project: "shop", channel: "web", currency: { code: "USD", exponent: 2 }, time_zone: "UTC" };
const TEN = {
  id: "camp_1",
  name: "Ten off",
  campaign_type: "DISCOUNT_COUPONS",
  voucher: { discount: { type: "PERCENT", percent_off: 10 } },
  vouchers: [{ code: "TEN" }],
};
const pub = makePublisher();
after(() => pub.cleanup());
// Version 7, issued 2026-01-01, expiring 2027-01-01.
const PLAN = pub.plan({ project: PROJECT, campaigns: [TEN] }, { version: 7 });
const CART = {
  redeemables: [{ object: "voucher", id: "TEN" }],
  order: { items: [{ product_id: "prod_a", price: 1999, quantity: 3 }] },
};
const NOW = "2026-06-01T12:00:00Z";

test("init() in Node reads the packaged .wasm from disk", async () => {
  const engine = await PromoEngine.init();
  assert.equal(engine.status(), null);
  engine.free();
});

test("promotionTiers lists the switched-on tiers in application order", async () => {
  const engine = await PromoEngine.init();
  assert.throws(() => engine.promotionTiers(), (e) => isPromoError(e) && e.code === "NO_SNAPSHOT");
  engine.loadPlan(pub.plan({
    project: { ...PROJECT, categories: [{ id: "cat_ship", hierarchy: 1 }] },
    campaigns: [
      TEN,
      {
        id: "camp_spend",
        name: "Spend more",
        campaign_type: "PROMOTION",
        promotion_tiers: [
          { id: "promo_b", name: "10 % over 100", hierarchy: 2, action: { discount: { type: "PERCENT", percent_off: 10 } } },
          { id: "promo_a", name: "5 % over 50", banner: "5 % off", hierarchy: 1, action: { discount: { type: "PERCENT", percent_off: 5 } } },
          { id: "promo_off", hierarchy: 3, active: false, action: { discount: { type: "PERCENT", percent_off: 50 } } },
        ],
      },
      {
        id: "camp_paused",
        name: "Paused",
        campaign_type: "PROMOTION",
        active: false,
        promotion_tiers: [{ id: "promo_paused", action: { discount: { type: "AMOUNT", amount_off: 100 } } }],
      },
      {
        id: "camp_ship",
        name: "Shipping",
        campaign_type: "PROMOTION",
        category_id: "cat_ship",
        promotion_tiers: [{ id: "promo_ship", name: "Free shipping", action: { discount: { type: "AMOUNT", amount_off: 495 } } }],
      },
    ],
  }));
  // Tiers by hierarchy within their campaign, campaigns as published; the
  // switched-off tier and the paused campaign's tier are left out.
  assert.deepEqual(engine.promotionTiers(), [
    { id: "promo_a", name: "5 % over 50", banner: "5 % off", campaign_id: "camp_spend", campaign_name: "Spend more", categories: [] },
    { id: "promo_b", name: "10 % over 100", campaign_id: "camp_spend", campaign_name: "Spend more", categories: [] },
    { id: "promo_ship", name: "Free shipping", campaign_id: "camp_ship", campaign_name: "Shipping", categories: ["cat_ship"] },
  ]);
  engine.free();
});

test("money is formatted from integers, never through a float", () => {
  assert.equal(toDecimalString(129900, 2), "1299.00");
  assert.equal(toDecimalString(5, 2), "0.05");
  assert.equal(toDecimalString(-5, 2), "-0.05");
  assert.equal(toDecimalString(500, 0), "500");
  assert.equal(toDecimalString(1234, 3), "1.234");
  // 9007199254740991 / 100 as a double is 90071992547409.91 — but 9007199254740993 is not safe.
  assert.equal(toDecimalString(Number.MAX_SAFE_INTEGER, 2), "90071992547409.91");
  assert.throws(() => toDecimalString(1.5, 2), RangeError);
  assert.throws(() => toDecimalString(2 ** 53, 2), RangeError);
  assert.throws(() => toDecimalString(100, -1), RangeError);
  assert.equal(formatMoney(123456789, { code: "EUR", exponent: 2 }), "€1,234,567.89");
  assert.equal(formatMoney(-736, { code: "EUR", exponent: 2 }), "-€7.36");
  assert.equal(formatMoney(1500, { code: "JPY", exponent: 0 }), "¥1,500");
  assert.equal(formatMoney(1234, { code: "KWD", exponent: 3 }), "KWD\u00a01.234");
  assert.equal(formatMoney(1234, { code: "EUR", exponent: 2 }, "de-DE"), "12,34\u00a0€");
  // 1000000000000001 cents: the double 10000000000000.01 prints as …0.01 only by luck; the string is exact.
  assert.equal(formatMoney(1e15 + 1, { code: "EUR", exponent: 2 }), "€10,000,000,000,000.01");
  assert.equal(formatMoney(1250, { code: "XQQ", exponent: 2 }), "XQQ\u00a012.50", "a well-formed code Intl has no symbol for");
  assert.equal(formatMoney(1250, { code: "EURO", exponent: 2 }), "EURO 12.50", "a code Intl refuses");
});

test("initSync from bytes and from a compiled WebAssembly.Module", () => {
  const bytes = readFileSync(WASM_PATH);
  const a = PromoEngine.initSync(bytes);
  const b = PromoEngine.initSync(new WebAssembly.Module(bytes));
  assert.equal(a.loadPlan(PLAN).version, 7);
  assert.equal(b.status(), null, "engines do not share snapshots");
  a.free();
  b.free();
});

test("loadPlan, validate and status; money stays integer minor units", async () => {
  const engine = await PromoEngine.init();
  const report = engine.loadPlan(PLAN);
  assert.deepEqual(report, { version: 7, campaigns: 1, redeemables: 1, disabled: 0, warnings: [], stale: false });
  const res = engine.validate(CART, new Date(NOW));
  assert.equal(res.valid, true);
  assert.equal(res.order.amount, 5997);
  assert.equal(res.order.total_discount_amount, 600); // 599.7 rounded half-up, once
  assert.equal(res.order.total_amount, 5397);
  assert.equal(res.order.items, undefined, "lean by default");
  const expanded = engine.validate({ ...CART, options: { expand: ["order"] } }, NOW);
  assert.ok(expanded.order.items.length === 1 && expanded.order.items.every((i) => Number.isInteger(i.discount_amount)));
  assert.equal(res.snapshot_version, 7);
  // The JSON path is the same bytes, from an object or from text.
  assert.equal(engine.validateJson(CART, NOW), engine.validateJson(JSON.stringify(CART), new Date(NOW)));
  assert.deepEqual(engine.status(NOW), {
    version: 7,
    project: "shop",
    channel: "web",
    issued_at: "2026-01-01T00:00:00.000Z",
    expires_at: "2027-01-01T00:00:00.000Z",
    stale: false,
    currency: { code: "USD", exponent: 2 },
    time_zone: "UTC",
  });
  assert.equal(engine.status(new Date("2027-01-02T00:00:00Z")).stale, true);
  // `now` defaults to the current time.
  assert.equal(typeof engine.validate(CART).valid, "boolean");
  engine.free();
});

test("a business rejection is data, not an exception", async () => {
  const engine = await PromoEngine.init();
  engine.loadPlan(PLAN.buffer.slice(PLAN.byteOffset, PLAN.byteOffset + PLAN.byteLength)); // an ArrayBuffer works too
  const res = engine.validate({ ...CART, redeemables: [{ object: "voucher", id: "NOPE" }] }, NOW);
  assert.equal(res.valid, false);
  assert.equal(res.inapplicable_redeemables[0].result.error.key, "resource_not_found");
  engine.free();
});

test("errors are PromoError instances with a stable code, details and a worded message; a failed load changes nothing", async () => {
  const engine = await PromoEngine.init();
  const expectCode = (fn, code, details, message) =>
    assert.throws(fn, (e) => {
      assert.ok(e instanceof PromoError, `not a PromoError: ${e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.name, "PromoError");
      assert.equal(e.code, code);
      assert.ok(isPromoError(e));
      assert.ok(isPromoError(e, code));
      assert.equal(isPromoError(e, "ARITHMETIC_OVERFLOW"), false);
      if (details !== undefined) assert.deepEqual(e.details, details);
      if (message !== undefined) assert.equal(e.message, message);
      assert.equal(e.message, describeError(e.code, e.details));
      return true;
    });
  expectCode(() => engine.validate(CART, NOW), "NO_SNAPSHOT", {}, "no plan is loaded: call loadBundle (or loadPlan) first");
  expectCode(() => engine.loadPlan(new TextEncoder().encode("not a plan")), "PLAN_INVALID", { reason: "magic" },
    "not a valid plan (the magic check failed)");
  expectCode(() => engine.loadPlan(PLAN.subarray(0, PLAN.length - 1)), "PLAN_TRUNCATED", {}, "the plan is truncated");
  const wrongVersion = PLAN.slice();
  wrongVersion[7] = 9;
  expectCode(() => engine.loadPlan(wrongVersion), "PLAN_VERSION_UNSUPPORTED", { found: 9 },
    "plan format 9 is not supported (this engine reads promo-edge.plan/2)");
  engine.loadPlan(PLAN);
  expectCode(() => engine.loadPlan(pub.plan({ project: PROJECT, campaigns: [TEN] }, { version: 6 })), "SNAPSHOT_NOT_NEWER",
    { held: 7, offered: 6 }, "version 6 is not newer than the held version 7 (a rollback is refused)");
  expectCode(() => engine.validate(CART, "tomorrow"), "INVALID_TIMESTAMP", { value: "tomorrow" }, '"tomorrow" is not an RFC 3339 timestamp');
  expectCode(() => engine.validate(CART, new Date("garbage")), "INVALID_TIMESTAMP", { value: "Invalid Date" });
  expectCode(() => engine.status("not a time"), "INVALID_TIMESTAMP");
  expectCode(() => engine.validate("{", NOW), "INVALID_JSON");
  expectCode(
    () => engine.validate({ ...CART, order: { items: [{ product_id: "p", price: 10.5, quantity: 1 }] } }, NOW),
    "INVALID_JSON",
  );
  expectCode(
    () => engine.validate({ ...CART, order: { items: [{ product_id: "p", price: -5, quantity: 1 }] } }, NOW),
    "AMOUNT_OUT_OF_RANGE",
  );
  const items = Array.from({ length: 501 }, () => ({ product_id: "p", price: 1, quantity: 1 }));
  expectCode(() => engine.validate({ order: { items } }, NOW), "TOO_MANY_ORDER_ITEMS", { count: 501, limit: 500 },
    "the order has 501 items, over the limit of 500");
  assert.equal(engine.status(NOW).version, 7, "the held snapshot still serves");
  // A JS-side failure is not turned into a PromoError.
  const circular = {};
  circular.self = circular;
  assert.throws(() => engine.validate(circular, NOW), TypeError);
  engine.free();
});

test("the PromoErrorCode union equals Error::ALL_CODES, and every code has a wording", async () => {
  await PromoEngine.init();
  assert.deepEqual([...PROMO_ERROR_CODES], JSON.parse(errorCodesJson()));
  for (const code of PROMO_ERROR_CODES) {
    // Every field the wording reads is filled, so an unfilled one would show as "undefined".
    const details = new Proxy({}, { get: (_, k) => (typeof k === "string" ? `<${k}>` : undefined) });
    const text = describeError(code, details);
    assert.ok(text.length > 10 && !/undefined|\[object/.test(text), `${code}: ${text}`);
  }
  assert.deepEqual([...PROMO_ERROR_CODES], loadDump().error_codes);
  assert.equal(specVersion(), loadDump().spec_version);
});

test("spec vectors through the wasm build in Node", async (t) => {
  const dump = loadDump();
  const wasm = new WebAssembly.Module(readFileSync(WASM_PATH));
  const outputs = await runDump(() => PromoEngine.initSync(wasm), dump);
  const result = compare(dump, outputs);
  t.diagnostic(summary(result));
  assert.equal(result.ran + result.nativeOnly, result.count);
  assert.ok(result.ran > 0);
  await t.test("byte-for-byte equal to the native engine", () => {
    assert.ok(result.notNative.length === 0, nativeReport(result));
  });
  await t.test("match expected", () => {
    assert.ok(result.notExpected.length === 0, expectedReport(result));
  });
});

test("JS objects (integer-like keys reordered by JS) give the same answers as text", async () => {
  const dump = loadDump();
  const engine = await PromoEngine.init();
  const differ = [];
  let compared = 0;
  for (const file of dump.files) {
    file.cases.forEach((c, i) => {
      const plan = planOf(file, c);
      if (plan === null) return; // native-only: the compiler refused its snapshot
      const a = PromoEngine.initSync(readFileSync(WASM_PATH));
      compared++;
      try {
        a.loadPlan(fromBase64Url(plan));
      } catch (e) {
        a.free();
        if (JSON.stringify({ error: e.code, stage: "load" }) !== c.output) differ.push(`${file.name} case ${i}: load ${e}`);
        return;
      }
      let out;
      try {
        const method = { validate: "validate", qualify: "qualify", price_products: "priceProducts" }[c.call];
        out = a[method](JSON.parse(c.request), c.now);
      } catch (e) {
        out = { error: e.code };
      }
      a.free();
      if (JSON.stringify(out) !== JSON.stringify(JSON.parse(c.output))) differ.push(`${file.name} case ${i}`);
    });
  }
  engine.free();
  assert.deepEqual(differ, []);
  assert.ok(compared > 600, `${compared} cases compared`);
});
