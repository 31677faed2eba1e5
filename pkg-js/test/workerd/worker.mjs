// A Cloudflare-style worker using the package the edge-safe way: the .wasm
// is a statically imported WebAssembly.Module, instantiated synchronously
// (no fetch, no compile from bytes at run time).
import wasm from "../../wasm/promo_edge_bg.wasm";
import { PromoEngine, PromoError } from "../../dist/index.js";
import { runDump } from "../support/spec.mjs";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/spec") {
      const dump = await request.json();
      return Response.json(await runDump(() => PromoEngine.initSync(wasm), dump));
    }
    if (url.pathname === "/validate") {
      const { snapshot, cart, now } = await request.json();
      const engine = PromoEngine.initSync(wasm);
      try {
        engine.load(snapshot);
        // The JSON text goes straight into the response body.
        return new Response(engine.validateJson(cart, now), { headers: { "content-type": "application/json" } });
      } catch (e) {
        if (e instanceof PromoError) return Response.json({ code: e.code, message: e.message }, { status: 400 });
        throw e;
      } finally {
        engine.free();
      }
    }
    return new Response("not found", { status: 404 });
  },
};
