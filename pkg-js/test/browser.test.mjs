// The npm package in headless Chromium: every spec vector, vs expected and
// vs the native engine's bytes, and the error class across the boundary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { compare, expectedReport, nativeReport, summary } from "./support/spec.mjs";
import { loadDump, PKG_ROOT } from "./support/dump.mjs";
import { serve } from "./support/server.mjs";
import { launch, openPage } from "./support/chromium.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makePublisher } from "./support/publish.mjs";

let server;
let browser;
let page;
before(async () => {
  server = await serve(PKG_ROOT);
  browser = await launch();
  ({ page } = await openPage(browser.context, `${server.url}test/browser/index.html`));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test("the page initialised the engine with one await", async () => {
  assert.equal(await page.evaluate(() => window.__ready), true);
});

test("spec vectors through the wasm build in Chromium", async (t) => {
  const dump = loadDump();
  const outputs = await page.evaluate((d) => window.runSpec(d), dump);
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

test("errors arrive as PromoError with a code", async () => {
  const seen = await page.evaluate(async () => {
    const engine = await window.PromoEngine.init();
    try {
      engine.validate({}, "2026-01-01T00:00:00Z");
      return "no error";
    } catch (e) {
      return { isPromoError: e instanceof window.PromoError, name: e.name, code: e.code, details: e.details, message: e.message };
    } finally {
      engine.free();
    }
  });
  assert.deepEqual(seen, {
    isPromoError: true, name: "PromoError", code: "NO_SNAPSHOT", details: {},
    message: "no plan is loaded: call loadBundle (or loadPlan) first",
  });
});

test("a published bundle fetched as bytes loads in the page; a corrupted one is refused", async () => {
  const pub = makePublisher();
  try {
    const bundle = pub.publish({
      project: { project: "shop", channel: "web", currency: { code: "EUR", exponent: 2 }, time_zone: "Europe/Paris" },
      campaigns: [{ id: "c", campaign_type: "DISCOUNT_COUPONS", voucher: { discount: { type: "AMOUNT", amount_off: 250 } }, vouchers: [{ code: "TAKE250" }] }],
    }, { version: 4 });
    mkdirSync(join(PKG_ROOT, "test/.generated"), { recursive: true });
    writeFileSync(join(PKG_ROOT, "test/.generated/browser.bundle"), bundle);
    const seen = await page.evaluate(async (jwks) => {
      const engine = await window.PromoEngine.init();
      const bytes = await (await fetch("/test/.generated/browser.bundle")).arrayBuffer();
      const corrupt = new Uint8Array(bytes.slice(0));
      corrupt[corrupt.length - 3] ^= 0x40;
      let refused;
      try {
        engine.loadBundle(corrupt, jwks, { now: "2026-06-01T00:00:00Z" });
      } catch (e) {
        refused = [e.code, e.details];
      }
      const report = engine.loadBundle(bytes, jwks, { now: "2026-06-01T00:00:00Z" });
      const cart = { redeemables: [{ object: "voucher", id: "TAKE250" }], order: { items: [{ product_id: "p", price: 1000 }] } };
      const total = engine.validate(cart, "2026-06-01T00:00:00Z").order.total_amount;
      engine.free();
      return { refused, version: report.version, kid: report.kid, total };
    }, pub.jwks);
    assert.deepEqual(seen, { refused: ["BUNDLE_PLAN_MISMATCH", { what: "digest" }], version: 4, kid: pub.jwks.keys[0].kid, total: 750 });
  } finally {
    pub.cleanup();
  }
});
