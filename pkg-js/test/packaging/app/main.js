// A storefront's use of the installed package, bundled by Vite or esbuild.
// The signed bundle is what `promo-origin publish` wrote; the test puts it
// (and the JWKS to pin) into ./fixture.js, base64-encoded so that one
// module works unbundled in Node, bundled for Node, and in a browser.
import { PromoEngine, PromoError } from "promo-edge";
import { BUNDLE_BASE64, JWKS } from "./fixture.js";

const NOW = "2026-06-01T00:00:00Z";

function bytes(base64) {
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function run() {
  const engine = await PromoEngine.init();
  const report = engine.loadBundle(bytes(BUNDLE_BASE64), JWKS, { now: NOW });
  const res = engine.validate(
    { redeemables: [{ object: "voucher", id: "TAKE250" }], order: { items: [{ product_id: "p", price: 1000, quantity: 2 }] } },
    NOW,
  );
  let code = "";
  try {
    engine.validate({}, "never");
  } catch (e) {
    code = e instanceof PromoError ? `${e.code} ${e.details.value}` : String(e);
  }
  return `v${report.version} ${res.valid} ${res.order.total_amount} ${code}`;
}

if (typeof window !== "undefined") {
  run().then(
    (r) => (window.__ready = r),
    (e) => (window.__ready = `error: ${e}`),
  );
}
