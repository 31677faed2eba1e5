// The edge worker (dist/worker.js, built from src/) in Miniflare against a
// real `promo-origin serve` of demo/campaigns: its answers are compared with
// the engine run in Node on the bundle this test fetched itself, and with
// prices worked out by hand from the campaign definitions.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PromoEngine } from "promo-edge";
import {
  NOW, makeEnv, startOrigin, until, worker, disposeWorkers, post, get,
  manifestOf, swapPlan, tamperManifest, v1Bundle,
} from "./support.mjs";

after(disposeWorkers);

// What a product listing asks for: catalog prices, an explicit price and a
// quantity (the socks' 3-for-2 is a per-item promotion too).
const PRICING = {
  products: [
    { key: "jacket", product_id: "prod_jacket_rain" },
    { product_id: "prod_coffee_house" },
    { product_id: "prod_socks_wool", quantity: 3 },
    { product_id: "prod_backpack" },
    { product_id: "prod_fleece", price: 6000 },
  ],
};

// Worked out from demo/campaigns by hand (HALF_UP, discounts rounded once):
const BY_HAND = {
  // Winter sale (public promotion): 25 % off outerwear; 12900 × 25 % = 3225.
  jacket: { price: 12900, discounted_price: 9675, promo: "promo_outerwear_25" },
  // Happy hours, 17:00–19:00 Berlin (NOW is 17:30 CET): 15 % off coffee;
  // 1290 × 15 % = 193.5 → 194, so 1290 − 194 = 1096.
  prod_coffee_house: { price: 1290, discounted_price: 1096, promo: "promo_happy_coffee" },
  // 3 for 2: of three pairs at 14.90 one is free: 4470 − 1490 = 2980.
  prod_socks_wool: { price: 1490, discounted_amount: 2980, promo: "promo_socks_b2g1" },
  // No promotion on gear.
  prod_backpack: { price: 8900, discounted_price: 8900, promo: undefined },
  // The caller's price is the base: 6000 − 25 % = 4500.
  prod_fleece: { price: 6000, discounted_price: 4500, promo: "promo_outerwear_25" },
};

// The page's products as a shopper must see them (hand-formatted).
const PAGE_PRICES = {
  prod_jacket_rain: { was: "€129.00", now: "€96.75", badge: "Winter sale −25 %" },
  prod_fleece: { was: "€69.00", now: "€51.75", badge: "Winter sale −25 %" },
  prod_coffee_house: { was: "€12.90", now: "€10.96", badge: "Happy hours −15 %" },
  prod_coffee_espresso: { was: "€24.90", now: "€21.16", badge: "Happy hours −15 %" }, // 373.5 → 374
  prod_mug_ceramic: { shelf: "€14.90" },
  prod_backpack: { shelf: "€89.00" },
};

// SAVE20 on 89.00 + 2 × 11.90 = 112.80: 20 % = 22.56 (under the 25.00 cap).
const CART = {
  redeemables: [{ object: "voucher", id: "SAVE20" }],
  order: { items: [{ product_id: "prod_backpack", quantity: 1 }, { product_id: "prod_map", quantity: 2 }] },
};

/** The price elements of the page: `{id, price, discounted, inner}` in page order. */
function priceElements(html) {
  const re = /<p class="price" data-product-id="([^"]+)" data-price="(\d+)"(?: data-discounted-price="(\d+)")?>(.*?)<\/p>/g;
  return [...html.matchAll(re)].map(([, id, price, discounted, inner]) => ({ id, price: Number(price), discounted, inner }));
}

/** Checks the page against the hand-formatted prices and the Node engine. */
function assertRewrittenPage(html, nodeEngine) {
  const elements = priceElements(html);
  assert.deepEqual(elements.map((e) => e.id), Object.keys(PAGE_PRICES));
  for (const el of elements) {
    const want = PAGE_PRICES[el.id];
    const [engine] = nodeEngine.priceProducts({ products: [{ product_id: el.id, price: el.price }] }, NOW).products;
    if (want.shelf) {
      assert.equal(el.discounted, undefined, `${el.id} has no promotion`);
      assert.equal(el.inner, want.shelf);
      assert.equal(engine.discounted_price, engine.price);
    } else {
      assert.equal(Number(el.discounted), engine.discounted_price, `${el.id}: the Node engine's price`);
      assert.equal(
        el.inner,
        `<s class="was">${want.was}</s> <strong class="now">${want.now}</strong> <span class="badge">${want.badge}</span>`,
      );
    }
  }
}

test("the built worker imports the .wasm statically (compiled at deploy, never from bytes at run time)", () => {
  const code = readFileSync(new URL("../dist/worker.js", import.meta.url), "utf8");
  const [, name] = /^import (\w+) from "\.\/promo_edge_bg\.wasm";$/m.exec(code) ?? [];
  assert.ok(name, "a static import of ./promo_edge_bg.wasm");
  assert.match(code, new RegExp(`PromoEngine\\.initSync\\(${name}\\)`));
  assert.deepEqual(readFileSync(new URL("../dist/promo_edge_bg.wasm", import.meta.url)),
    readFileSync(new URL("../node_modules/promo-edge/wasm/promo_edge_bg.wasm", import.meta.url)));
});

describe("the worker with a real origin", () => {
  let env;
  let origin;
  let nodeEngine;
  let originVersion;
  let originEtag;
  let mf; // REFRESH_SECONDS=0: every request revalidates with the origin

  before(async () => {
    env = makeEnv();
    origin = await startOrigin(env);
    // The reference answer: the bundle fetched here, verified against the
    // key file keygen wrote (not the origin's /v1/keys), in the Node engine.
    const res = await fetch(`${origin.url}/v1/bundles/web`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/vnd.promo-edge.bundle");
    originVersion = Number(res.headers.get("x-snapshot-version"));
    originEtag = res.headers.get("etag");
    nodeEngine = await PromoEngine.init();
    const report = nodeEngine.loadBundle(new Uint8Array(await res.arrayBuffer()), env.jwksText, { now: NOW });
    assert.equal(report.version, originVersion);
    mf = worker({ bindings: { ORIGIN_URL: origin.url, REFRESH_SECONDS: "0" } });
  });
  after(async () => {
    await origin?.stop();
    nodeEngine?.free();
    env?.cleanup();
  });

  test("POST /api/prices: the engine's answer in Node, byte for byte, and the prices worked out by hand", async () => {
    const res = await post(mf, "/api/prices", PRICING);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.match(res.headers.get("content-type"), /^application\/json/);
    assert.equal(res.headers.get("x-snapshot-version"), String(originVersion));
    assert.equal(text, nodeEngine.priceProductsJson(JSON.stringify(PRICING), NOW));
    const body = JSON.parse(text);
    assert.equal(body.snapshot_version, originVersion);
    for (const [key, want] of Object.entries(BY_HAND)) {
      const got = body.products.find((p) => p.key === key);
      assert.ok(got, key);
      assert.equal(got.price, want.price, key);
      if ("discounted_price" in want) assert.equal(got.discounted_price, want.discounted_price, key);
      if ("discounted_amount" in want) assert.equal(got.discounted_amount, want.discounted_amount, key);
      assert.equal(got.applied[0]?.id, want.promo, key);
    }
  });

  test("POST /api/validate: the cart preview equals the Node engine's, and SAVE20 takes 20 %", async () => {
    const res = await post(mf, "/api/validate", CART);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.equal(text, nodeEngine.validateJson(JSON.stringify(CART), NOW));
    const body = JSON.parse(text);
    assert.equal(body.valid, true);
    assert.equal(body.order.amount, 11280);
    assert.equal(body.order.total_discount_amount, 2256);
    assert.equal(body.order.total_amount, 9024);
  });

  test("bad input: 400 with the engine's code; unknown routes and methods, oversized bodies", async () => {
    const codeInNode = (f) => {
      try {
        f();
      } catch (e) {
        return e.code;
      }
      return null;
    };
    const cases = [
      ["{not json", "INVALID_JSON"],
      [{ products: [{ product_id: "prod_map", price: -1 }] }, "AMOUNT_OUT_OF_RANGE"],
      [{ products: [{ product_id: "prod_map", price: 12.5 }] }, "INVALID_JSON"],
    ];
    for (const [body, code] of cases) {
      const res = await post(mf, "/api/prices", body);
      assert.equal(res.status, 400);
      const err = await res.json();
      assert.equal(err.code, code);
      assert.equal(typeof err.message, "string");
      const text = typeof body === "string" ? body : JSON.stringify(body);
      assert.equal(codeInNode(() => nodeEngine.priceProductsJson(text, NOW)), code);
    }
    const tooMany = { redeemables: [], order: { items: Array.from({ length: 501 }, () => ({ product_id: "prod_map", quantity: 1 })) } };
    const res = await post(mf, "/api/validate", tooMany);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, "TOO_MANY_ORDER_ITEMS");

    const wrongMethod = await get(mf, "/api/prices");
    assert.equal(wrongMethod.status, 405);
    assert.equal((await wrongMethod.json()).code, "METHOD_NOT_ALLOWED");
    const missing = await get(mf, "/nope");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).code, "NOT_FOUND");
    const big = await post(mf, "/api/prices", `{"products":[],"pad":"${"x".repeat(1 << 20)}"}`);
    assert.equal(big.status, 413);
    assert.equal((await big.json()).code, "PAYLOAD_TOO_LARGE");
  });

  test("GET /: the page's prices rewritten at the edge (strikethrough, promotional price, badge)", async () => {
    for (const path of ["/", "/products"]) {
      const res = await get(mf, path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type"), /^text\/html/);
      assert.equal(res.headers.get("x-snapshot-version"), String(originVersion));
      assertRewrittenPage(await res.text(), nodeEngine);
    }
  });

  test("revalidation: If-None-Match gets 304 from the origin and nothing is reloaded", async () => {
    const before = (await (await get(mf, "/api/status")).json()).counts;
    await post(mf, "/api/prices", PRICING);
    await post(mf, "/api/prices", PRICING);
    const status = await (await get(mf, "/api/status")).json();
    assert.equal(status.ok, true);
    assert.equal(status.bundle.source, "origin");
    assert.equal(status.bundle.version, originVersion);
    assert.equal(status.bundle.etag, originEtag);
    assert.equal(status.snapshot.version, originVersion);
    assert.equal(status.counts.loads, 1, "loaded once, however many checks");
    assert.equal(status.counts.checks, before.checks + 3);
    assert.equal(status.counts.not_modified, status.counts.checks - 1);
    assert.equal(status.counts.refused + status.counts.failed, 0);
    // The origin's own log: one 200 for the worker, then only 304s (the
    // test's own fetch in `before` is the first 200).
    const bundleGets = () => origin.requests().filter((r) => r.path === "/v1/bundles/web");
    await until(() => bundleGets().length === 1 + status.counts.checks, 5_000, "the origin's log lines");
    assert.deepEqual(
      bundleGets().map((r) => r.status),
      [200, 200, ...Array(status.counts.checks - 1).fill(304)],
    );
    // The keys were fetched once, with the one bundle that was loaded.
    assert.equal(origin.requests().filter((r) => r.path === "/v1/keys").length, 1);
  });

  test("within REFRESH_SECONDS the held bundle is used without asking the origin", async () => {
    const cached = worker({ bindings: { ORIGIN_URL: origin.url, REFRESH_SECONDS: "60" } });
    const count = () => origin.requests().filter((r) => r.path === "/v1/bundles/web").length;
    const start = count();
    for (let i = 0; i < 3; i += 1) {
      const res = await post(cached, "/api/prices", PRICING);
      assert.equal(await res.text(), nodeEngine.priceProductsJson(JSON.stringify(PRICING), NOW));
    }
    const status = await (await get(cached, "/api/status")).json();
    assert.equal(status.counts.checks, 1);
    assert.equal(status.counts.loads, 1);
    await until(() => count() === start + 1, 5_000, "the origin's log line");
    assert.equal(count(), start + 1);
  });

  test("origin down after the first load: the held bundle keeps serving; a cold isolate answers 503", async () => {
    await origin.stop();
    const res = await post(mf, "/api/prices", PRICING);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), nodeEngine.priceProductsJson(JSON.stringify(PRICING), NOW));
    const page = await get(mf, "/");
    assertRewrittenPage(await page.text(), nodeEngine);
    const status = await (await get(mf, "/api/status")).json();
    assert.equal(status.ok, true);
    assert.equal(status.bundle.version, originVersion);
    assert.equal(status.last_error.code, "ORIGIN_UNREACHABLE");
    assert.ok(status.counts.failed >= 2);
    assert.equal(status.counts.loads, 1);

    // A new isolate has nothing to fall back on.
    const cold = worker({ bindings: { ORIGIN_URL: origin.url } });
    const none = await post(cold, "/api/prices", PRICING);
    assert.equal(none.status, 503);
    assert.equal((await none.json()).code, "ORIGIN_UNREACHABLE");
    assert.equal((await get(cold, "/api/status")).status, 503);
    // The page still renders, at shelf prices, and says why.
    const shelf = await get(cold, "/");
    assert.equal(shelf.status, 200);
    assert.equal(shelf.headers.get("x-promo-unavailable"), "ORIGIN_UNREACHABLE");
    const elements = priceElements(await shelf.text());
    assert.equal(elements.length, 6);
    for (const el of elements) assert.equal(el.discounted, undefined);
    assert.equal(elements[0].inner, "€129.00");
  });
});

describe("the worker with its bundle in KV (no origin)", () => {
  let env;
  let good;
  let evil;
  let nodeEngine;
  before(async () => {
    env = makeEnv();
    good = env.publish({ version: 7 });
    // What someone with KV write access but not the key would like to ship:
    // the outerwear sale at 90 %, compiled and signed with their own key.
    const greedy = env.source("greedy", "20-promotions.json", (campaigns) =>
      campaigns.map((c) => c.id !== "camp_winter_sale" ? c : {
        ...c,
        promotion_tiers: c.promotion_tiers.map((t) => ({ ...t, action: { discount: { type: "PERCENT", percent_off: 90, effect: "APPLY_TO_ITEMS" } } })),
      }));
    evil = env.publish({ version: 8, key: "keys2", name: "greedy", source: greedy });
    nodeEngine = await PromoEngine.init();
    nodeEngine.loadBundle(good, env.jwksText, { now: NOW });
    // The forged plan really is a different plan (a 90 % jacket), so refusing it matters.
    const forger = await PromoEngine.init();
    forger.loadBundle(evil, readFileSync(`${env.dir}/keys2/jwks.json`, "utf8"), { now: NOW });
    assert.equal(forger.priceProducts({ products: [{ product_id: "prod_jacket_rain" }] }, NOW).products[0].discounted_price, 1290);
    forger.free();
  });
  after(() => {
    nodeEngine?.free();
    env?.cleanup();
  });

  test("serves the KV bundle's bytes, verified against the pinned JWKS; tampered replacements are refused and v7 keeps serving", async () => {
    const mf = worker({ kv: true, bindings: { JWKS: env.jwksText, REFRESH_SECONDS: "0" } });
    const kv = await mf.getKVNamespace("BUNDLES");
    await kv.put("bundle:web", good);

    const res = await post(mf, "/api/prices", PRICING);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-snapshot-version"), "7");
    assert.equal(res.headers.get("x-snapshot-stale"), null);
    assert.equal(await res.text(), nodeEngine.priceProductsJson(JSON.stringify(PRICING), NOW));
    assertRewrittenPage(await (await get(mf, "/")).text(), nodeEngine);
    let status = await (await get(mf, "/api/status")).json();
    assert.equal(status.bundle.source, "kv");
    assert.equal(status.bundle.version, 7);
    assert.deepEqual(status.bundle.currency, { code: "EUR", exponent: 2 });
    assert.equal(status.counts.loads, 1);
    assert.ok(status.counts.not_modified >= 1, "an unchanged KV value is not verified again");

    const forgeries = [
      // v7's signed manifest over the forged plan: not newer than what is held
      // (the version is checked before the plan is even hashed).
      ["SNAPSHOT_NOT_NEWER", swapPlan(good, evil)],
      // A genuine v8's signed manifest over the forged plan: the plan is not the signed one.
      ["BUNDLE_PLAN_MISMATCH", swapPlan(env.publish({ version: 8 }), evil)],
      // The manifest rewritten to name the forged plan (digest, size, version 8) under v7's signature.
      ["BUNDLE_SIGNATURE_INVALID", tamperManifest(swapPlan(good, evil), () => manifestOf(evil))],
    ];
    let refused = status.counts.refused;
    for (const [code, forged] of forgeries) {
      await kv.put("bundle:web", forged);
      const after = await post(mf, "/api/prices", PRICING);
      assert.equal(after.status, 200, code);
      assert.equal(after.headers.get("x-snapshot-version"), "7", code);
      const jacket = JSON.parse(await after.text()).products.find((p) => p.key === "jacket");
      assert.equal(jacket.discounted_price, 9675, code);
      status = await (await get(mf, "/api/status")).json();
      assert.equal(status.last_error.code, code);
      assert.equal(status.bundle.version, 7);
      assert.ok(status.counts.refused > refused, code);
      refused = status.counts.refused;
      assert.equal(status.counts.loads, 1);
    }
  });

  test("a cold isolate refuses a tampered, forged, stranger-signed or outdated bundle with the engine's code (503)", async () => {
    const cases = [
      ["BUNDLE_SIGNATURE_INVALID", tamperManifest(good, (m) => ({ ...m, version: 9 }))],
      ["BUNDLE_PLAN_MISMATCH", swapPlan(good, evil)],
      ["BUNDLE_KEY_UNKNOWN", evil],
      ["BUNDLE_FORMAT_OUTDATED", v1Bundle({ schema: "promo-edge.snapshot/1", version: 11, campaigns: [] })],
    ];
    for (const [code, bundle] of cases) {
      const mf = worker({ kv: true, bindings: { JWKS: env.jwksText } });
      await (await mf.getKVNamespace("BUNDLES")).put("bundle:web", bundle);
      const res = await post(mf, "/api/prices", PRICING);
      assert.equal(res.status, 503, code);
      const err = await res.json();
      assert.equal(err.code, code);
      // A fresh Node engine refuses the same bytes with the same code.
      const fresh = await PromoEngine.init();
      assert.throws(() => fresh.loadBundle(bundle, env.jwksText, { now: NOW }), (e) => e.code === code);
      fresh.free();
      const page = await get(mf, "/");
      assert.equal(page.headers.get("x-promo-unavailable"), code);
      const status = await get(mf, "/api/status");
      assert.equal(status.status, 503);
      assert.equal((await status.json()).snapshot, null);
    }
    // Nothing configured at all.
    const bare = worker({ kv: true, bindings: { JWKS: env.jwksText } });
    const res = await post(bare, "/api/prices", PRICING);
    assert.equal(res.status, 503);
    assert.equal((await res.json()).code, "BUNDLE_UNAVAILABLE");
  });

  test("an expired bundle: refused by default, served as stale within STALE_GRACE_SECONDS", async () => {
    // Published 25 h before NOW for 24 h: expired an hour ago.
    const published = new Date(Date.parse(NOW) - 25 * 3600_000).toISOString();
    const expired = env.publish({ version: 12, name: "expired", now: published, lifetime: "PT24H" });
    assert.equal(Date.parse(manifestOf(expired).expires_at), Date.parse(NOW) - 3600_000);

    const strict = worker({ kv: true, bindings: { JWKS: env.jwksText } });
    await (await strict.getKVNamespace("BUNDLES")).put("bundle:web", expired);
    const refused = await post(strict, "/api/prices", PRICING);
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).code, "SNAPSHOT_EXPIRED");

    const lenient = worker({ kv: true, bindings: { JWKS: env.jwksText, STALE_GRACE_SECONDS: "86400" } });
    await (await lenient.getKVNamespace("BUNDLES")).put("bundle:web", expired);
    const res = await post(lenient, "/api/prices", PRICING);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-snapshot-version"), "12");
    assert.equal(res.headers.get("x-snapshot-stale"), "true");
    const node = await PromoEngine.init();
    const report = node.loadBundle(expired, env.jwksText, { now: NOW, graceMs: 86_400_000 });
    assert.equal(report.stale, true);
    assert.equal(await res.text(), node.priceProductsJson(JSON.stringify(PRICING), NOW));
    node.free();
    const status = await (await get(lenient, "/api/status")).json();
    assert.equal(status.snapshot.stale, true);
    assert.equal(status.bundle.version, 12);
  });
});

describe("stale but valid: an expired bundle held while the origin is down", () => {
  let env;
  let origin;
  before(async () => {
    env = makeEnv();
    // The origin published 25 h before NOW, for 24 h.
    origin = await startOrigin(env, { now: new Date(Date.parse(NOW) - 25 * 3600_000).toISOString(), lifetime: "PT24H" });
  });
  after(async () => {
    await origin?.stop();
    env?.cleanup();
  });

  test("keeps serving the held plan, says stale, and reports the outage", async () => {
    const mf = worker({ bindings: { ORIGIN_URL: origin.url, REFRESH_SECONDS: "0", STALE_GRACE_SECONDS: "86400" } });
    const first = await post(mf, "/api/prices", PRICING);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-snapshot-stale"), "true");
    const text = await first.text();
    const jacket = JSON.parse(text).products.find((p) => p.key === "jacket");
    assert.equal(jacket.discounted_price, BY_HAND.jacket.discounted_price);
    await origin.stop();
    for (let i = 0; i < 2; i += 1) {
      const res = await post(mf, "/api/prices", PRICING);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-snapshot-stale"), "true");
      assert.equal(await res.text(), text);
    }
    const status = await (await get(mf, "/api/status")).json();
    assert.equal(status.ok, true);
    assert.equal(status.snapshot.stale, true);
    assert.equal(status.last_error.code, "ORIGIN_UNREACHABLE");
    assert.equal(status.counts.loads, 1);
    assert.ok(status.counts.failed >= 2);
  });
});
