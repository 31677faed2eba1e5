// End-to-end: the built storefront served by a real `promo-origin serve`
// (demo/campaigns, clock fixed in happy hours) in headless Chromium.
// Prices on the page equal the engine's (run here in Node on the same signed
// bundle); a good and a bad code give the hand-computed totals and reasons;
// offline, a reload still prices and previews (service worker + stored
// bundle); a checkout made offline is delivered exactly once on reconnect,
// checked in the origin's ledger.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PromoEngine } from "promo-edge";
import { ARTIFACTS, SITE, euros, launch, ready, sha256, startOrigin } from "./support.mjs";

// Friday 5 June 2026, 17:30 in Berlin (CEST): inside the 17:00–19:00 happy hours.
const NOW = "2026-06-05T15:30:00Z";
const catalog = JSON.parse(readFileSync(join(SITE, "catalog.json"), "utf8"));

let origin;
let browser;
let page;
let engine;
let bundle;
const pageErrors = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  origin = await startOrigin(NOW);
  engine = await PromoEngine.init();
  bundle = await origin.api("GET", "/v1/bundles/web");
  assert.equal(bundle.status, 200);
  assert.equal(bundle.headers.get("content-type"), "application/vnd.promo-edge.bundle");
  const report = engine.loadBundle(bundle.bytes, origin.jwks, { now: NOW });
  assert.deepEqual(report.warnings, []);
  assert.equal(report.version, Number(bundle.headers.get("x-snapshot-version")));
  browser = await launch();
  page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(origin.url);
  await ready(page);
});

after(async () => {
  await browser?.close();
  await origin?.stop();
  engine?.free();
});

/** What the catalog shows, card by card. */
async function shownPrices() {
  await page.waitForSelector("article.card[data-price]");
  return page.$$eval("article.card", (cards) =>
    cards.map((c) => ({
      id: c.dataset.product,
      price: Number(c.dataset.price),
      was: c.dataset.was === undefined ? null : Number(c.dataset.was),
      priceText: c.querySelector('[data-testid="price"]')?.textContent ?? "",
      wasText: c.querySelector('[data-testid="was"]')?.textContent ?? null,
      badges: [...c.querySelectorAll('[data-testid="badge"]')].map((b) => b.textContent),
    })),
  );
}

/** Compares every card with the engine's price_products; returns the number of discounted cards. */
async function assertPricesEqualEngine() {
  const shown = await shownPrices();
  assert.equal(shown.length, catalog.products.length);
  assert.ok(shown.length >= 24);
  const priced = engine.priceProducts({ products: catalog.products.map((p) => ({ key: p.id, product_id: p.id })) }, NOW);
  let discounted = 0;
  for (const expected of priced.products) {
    const card = shown.find((s) => s.id === expected.key);
    assert.ok(card, `card ${expected.key}`);
    assert.equal(card.price, expected.discounted_price, expected.key);
    assert.equal(card.priceText, euros(expected.discounted_price), expected.key);
    if (expected.discounted_price < expected.price) {
      discounted += 1;
      assert.equal(card.was, expected.price, expected.key);
      assert.equal(card.wasText, euros(expected.price), expected.key);
    } else {
      assert.equal(card.was, null, expected.key);
      assert.equal(card.wasText, null, expected.key);
    }
    assert.deepEqual(card.badges, expected.applied.map((a) => a.banner ?? a.name ?? a.id), expected.key);
  }
  return { shown, discounted };
}

async function cartState() {
  return page.evaluate(() => {
    const amount = (id) => Number(document.querySelector(`[data-testid="${id}"]`)?.dataset.amount ?? NaN);
    const text = (sel) => document.querySelector(sel)?.textContent ?? null;
    return {
      subtotal: amount("subtotal"),
      discount: amount("discount"),
      total: amount("total"),
      totalText: text('[data-testid="total"]'),
      codes: [...document.querySelectorAll("[data-code]")].map((li) => ({
        code: li.dataset.code,
        status: li.dataset.status,
        reason: li.querySelector('[data-testid="code-reason"]')?.textContent ?? "",
      })),
      nudges: [...document.querySelectorAll("[data-nudge]")].map((li) => ({ id: li.dataset.nudge, text: li.textContent })),
      applied: [...document.querySelectorAll("[data-applied]")].map((li) => li.dataset.applied),
    };
  });
}

async function addToCart(productId) {
  await page.click(`article[data-product="${productId}"] [data-testid="add"]`);
}

async function applyCode(code) {
  await page.fill('[data-testid="code-input"]', code);
  await page.click('[data-testid="code-apply"]');
  await page.waitForSelector(`[data-code="${code}"]:not([data-status="PENDING"])`);
}

test("catalog: every shown price, strikethrough and badge equals the engine's price_products", async () => {
  const { shown, discounted } = await assertPricesEqualEngine();
  // Hand-computed: 25 % off outerwear (public winter sale) and 15 % off
  // coffee in happy hours, each rounded half-up once.
  const rain = shown.find((s) => s.id === "prod_jacket_rain");
  assert.deepEqual([rain.priceText, rain.wasText, rain.badges], ["€96.75", "€129.00", ["Winter sale −25 %"]]); // 12900 − 3225
  const house = shown.find((s) => s.id === "prod_coffee_house");
  assert.deepEqual([house.priceText, house.wasText, house.badges], ["€10.96", "€12.90", ["Happy hours −15 %"]]); // 15 % of 1290 = 193.5 → 194
  const map = shown.find((s) => s.id === "prod_map");
  assert.deepEqual([map.priceText, map.wasText, map.badges], ["€11.90", null, []]);
  assert.equal(discounted, 10); // 5 outerwear + 5 coffees
  const bundle = await page.getAttribute('[data-testid="bundle"]', "data-version");
  assert.equal(Number(bundle), engine.status(NOW).version);
  assert.equal(await page.getAttribute('[data-testid="online"]', "data-online"), "true");
  await page.screenshot({ path: join(ARTIFACTS, "catalog.png"), fullPage: true });
});

test("cart: a code below its minimum, then good and unknown codes give the hand-computed totals and reasons", async () => {
  await addToCart("prod_map");
  await applyCode("SAVE20");
  let cart = await cartState();
  // 11.90 + 4.95 shipping = 16.85; SAVE20 needs 40.00 → 23.15 more.
  assert.equal(cart.subtotal, 1685);
  assert.equal(cart.total, 1685);
  assert.deepEqual(cart.codes.map((c) => [c.code, c.status]), [["SAVE20", "INAPPLICABLE"]]);
  assert.match(cart.codes[0].reason, /SAVE20 needs an order of at least 40\.00 \(order_rules_violated\) — add €23\.15 more/);

  await addToCart("prod_beanie");
  await page.waitForFunction(() => document.querySelector('[data-code="SAVE20"]')?.dataset.status === "APPLICABLE");
  await applyCode("NOPE-2026");
  cart = await cartState();
  // 11.90 + 24.90 + 4.95 = 41.75; SAVE20: 20 % of the goods (36.80, shipping
  // excluded) = 7.36 → 34.39. No automatic promotion applies yet.
  assert.equal(cart.subtotal, 4175);
  assert.equal(cart.discount, 736);
  assert.equal(cart.total, 3439);
  assert.equal(cart.totalText, "€34.39");
  assert.deepEqual(cart.codes, [
    { code: "SAVE20", status: "APPLICABLE", reason: "−€7.36" },
    { code: "NOPE-2026", status: "INAPPLICABLE", reason: "Resource not found (resource_not_found)" },
  ]);
  assert.deepEqual(cart.applied, ["SAVE20"]);
  // Nudges: 50.00 − 41.75 = 8.25 to the first spend tier; free shipping from
  // 60.00 on the running total after SAVE20: 60.00 − 34.39 = 25.61.
  const nudge = (id) => cart.nudges.find((n) => n.id === id)?.text;
  assert.equal(nudge("promo_spend_50"), "add €8.25 more for 5 % off orders of 50.00+");
  assert.equal(nudge("promo_free_shipping"), "add €25.61 more for Free shipping on orders of 60.00+");
  // The whole preview equals the engine's answer to the page's request,
  // which asks for the parts the cart shows (per-line amounts, each
  // redeemable's own order and its name and campaign).
  const preview = await page.evaluate(() => window.__demo.preview());
  assert.deepEqual(preview.request.options, { expand: ["order", "redeemable"] });
  const mine = engine.validate(preview.request, NOW);
  assert.deepEqual(preview.response, mine);
  assert.equal(mine.order.items.length, 3);
  const save20 = mine.redeemables.find((r) => r.id === "SAVE20");
  assert.equal(save20.order.total_applied_discount_amount, 736);
  assert.equal(typeof save20.campaign_name, "string");
  // The page's line rows are the engine's items, discount by discount.
  const rows = await page.$$eval("tr[data-line]", (trs) => trs.map((tr) => [tr.dataset.line, Number(tr.dataset.discount), Number(tr.dataset.subtotal)]));
  assert.deepEqual(rows, mine.order.items.map((i) => [i.product_id, i.discount_amount, i.subtotal_amount]));

  // Spend-tier nudges show the next step only (not 100.00+ or 150.00+ yet).
  assert.equal(nudge("promo_spend_100"), undefined);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, "storefront.png") });
  await page.locator("#cart").screenshot({ path: join(ARTIFACTS, "cart.png") });
});

test("offline: a reload is served by the service worker and still prices the catalog and previews the cart", async () => {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  // The service worker holds the origin's bundle bytes, as they were signed.
  const cached = await page.evaluate(async () => {
    for (const name of await caches.keys()) {
      const hit = await (await caches.open(name)).match("/v1/bundles/web");
      if (!hit) continue;
      const bytes = new Uint8Array(await hit.arrayBuffer());
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
      return {
        cache: name,
        type: hit.headers.get("content-type"),
        sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
        length: bytes.length,
      };
    }
    return null;
  });
  assert.deepEqual(cached, {
    cache: "northwind-shell-v2",
    type: "application/vnd.promo-edge.bundle",
    sha256: sha256(bundle.bytes),
    length: bundle.bytes.length,
  });
  const before = await cartState();
  await browser.context.setOffline(true);
  const response = await page.reload();
  assert.ok(response.fromServiceWorker(), "the page came from the service worker");
  await ready(page);
  assert.equal(await page.getAttribute('[data-testid="online"]', "data-online"), "false");
  const { discounted } = await assertPricesEqualEngine();
  assert.equal(discounted, 10);
  const after = await cartState();
  assert.deepEqual(after, before);
  assert.equal(after.total, 3439);
});

test("offline checkout: queued in the outbox, delivered exactly once when the network returns", async () => {
  // Still offline. A 50.00 gift card pays the rest: 34.39 used, 15.61 left.
  await applyCode("GIFT-50-NW7K");
  const cart = await cartState();
  assert.equal(cart.total, 0);
  assert.deepEqual(cart.applied, ["SAVE20", "GIFT-50-NW7K"]);
  assert.match(await page.textContent('[data-applied="GIFT-50-NW7K"]'), /€34\.39 used, €15\.61 left/);

  await page.click('[data-testid="checkout"]');
  await page.waitForSelector('[data-testid="outbox"][data-pending="1"]');
  const [item] = await page.evaluate(() => window.__demo.pending());
  assert.ok(item.key);
  assert.deepEqual(item.body.redeemables.map((r) => r.id), ["SAVE20", "GIFT-50-NW7K"]); // the unknown code is not sent
  assert.equal(await page.getAttribute(`[data-order-key="${item.key}"]`, "data-status"), "QUEUED");

  // Nothing reached the origin: the card still holds 50.00.
  const balance = async () => {
    const v = await origin.api("POST", "/v1/validations", {
      body: { redeemables: [{ object: "voucher", id: "GIFT-50-NW7K" }], order: { items: [{ product_id: "prod_jacket_down", quantity: 1 }] } },
    });
    assert.equal(v.status, 200, v.text);
    return v.json().redeemables[0].result.gift.credits;
  };
  assert.equal(await balance(), 5000);

  await browser.context.setOffline(false);
  const settledRow = `[data-order-key="${item.key}"][data-status="SUCCEEDED"]`;
  await page.waitForSelector(settledRow, { timeout: 60_000 });
  const redemptionId = await page.getAttribute(settledRow, "data-redemption-id");
  await page.waitForSelector('[data-testid="outbox"][data-pending="0"]');

  // The origin's ledger: one SUCCEEDED redemption with the preview's numbers.
  const stored = await origin.api("GET", `/v1/redemptions/${redemptionId}`);
  assert.equal(stored.status, 200, stored.text);
  const redemption = stored.json();
  assert.equal(redemption.status, "SUCCEEDED");
  assert.deepEqual(redemption.differences, []);
  assert.equal(redemption.result.order.total_amount, 0);
  assert.equal(redemption.result.order.amount, 4175);
  const gift = redemption.result.redeemables.find((r) => r.id === "GIFT-50-NW7K");
  assert.equal(gift.result.gift.credits, 3439);
  // Charged once: 50.00 − 34.39 = 15.61 left.
  assert.equal(await balance(), 1561);

  // A replay of the same key (what a retry would send) gets the same
  // answer and counts nothing.
  const replay = await origin.api("POST", "/v1/redemptions", { body: item.body, headers: { "idempotency-key": item.key } });
  assert.equal(replay.status, 200, replay.text);
  assert.equal(replay.headers.get("idempotent-replayed"), "true");
  assert.equal(replay.json().id, redemptionId);
  assert.equal(await balance(), 1561);

  // Delivered once in the page, and a reload online delivers nothing more.
  const settledHere = await page.evaluate((key) => window.__demo.settled.filter((s) => s.key === key).length, item.key);
  assert.equal(settledHere, 1);
  await page.reload();
  await ready(page);
  assert.deepEqual(await page.evaluate(() => window.__demo.pending()), []);
  assert.equal(await page.locator(`[data-order-key="${item.key}"]`).count(), 1);
  assert.equal(await page.evaluate((key) => window.__demo.settled.filter((s) => s.key === key).length, item.key), 0);
  assert.equal(await balance(), 1561);
  assert.deepEqual(pageErrors, []);
});
