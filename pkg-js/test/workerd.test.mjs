// The npm package in workerd (Miniflare 4): every spec vector, vs expected
// and vs the native engine's bytes, plus the edge usage pattern.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { compare, expectedReport, nativeReport } from "./support/spec.mjs";
import { loadDump, PKG_ROOT } from "./support/dump.mjs";

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
});
after(() => mf.dispose());

test("spec vectors through the wasm build in workerd", async (t) => {
  const dump = loadDump();
  const res = await mf.dispatchFetch("http://localhost/spec", { method: "POST", body: JSON.stringify(dump) });
  assert.equal(res.status, 200, await res.clone().text());
  const result = compare(dump, await res.json());
  t.diagnostic(`${result.count} spec cases`);
  await t.test("byte-for-byte equal to the native engine", () => {
    assert.ok(result.notNative.length === 0, nativeReport(result));
  });
  await t.test("match expected", () => {
    assert.ok(result.notExpected.length === 0, expectedReport(result));
  });
});

test("a worker validates a cart and maps PromoError to a 400", async () => {
  const snapshot = {
    schema: "promo-edge.snapshot/1",
    version: 1,
    issued_at: "2026-01-01T00:00:00Z",
    expires_at: "2027-01-01T00:00:00Z",
    currency: { code: "JPY", exponent: 0 },
    time_zone: { name: "Asia/Tokyo", offsets: [{ offset_seconds: 32400 }] },
    campaigns: [
      {
        id: "camp_1",
        campaign_type: "DISCOUNT_COUPONS",
        voucher: { discount: { type: "AMOUNT", amount_off: 500 } },
        vouchers: [{ code: "YEN500" }],
      },
    ],
  };
  const cart = { redeemables: [{ object: "voucher", id: "YEN500" }], order: { items: [{ product_id: "p", price: 1200, quantity: 1 }] } };
  const ok = await mf.dispatchFetch("http://localhost/validate", {
    method: "POST",
    body: JSON.stringify({ snapshot, cart, now: "2026-06-01T00:00:00Z" }),
  });
  assert.equal(ok.status, 200);
  const body = await ok.json();
  assert.equal(body.valid, true);
  assert.equal(body.order.total_amount, 700);
  const bad = await mf.dispatchFetch("http://localhost/validate", {
    method: "POST",
    body: JSON.stringify({ snapshot, cart, now: "soon" }),
  });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).code, "INVALID_TIMESTAMP");
});
