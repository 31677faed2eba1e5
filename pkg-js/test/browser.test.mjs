// The npm package in headless Chromium: every spec vector, vs expected and
// vs the native engine's bytes, and the error class across the boundary.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { compare, expectedReport, nativeReport } from "./support/spec.mjs";
import { loadDump, PKG_ROOT } from "./support/dump.mjs";
import { serve } from "./support/server.mjs";
import { launch, openPage } from "./support/chromium.mjs";

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
  t.diagnostic(`${result.count} spec cases`);
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
      return { isPromoError: e instanceof window.PromoError, name: e.name, code: e.code };
    } finally {
      engine.free();
    }
  });
  assert.deepEqual(seen, { isPromoError: true, name: "PromoError", code: "NO_SNAPSHOT" });
});
