// The wasm side of origin/tests/determinism.rs: runs every case through the
// built npm package (pkg-js/dist/node.js) and writes the exact output texts.
//
//   node wasm.mjs <pkg-js/dist/node.js> <cases.json> <outputs.json>
//
// cases.json: {now, snapshots: [text], cases: [{snapshot, call, request}]}.
// An output is the engine's JSON text, `{"error":CODE}` for a PromoError,
// or `{"trap":…}` for anything else (a wasm trap is a failure).
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [entry, input, output] = process.argv.slice(2);
const { PromoEngine, isPromoError } = await import(pathToFileURL(entry).href);
const { now, snapshots, cases } = JSON.parse(readFileSync(input, "utf8"));
const engines = [];
for (const text of snapshots) {
  const engine = await PromoEngine.init();
  engine.load(text);
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
