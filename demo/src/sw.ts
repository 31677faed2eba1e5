// The storefront's service worker: caches the app shell, the engine's
// `.wasm`, the generated config and the last signed bundle, so a reload
// with the network gone still shows prices and previews carts.
//
// Every GET of the site is network-first (a fresh build or bundle wins when
// the origin answers) with the cache as the fallback; the API's other routes
// (validations, redemptions) are never intercepted: redemptions go through
// the page's RedemptionOutbox, which queues them durably in IndexedDB.
//
// The bundle (`promo-edge.bundle/2`) is binary — a signed manifest line and
// the compiled plan — and is cached as the origin's bytes, only when it is
// one (`application/vnd.promo-edge.bundle`): a proxy's or portal's HTML page
// answered with 200 never replaces the last good bundle. The page verifies
// whatever it gets anyway; the cache only decides what is there offline.
export {};
declare const self: ServiceWorkerGlobalScope;

// v2: bundles became binary (a v1 cache holds a JSON bundle the engine
// refuses with BUNDLE_FORMAT_OUTDATED), so activation drops the old cache.
const CACHE = "northwind-shell-v2";
const BUNDLE_TYPE = "application/vnd.promo-edge.bundle";
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
        if (response && worthCaching(new URL(bundle, self.location.href), response)) await cache.put(bundle, response);
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
  if (url.pathname.startsWith("/v1/")) return isBundle(url);
  return url.pathname !== "/healthz";
}

function isBundle(url: URL): boolean {
  return url.pathname.startsWith("/v1/bundles/");
}

/** A 200, and for a bundle route really a bundle. */
function worthCaching(url: URL, response: Response): boolean {
  if (response.status !== 200) return false;
  if (!isBundle(url)) return true;
  return (response.headers.get("content-type") ?? "").split(";")[0]?.trim() === BUNDLE_TYPE;
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  // Navigations are cached as "/" (the one page of the app).
  const key = request.mode === "navigate" ? new Request(new URL("/", url).href) : new Request(url.href);
  try {
    const response = await fetch(request);
    if (worthCaching(url, response)) await cache.put(key, response.clone());
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
