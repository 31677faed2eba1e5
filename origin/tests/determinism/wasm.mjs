// The wasm side of origin/tests/determinism.rs: runs every case through the
// built npm package (pkg-js/dist/node.js) and writes the exact output texts.
//
//   node wasm.mjs <pkg-js/dist/node.js> <cases.json> <outputs.json>
//
// cases.json: {now, plans: [base64url], cases: [{snapshot, call, request}]}:
// the plans are the ones the Rust side compiled and loaded natively (the
// wasm has no compiler), `snapshot` indexes them. An output is the engine's
// JSON text, `{"error":CODE}` for a PromoError, or `{"trap":…}` for
// anything else (a wasm trap is a failure); a plan the wasm refuses fails
// the whole run, since the native engine loaded it.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [entry, input, output] = process.argv.slice(2);
const { PromoEngine, isPromoError } = await import(pathToFileURL(entry).href);
const { now, plans, cases } = JSON.parse(readFileSync(input, "utf8"));
const engines = [];
for (const [i, plan] of plans.entries()) {
  const engine = await PromoEngine.init();
  try {
    engine.loadPlan(Buffer.from(plan, "base64url"));
  } catch (e) {
    throw new Error(`plan ${i} loads natively but not in wasm: ${e?.code ?? ""} ${e?.message}`);
  }
  engines.push(engine);
}
const METHODS = { validate: "validateJson", qualify: "qualifyJson", price_products: "priceProductsJson" };
const outputs = cases.map((c) => {
  try {
    return engines[c.snapshot][METHODS[c.call]](c.request, now);
  } catch (e) {
    if (isPromoError(e)) return JSON.stringify({ error: e.code });
    return JSON.stringify({ trap: `${e?.name}: ${e?.message}` });
  }
});
writeFileSync(output, JSON.stringify(outputs));
