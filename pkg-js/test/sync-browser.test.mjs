// The browser stores in headless Chromium: IndexedDBStore and CacheStore
// keep values across a page reload; PromoSync restores its bundle from
// IndexedDB after a reload with the network gone (an offline cold start);
// an outbox item enqueued before a reload is pending in the next page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { PKG_ROOT } from "./support/dump.mjs";
import { serve } from "./support/server.mjs";
import { launch, openPage } from "./support/chromium.mjs";

const NOW = "2026-06-01T10:00:00Z";
const b64u = (data) => Buffer.from(data).toString("base64url");
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1", use: "sig" }] };
function bundle(version) {
  const snapshot = {
    schema: "promo-edge.snapshot/1", project: "shop", channel: "web", version,
    issued_at: "2026-01-01T00:00:00Z", expires_at: "2027-01-01T00:00:00Z",
    currency: { code: "USD", exponent: 2 }, time_zone: { name: "UTC", offsets: [{ offset_seconds: 0 }] },
    campaigns: [{ id: "c", campaign_type: "DISCOUNT_COUPONS", voucher: { discount: { type: "AMOUNT", amount_off: 500 } }, vouchers: [{ code: "FIVE" }] }],
  };
  const input = `${b64u(JSON.stringify({ alg: "EdDSA", kid: "k1" }))}.${b64u(JSON.stringify(snapshot))}`;
  return `${input}.${b64u(sign(null, Buffer.from(input), privateKey))}`;
}
const cart = { redeemables: [{ object: "voucher", id: "FIVE" }], order: { items: [{ product_id: "p", price: 2000 }] } };

let server;
let browser;
let page;
before(async () => {
  server = await serve(PKG_ROOT);
  browser = await launch();
  ({ page } = await openPage(browser.context, `${server.url}test/browser/sync.html`));
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function reload() {
  await page.reload();
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.__ready), true);
}

test("IndexedDBStore and CacheStore: put, get, delete, and values survive a reload", async () => {
  assert.equal(await page.evaluate(() => window.__ready), true);
  const first = await page.evaluate(async () => {
    const out = {};
    for (const [name, store] of [["idb", new window.promo.IndexedDBStore("t")], ["cache", new window.promo.CacheStore("t")]]) {
      await store.put("a", "one");
      await store.put("b/ü ?&", "two");
      await store.put("a", "uno");
      await store.delete("b/ü ?&");
      out[name] = [await store.get("a"), await store.get("b/ü ?&"), await store.get("missing")];
      await store.put("keep", "kept");
    }
    return out;
  });
  assert.deepEqual(first, { idb: ["uno", null, null], cache: ["uno", null, null] });
  await reload();
  const second = await page.evaluate(async () => [
    await new window.promo.IndexedDBStore("t").get("keep"),
    await new window.promo.CacheStore("t").get("keep"),
    window.promo.IndexedDBStore.available() && window.promo.CacheStore.available(),
  ]);
  assert.deepEqual(second, ["kept", "kept", true]);
});

test("PromoSync persists to IndexedDB and restores after a reload with the network gone; an outbox item survives the reload", async () => {
  const online = await page.evaluate(async ({ text, jwks, now, cart }) => {
    const { PromoEngine, PromoSync, IndexedDBStore, RedemptionOutbox } = window.promo;
    const engine = await PromoEngine.init();
    const fetch = async () => new Response(text, { headers: { etag: '"v3"' } });
    const sync = new PromoSync({ engine, url: "https://origin.invalid/v1/bundles/web", jwks, store: new IndexedDBStore("sync"), fetch, now: () => new Date(now) });
    const outcome = await sync.refresh();
    const outbox = new RedemptionOutbox({ origin: "https://origin.invalid", store: new IndexedDBStore("outbox"), engine, autoFlush: false });
    const { key } = await outbox.enqueue(cart, { now });
    return { kind: outcome.kind, version: engine.status(now).version, key };
  }, { text: bundle(3), jwks, now: NOW, cart });
  assert.deepEqual([online.kind, online.version], ["updated", 3]);

  await reload();
  const offline = await page.evaluate(async ({ jwks, now, cart }) => {
    const { PromoEngine, PromoSync, IndexedDBStore, RedemptionOutbox } = window.promo;
    const engine = await PromoEngine.init();
    const fetch = async () => { throw new TypeError("Failed to fetch"); };
    const timers = { setTimeout: () => 0, clearTimeout: () => undefined };
    const sync = new PromoSync({ engine, url: "https://origin.invalid/v1/bundles/web", jwks, store: new IndexedDBStore("sync"), fetch, timers, now: () => new Date(now) });
    const events = [];
    sync.addEventListener("update", (e) => events.push(`update:${e.detail.source}`));
    sync.addEventListener("error", (e) => events.push(`error:${e.detail.code}`));
    const outcome = await sync.start();
    sync.stop();
    const outbox = new RedemptionOutbox({ origin: "https://origin.invalid", store: new IndexedDBStore("outbox"), autoFlush: false });
    const pending = await outbox.pending();
    return {
      kind: outcome.kind, events, version: engine.status(now).version,
      total: engine.validate(cart, now).order.total_amount,
      pending: pending.map((i) => [i.key, i.body.snapshot_version, i.body.expected.order.total_amount]),
    };
  }, { jwks, now: NOW, cart });
  assert.deepEqual(offline, {
    kind: "failed", events: ["update:store", "error:NETWORK_ERROR"], version: 3, total: 1500,
    pending: [[online.key, 3, 1500]],
  });
});
