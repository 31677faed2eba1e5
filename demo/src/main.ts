// The demo storefront: a catalog with strikethrough prices, a cart previewed
// by the engine on every change, a loyalty preview, and a checkout that goes
// through the RedemptionOutbox (durable in IndexedDB, delivered once). The
// cart preview is asked through `promo-edge/voucherify`, the official
// @voucherify/sdk's method names answered locally.
// Everything runs on the snapshot the page holds, so it works offline.
import { IndexedDBStore, PromoEngine, PromoSync, RedemptionOutbox } from "promo-edge";
import { createVoucherify } from "promo-edge/voucherify";
import { type Catalog, type Config, fetchJson } from "./data.js";
import { h } from "./dom.js";
import { Storefront } from "./storefront.js";

async function main(): Promise<void> {
  const [catalog, config] = (await Promise.all([fetchJson("/catalog.json"), fetchJson("/config.json")])) as [Catalog, Config];
  const engine = await PromoEngine.init(new URL("/promo_edge_bg.wasm", location.href));
  const clock = (): Date => (config.now ? new Date(config.now) : new Date());
  const bundleUrl = new URL(`/v1/bundles/${encodeURIComponent(config.channel)}`, location.href);
  const sync = new PromoSync({
    engine,
    url: bundleUrl,
    jwks: config.jwks,
    store: new IndexedDBStore("northwind-sync"),
    now: clock,
    pollIntervalMs: 30_000,
    requestTimeoutMs: 5_000,
  });
  const outbox = new RedemptionOutbox({
    origin: location.origin,
    channelKey: config.channel_key,
    store: new IndexedDBStore("northwind-outbox"),
    engine,
    now: clock,
    maxAttempts: 3,
    backoff: { baseMs: 500, maxMs: 4_000 },
    requestTimeoutMs: 5_000,
  });
  // The official SDK's calls, answered from the plan this page holds (offline too).
  const voucherify = createVoucherify({ engine, outbox, now: clock });
  const app = new Storefront(engine, catalog, config, sync, outbox, voucherify);

  sync.on("update", (e) => {
    app.setSyncNote(e.detail.source === "store" ? "restored from this device" : "");
    app.onSnapshot();
  });
  sync.on("error", (e) => app.setSyncNote(e.detail.code === "NETWORK_ERROR" ? "origin unreachable: using the stored prices" : e.detail.code));
  outbox.on("settled", (e) => app.onSettled(e.detail.settlement));
  window.addEventListener("online", () => {
    app.setSyncNote("");
    void app.flushAndCount();
    void sync.refresh();
    app.render();
  });
  window.addEventListener("offline", () => app.render());
  window.__demo = {
    pending: () => outbox.pending(),
    settled: app.settled,
    preview: () => app.validate(),
    prices: () => app.price(),
  };

  await sync.start();
  app.onSnapshot();
  await app.refreshPending();
  app.render();
  // Resume what an earlier page (or an offline checkout) left queued.
  if (navigator.onLine) void app.flushAndCount();
  // Happy hours start and end: re-price every minute.
  setInterval(() => app.render(), 60_000);

  if ("serviceWorker" in navigator) {
    try {
      await navigator.serviceWorker.register("/sw.js");
    } catch (e) {
      console.warn("service worker not registered", e);
    }
  }
  window.__ready = true;
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  document.body.prepend(h("p", { class: "error", "data-testid": "error" }, `The storefront could not start: ${message}`));
  window.__ready = message;
});
