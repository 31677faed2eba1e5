// Promo Edge at the edge: a module Worker that prices products next to the
// shopper, from a signed, compiled plan of the shop's promotions.
//
//   POST /api/prices    {products: [{product_id, price?, quantity?}], customer?} → strikethrough prices
//   POST /api/validate  a Voucherify-style validation request → the cart preview
//   GET  /api/status    which bundle is held, where from, and how the last check went
//   GET  / , /products  the product page with promotional prices written in
//
// Errors are JSON {code, message}: 400 with the engine's code for bad input,
// 503 when no bundle can be had, 404/405/413 for the obvious.

// The static import is the point: the platform compiles the .wasm when the
// worker is deployed and hands it over as a WebAssembly.Module. Workers may
// not compile WebAssembly from bytes at run time, and compiling the module
// on a cold start would cost more than the request itself.
import wasmModule from "promo-edge/promo_edge_bg.wasm";
import { PromoEngine, PromoError } from "promo-edge";
import { BundleHolder, BundleUnavailable, type Env, type Held } from "./bundle.js";
import { PRODUCTS_PAGE, PriceRewriter } from "./page.js";

// Module scope lives as long as the isolate, so the engine is instantiated
// once (synchronously: nothing to await) and the bundle it holds is reused
// by every request the isolate serves.
const holder = new BundleHolder(PromoEngine.initSync(wasmModule));

// Pricing requests are small; this keeps a hostile body from using the
// isolate's memory. The engine has its own limits (10,000 products, …).
const MAX_BODY_BYTES = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function json(body: string, status = 200, extra: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...extra },
  });
}

function problem(status: number, code: string, message: string): Response {
  return json(JSON.stringify({ code, message }), status);
}

async function readBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, "PAYLOAD_TOO_LARGE", `body over ${MAX_BODY_BYTES} bytes`);
  // Without a Content-Length (chunked), check what arrived; UTF-16 length
  // is close enough for a sanity bound.
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, "PAYLOAD_TOO_LARGE", `body over ${MAX_BODY_BYTES} bytes`);
  return text;
}

/** The clock for evaluations: real time, unless NOW pins it (demos, tests). */
function nowOf(env: Env): string {
  return env.NOW ?? new Date().toISOString();
}

/** Which plan answered, and whether it is past its `expires_at` (kept serving when nothing newer can be had). */
function versionHeader(held: Held, now: string): Record<string, string> {
  const headers: Record<string, string> = { "x-snapshot-version": String(held.version) };
  if (holder.engine.status(now)?.stale) headers["x-snapshot-stale"] = "true";
  return headers;
}

async function prices(request: Request, env: Env): Promise<Response> {
  const body = await readBody(request);
  const now = nowOf(env);
  const held = await holder.ready(env, now);
  // The request text goes into the engine and the answer text comes back
  // out as the response body: no parse or stringify in JavaScript.
  return json(holder.engine.priceProductsJson(body, now), 200, versionHeader(held, now));
}

async function validate(request: Request, env: Env): Promise<Response> {
  const body = await readBody(request);
  const now = nowOf(env);
  const held = await holder.ready(env, now);
  // A preview only: budgets and single-use codes are settled by the origin's
  // POST /v1/redemptions when the order is placed.
  return json(holder.engine.validateJson(body, now), 200, versionHeader(held, now));
}

async function status(env: Env): Promise<Response> {
  const now = nowOf(env);
  let ok = true;
  try {
    await holder.ready(env, now);
  } catch (e) {
    if (!(e instanceof BundleUnavailable)) throw e;
    ok = false;
  }
  const body = {
    ok,
    now,
    snapshot: holder.engine.status(now),
    bundle: holder.held,
    last_error: holder.lastError,
    counts: holder.counts,
  };
  // 503 without a bundle, so a health check can use this route as is.
  return json(JSON.stringify(body), ok ? 200 : 503);
}

async function productsPage(env: Env): Promise<Response> {
  const now = nowOf(env);
  const page = new Response(PRODUCTS_PAGE, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Prices change when a promotion starts or ends: no shared caching.
      "cache-control": "no-store",
    },
  });
  let held: Held;
  try {
    held = await holder.ready(env, now);
  } catch (e) {
    if (!(e instanceof BundleUnavailable)) throw e;
    // Without promotions the shelf prices are still right: serve the page
    // as it is rather than an error.
    page.headers.set("x-promo-unavailable", e.code);
    return page;
  }
  for (const [k, v] of Object.entries(versionHeader(held, now))) page.headers.set(k, v);
  return new HTMLRewriter()
    .on("[data-product-id][data-price]", new PriceRewriter(holder.engine, held.currency, now))
    .transform(page);
}

async function route(request: Request, env: Env): Promise<Response> {
  const { pathname } = new URL(request.url);
  const routes: Record<string, Record<string, () => Promise<Response>>> = {
    "/api/prices": { POST: () => prices(request, env) },
    "/api/validate": { POST: () => validate(request, env) },
    "/api/status": { GET: () => status(env) },
    "/": { GET: () => productsPage(env) },
    "/products": { GET: () => productsPage(env) },
  };
  const methods = routes[pathname];
  if (methods === undefined) throw new HttpError(404, "NOT_FOUND", `no route ${pathname}`);
  const handler = methods[request.method];
  if (handler === undefined) {
    throw new HttpError(405, "METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${pathname}`);
  }
  return handler();
}

export default {
  async fetch(request, env): Promise<Response> {
    try {
      return await route(request, env);
    } catch (e) {
      if (e instanceof PromoError) return problem(400, e.code, e.message);
      if (e instanceof BundleUnavailable) return problem(503, e.code, e.message);
      if (e instanceof HttpError) return problem(e.status, e.code, e.message);
      console.error(e);
      return problem(500, "INTERNAL", "internal error");
    }
  },
} satisfies ExportedHandler<Env>;
