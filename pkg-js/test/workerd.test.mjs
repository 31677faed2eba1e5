// The npm package in workerd (Miniflare 4): every spec vector, vs expected
// and vs the native engine's bytes, plus the edge usage pattern (a bundle
// from a KV binding) and the KV store adapter on a real binding.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { compare, expectedReport, nativeReport, summary } from "./support/spec.mjs";
import { loadDump, PKG_ROOT } from "./support/dump.mjs";
import { makePublisher } from "./support/publish.mjs";

const pub = makePublisher();
const mf = new Miniflare({
  modules: true,
  scriptPath: `${PKG_ROOT}test/workerd/worker.mjs`,
  modulesRoot: PKG_ROOT,
  modulesRules: [
    // The default rule would read .js as CommonJS.
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2025-01-01",
  cf: false, // otherwise Miniflare tries to download Request.cf data
  kvNamespaces: ["PROMO_KV"],
  bindings: { PROMO_JWKS: JSON.stringify(pub.jwks) },
});
after(async () => {
  await mf.dispose();
  pub.cleanup();
});

test("spec vectors through the wasm build in workerd", async (t) => {
  const dump = loadDump();
  const res = await mf.dispatchFetch("http://localhost/spec", { method: "POST", body: JSON.stringify(dump) });
  assert.equal(res.status, 200, await res.clone().text());
  const result = compare(dump, await res.json());
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

test("the KV adapter holds text and bytes on a real KV binding", async () => {
  const res = await mf.dispatchFetch("http://localhost/kv");
  assert.equal(res.status, 200, await res.clone().text());
  assert.deepEqual(await res.json(), {
    text: "héllo",
    textAsBytes: [...new TextEncoder().encode("héllo")],
    bytes: [0, 1, 2, 255, 10],
    missing: [null, null],
    deleted: null,
  });
});

test("a worker restores a published bundle from KV, validates a cart and maps PromoError to a 400", async () => {
  const post = (body) => mf.dispatchFetch("http://localhost/validate", { method: "POST", body: JSON.stringify(body) });
  const cart = { redeemables: [{ object: "voucher", id: "YEN500" }], order: { items: [{ product_id: "p", price: 1200, quantity: 1 }] } };
  const now = "2026-06-01T00:00:00Z";
  const empty = await post({ cart, now });
  assert.equal(empty.status, 503, "no bundle in KV yet");
  const bundle = pub.publish({
    project: { project: "shop", channel: "web", currency: { code: "JPY", exponent: 0 }, time_zone: "Asia/Tokyo" },
    campaigns: [{
      id: "camp_1", campaign_type: "DISCOUNT_COUPONS",
      voucher: { discount: { type: "AMOUNT", amount_off: 500 } }, vouchers: [{ code: "YEN500" }],
    }],
  }, { version: 3 });
  // What a deploy step does: the file, as it is, into KV.
  await (await mf.getKVNamespace("PROMO_KV")).put("bundle:web", bundle);
  const ok = await post({ cart, now });
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(ok.headers.get("x-version"), "3");
  const body = await ok.json();
  assert.equal(body.valid, true);
  assert.equal(body.order.total_amount, 700);
  const bad = await post({ cart: { ...cart, order: { items: [{ product_id: "p", price: -1 }] } }, now });
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), {
    code: "AMOUNT_OUT_OF_RANGE",
    message: "amount -1 at order.items[0].price is negative or too large",
    details: { path: "order.items[0].price", value: "-1" },
  });
  // A clock the engine cannot read: the restore is refused, and the worker says why.
  const unreadable = await post({ cart, now: "soon" });
  assert.equal(unreadable.status, 503);
  assert.deepEqual(await unreadable.json(), { code: "NO_BUNDLE", errors: ["INVALID_TIMESTAMP"] });
});
