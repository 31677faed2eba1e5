// The browser stores in headless Chromium: IndexedDBStore and CacheStore
// keep text and bytes across a page reload; PromoSync restores its binary
// bundle (published by the real promo-origin) from IndexedDB and from the
// Cache API after a reload with the network gone (an offline cold start);
// an outbox item enqueued before a reload is pending in the next page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PKG_ROOT } from "./support/dump.mjs";
import { serve } from "./support/server.mjs";
import { launch, openPage } from "./support/chromium.mjs";
import { makePublisher } from "./support/publish.mjs";

const NOW = "2026-06-01T10:00:00Z";
// Published by the real promo-origin; the page gets the bytes as base64 (page.evaluate passes JSON).
const pub = makePublisher();
const SOURCE = {
  project: { project: "shop", channel: "web", currency: { code: "USD", exponent: 2 }, time_zone: "UTC" },
  campaigns: [{ id: "c", campaign_type: "DISCOUNT_COUPONS", voucher: { discount: { type: "AMOUNT", amount_off: 500 } }, vouchers: [{ code: "FIVE" }] }],
};
const jwks = pub.jwks;
const bundle = (version) => Buffer.from(pub.publish(SOURCE, { version })).toString("base64");
const cart = { redeemables: [{ object: "voucher", id: "FIVE" }], order: { items: [{ product_id: "p", price: 2000 }] } };
after(() => pub.cleanup());

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

test("IndexedDBStore and CacheStore: text and bytes, put, get, delete, and values survive a reload", async () => {
  assert.equal(await page.evaluate(() => window.__ready), true);
  const first = await page.evaluate(async () => {
    const out = {};
    for (const [name, store] of [["idb", new window.promo.IndexedDBStore("t")], ["cache", new window.promo.CacheStore("t")]]) {
      await store.put("a", "one");
      await store.put("b/ü ?&", "two");
      await store.put("a", "uno");
      await store.delete("b/ü ?&");
      const bytes = new Uint8Array([0, 255, 10, 13, 0x7b]);
      await store.put("bin", bytes);
      bytes[0] = 9; // the store kept its own copy
      out[name] = [await store.get("a"), await store.get("b/ü ?&"), await store.get("missing"), await store.getBytes("missing"),
        Array.from(await store.getBytes("bin")), Array.from(await store.getBytes("a"))];
      await store.put("keep", "kept");
      await store.put("keep-bytes", new Uint8Array([1, 2, 3]));
    }
    return out;
  });
  const expected = ["uno", null, null, null, [0, 255, 10, 13, 0x7b], [117, 110, 111]];
  assert.deepEqual(first, { idb: expected, cache: expected });
  await reload();
  const second = await page.evaluate(async () => {
    const { IndexedDBStore, CacheStore } = window.promo;
    const out = [];
    for (const store of [new IndexedDBStore("t"), new CacheStore("t")]) {
      const b = await store.getBytes("keep-bytes");
      out.push(await store.get("keep"), b instanceof Uint8Array ? Array.from(b) : String(b));
    }
    out.push(IndexedDBStore.available() && CacheStore.available());
    return out;
  });
  assert.deepEqual(second, ["kept", [1, 2, 3], "kept", [1, 2, 3], true]);
});

test("PromoSync persists a binary bundle to IndexedDB and to the Cache API and restores it after a reload with the network gone; an outbox item survives the reload", async () => {
  const online = await page.evaluate(async ({ base64, jwks, now, cart }) => {
    const { PromoEngine, PromoSync, IndexedDBStore, CacheStore, RedemptionOutbox } = window.promo;
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const out = {};
    for (const [name, store] of [["idb", new IndexedDBStore("sync")], ["cache", new CacheStore("sync")]]) {
      const engine = await PromoEngine.init();
      const fetch = async () => new Response(bytes, { headers: { etag: '"v3"', "content-type": "application/vnd.promo-edge.bundle" } });
      const sync = new PromoSync({ engine, url: "https://origin.invalid/v1/bundles/web", jwks, store, fetch, now: () => new Date(now) });
      const outcome = await sync.refresh();
      const kept = await store.getBytes("promo-edge/bundle/https://origin.invalid/v1/bundles/web");
      out[name] = { kind: outcome.kind, version: engine.status(now).version, same: kept.length === bytes.length && kept.every((b, i) => b === bytes[i]) };
      if (name === "idb") {
        const outbox = new RedemptionOutbox({ origin: "https://origin.invalid", store: new IndexedDBStore("outbox"), engine, autoFlush: false });
        out.key = (await outbox.enqueue(cart, { now })).key;
      }
    }
    return out;
  }, { base64: bundle(3), jwks, now: NOW, cart });
  assert.deepEqual(online.idb, { kind: "updated", version: 3, same: true });
  assert.deepEqual(online.cache, { kind: "updated", version: 3, same: true });

  await reload();
  // The network really gone: Chromium offline, the client's own fetch.
  await browser.context.setOffline(true);
  try {
    for (const storeName of ["CacheStore", "IndexedDBStore"]) {
      const offline = await page.evaluate(async ({ jwks, now, cart, storeName }) => {
        const { PromoEngine, PromoSync, IndexedDBStore, RedemptionOutbox } = window.promo;
        const engine = await PromoEngine.init();
        const timers = { setTimeout: () => 0, clearTimeout: () => undefined };
        const store = new window.promo[storeName]("sync");
        // Polls the page's own server (which a real fetch cannot reach offline), under the key the online page used.
        const sync = new PromoSync({ engine, url: `${location.origin}/v1/bundles/web`, jwks, store, timers, now: () => new Date(now),
          storeKey: "promo-edge/bundle/https://origin.invalid/v1/bundles/web" });
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
      }, { jwks, now: NOW, cart, storeName });
      assert.deepEqual(offline, {
        kind: "failed", events: ["update:store", "error:NETWORK_ERROR"], version: 3, total: 1500,
        pending: [[online.key, 3, 1500]],
      }, storeName);
    }
  } finally {
    await browser.context.setOffline(false);
  }
});
