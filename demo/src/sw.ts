// The storefront's service worker: caches the app shell, the engine's
// `.wasm`, the generated config and the last signed bundle, so a reload
// with the network gone still shows prices and previews carts.
//
// Every GET of the site is network-first (a fresh build or bundle wins when
// the origin answers) with the cache as the fallback; the API's other routes
// (validations, redemptions) are never intercepted: redemptions go through
// the page's RedemptionOutbox, which queues them durably in IndexedDB.
export {};
declare const self: ServiceWorkerGlobalScope;

const CACHE = "northwind-shell-v1";
const SHELL = [
  "/",
  "/app.js",
  "/app.css",
  "/promo_edge_bg.wasm",
  "/manifest.webmanifest",
  "/icon.svg",
  "/catalog.json",
  "/config.json",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
      // The last bundle too, so even a first visit can go offline at once.
      const config = await cache.match("/config.json");
      const channel: unknown = config ? ((await config.json()) as { channel?: unknown }).channel : undefined;
      if (typeof channel === "string") {
        const bundle = `/v1/bundles/${encodeURIComponent(channel)}`;
        const response = await fetch(bundle, { cache: "no-store" }).catch(() => null);
        if (response?.status === 200) await cache.put(bundle, response);
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function cacheable(url: URL): boolean {
  if (url.origin !== self.location.origin) return false;
  // The signed bundle is public and verified by the page; the rest of /v1/ is not cached.
  if (url.pathname.startsWith("/v1/")) return url.pathname.startsWith("/v1/bundles/");
  return url.pathname !== "/healthz";
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  // Navigations are cached as "/" (the one page of the app).
  const key = request.mode === "navigate" ? new Request(new URL("/", url).href) : new Request(url.href);
  try {
    const response = await fetch(request);
    if (response.status === 200) await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key, { ignoreSearch: true });
    if (cached) return cached;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!cacheable(url)) return;
  event.respondWith(networkFirst(request));
});
