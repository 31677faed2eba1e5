// A Cloudflare-style worker using the package the edge-safe way: the .wasm
// is a statically imported WebAssembly.Module, instantiated synchronously
// (no fetch, no compile from bytes at run time), and the signed bundle comes
// from a KV binding, where a deploy step put the file `promo-origin
// publish` wrote (the sync client restores it and verifies it again).
import wasm from "../../wasm/promo_edge_bg.wasm";
import { PromoEngine, PromoError, PromoSync, fromKeyValue } from "../../dist/index.js";
import { runDump } from "../support/spec.mjs";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/spec") {
      const dump = await request.json();
      return Response.json(await runDump(() => PromoEngine.initSync(wasm), dump));
    }
    if (url.pathname === "/validate") {
      const { cart, now } = await request.json();
      const engine = PromoEngine.initSync(wasm);
      try {
        const sync = new PromoSync({
          engine, url: "https://origin.invalid/v1/bundles/web", jwks: env.PROMO_JWKS,
          store: fromKeyValue(env.PROMO_KV), storeKey: "bundle:web", now: () => new Date(now),
        });
        const errors = [];
        sync.on("error", (e) => errors.push(e.detail.code));
        const version = await sync.restore();
        if (version === null) return Response.json({ code: "NO_BUNDLE", errors }, { status: 503 });
        // The JSON text goes straight into the response body.
        return new Response(engine.validateJson(cart, now), { headers: { "content-type": "application/json", "x-version": String(version) } });
      } catch (e) {
        if (e instanceof PromoError) return Response.json({ code: e.code, message: e.message, details: e.details }, { status: 400 });
        throw e;
      } finally {
        engine.free();
      }
    }
    if (url.pathname === "/kv") {
      // The KV adapter on a real binding: text and bytes, read back either way.
      const store = fromKeyValue(env.PROMO_KV, "t/");
      await store.put("text", "héllo");
      await store.put("bytes", new Uint8Array([0, 1, 2, 255, 10]));
      const out = {
        text: await store.get("text"),
        textAsBytes: Array.from(await store.getBytes("text")),
        bytes: Array.from(await store.getBytes("bytes")),
        missing: [await store.get("nope"), await store.getBytes("nope")],
      };
      await store.delete("bytes");
      out.deleted = await store.getBytes("bytes");
      return Response.json(out);
    }
    return new Response("not found", { status: 404 });
  },
};
