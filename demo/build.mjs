// Builds the storefront into OUT (default ../target/demo-site): the page and
// its service worker bundled by esbuild, the engine's .wasm from the local
// package, static files, and catalog.json made from demo/campaigns (the
// shop's product master data; prices and promotions come from the bundle).
// config.json is NOT built: `make demo` and the tests write it per run.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "../target/demo-site"));
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: "esm", target: "es2022", platform: "browser", logLevel: "warning", legalComments: "none" };
await build({ ...common, entryPoints: [join(here, "src/main.ts")], outfile: join(out, "app.js") });
await build({ ...common, entryPoints: [join(here, "src/sw.ts")], outfile: join(out, "sw.js") });

for (const f of readdirSync(join(here, "static"))) copyFileSync(join(here, "static", f), join(out, f));
copyFileSync(join(here, "node_modules/promo-edge/wasm/promo_edge_bg.wasm"), join(out, "promo_edge_bg.wasm"));

const project = JSON.parse(readFileSync(join(here, "campaigns/project.json"), "utf8"));
const SHIPPING = "prod_5h1pp1ng";
const collectionOf = new Map();
for (const c of project.collections) for (const p of c.products) collectionOf.set(p, c.id);
const catalog = {
  currency: project.currency,
  shipping_product: SHIPPING,
  shipping_name: project.products.find((p) => p.id === SHIPPING)?.name ?? "Shipping",
  collections: project.collections.map((c) => ({ id: c.id, key: c.id, name: c.name })),
  products: project.products
    .filter((p) => p.id !== SHIPPING)
    .map((p) => ({ id: p.id, name: p.name, price: p.price, collection: collectionOf.get(p.id) })),
};
writeFileSync(join(out, "catalog.json"), JSON.stringify(catalog, null, 2));
console.log(`storefront built in ${out} (${catalog.products.length} products)`);
