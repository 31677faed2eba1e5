// The package as a user gets it: `npm pack`, install the tarball into a
// scratch app, build with Vite and with esbuild, run the results in
// Chromium and Node, and use it unbundled from Node.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PKG_ROOT } from "./support/dump.mjs";
import { serve } from "./support/server.mjs";
import { launch, openPage } from "./support/chromium.mjs";
import { makePublisher } from "./support/publish.mjs";

const EXPECTED = "v1 true 1750 INVALID_TIMESTAMP never";
const BIN = join(PKG_ROOT, "node_modules/.bin");
let work;
let app;
let browser;

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: "pipe", timeout: 180_000 });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "promo-edge-pack-"));
  app = join(work, "app");
  cpSync(join(PKG_ROOT, "test/packaging/app"), app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true, type: "module" }));
  // The app's bundle, published for real.
  const pub = makePublisher();
  try {
    const bundle = pub.publish({
      project: { project: "shop", channel: "web", currency: { code: "USD", exponent: 2 }, time_zone: "UTC" },
      campaigns: [{ id: "camp_1", campaign_type: "DISCOUNT_COUPONS", voucher: { discount: { type: "AMOUNT", amount_off: 250 } }, vouchers: [{ code: "TAKE250" }] }],
    }, { version: 1 });
    writeFileSync(join(app, "fixture.js"),
      `export const BUNDLE_BASE64 = ${JSON.stringify(Buffer.from(bundle).toString("base64"))};\nexport const JWKS = ${JSON.stringify(pub.jwks)};\n`);
  } finally {
    pub.cleanup();
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

let tarball;
test("npm pack ships the built files and nothing else", () => {
  const [info] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], PKG_ROOT));
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/node.js", "dist/types.d.ts",
    "dist/voucherify.js", "dist/voucherify.d.ts", "dist/voucherify-types.js", "dist/voucherify-types.d.ts",
    "wasm/promo_edge.js", "wasm/promo_edge.d.ts", "wasm/promo_edge_bg.wasm"]) {
    assert.ok(files.includes(f), `missing ${f}: ${files.join(", ")}`);
  }
  assert.deepEqual(files.filter((f) => /^(src|test|node_modules)\//.test(f) || f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
});

test("installs into a scratch app and works unbundled in Node", () => {
  run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--prefer-offline", tarball], app);
  assert.equal(run(process.execPath, ["node-main.js"], app).trim(), EXPECTED);
});

test("promo-edge/voucherify resolves from the installed package, in Node and in TypeScript", () => {
  // The subpath in use: the legacy validation of TAKE250 on 20.00 is 2.50 off, 17.50.
  writeFileSync(join(app, "voucherify-main.mjs"), `import { PromoEngine } from "promo-edge";
import { createVoucherify, VoucherifyError } from "promo-edge/voucherify";
import { BUNDLE_BASE64, JWKS } from "./fixture.js";
const engine = await PromoEngine.init();
engine.loadBundle(Uint8Array.from(atob(BUNDLE_BASE64), (c) => c.charCodeAt(0)), JWKS, { now: "2026-06-01T00:00:00Z" });
const voucherify = createVoucherify({ engine, now: "2026-06-01T00:00:00Z" });
const res = await voucherify.validations.validate("TAKE250", { order: { amount: 2000 } });
const err = await voucherify.redemptions.redeemStackable({ redeemables: [] }).catch((e) => e);
console.log(res.valid, res.order.total_discount_amount, res.order.total_amount, err instanceof VoucherifyError, err.key);
`);
  assert.equal(run(process.execPath, ["voucherify-main.mjs"], app).trim(), "true 250 1750 true redemptions_not_configured");
  // Its declarations resolve through the exports map's "types".
  writeFileSync(join(app, "voucherify-types.ts"), `import type { PromoEngine } from "promo-edge";
import { createVoucherify, type ValidationsValidateVoucherResponse } from "promo-edge/voucherify";
export async function total(engine: PromoEngine): Promise<number> {
  const res: ValidationsValidateVoucherResponse = await createVoucherify({ engine }).validations.validate("TAKE250", { order: { amount: 2000 } });
  return res.order?.total_amount ?? 0;
}
`);
  run(join(BIN, "tsc"), ["--ignoreConfig", "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
    "--lib", "es2022,dom", "--types", "", "voucherify-types.ts"], app);
});

async function checkInChromium(dir) {
  const server = await serve(dir);
  try {
    const { page } = await openPage(browser.context, `${server.url}index.html`);
    const result = await page.evaluate(() => window.__ready);
    await page.close();
    return result;
  } finally {
    await server.close();
  }
}

test("Vite build runs in Chromium", async () => {
  run(process.execPath, [join(PKG_ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn", "--outDir", "dist-vite"], app);
  assert.equal(await checkInChromium(join(app, "dist-vite")), EXPECTED);
});

test("esbuild browser bundle runs in Chromium", async () => {
  const out = join(app, "dist-esbuild");
  run(join(BIN, "esbuild"), ["main.js", "--bundle", "--format=esm", "--platform=browser", "--target=chrome120", `--outdir=${out}`], app);
  // esbuild leaves new URL("promo_edge_bg.wasm", import.meta.url) alone: the .wasm goes next to the bundle.
  copyFileSync(join(app, "node_modules/promo-edge/wasm/promo_edge_bg.wasm"), join(out, "promo_edge_bg.wasm"));
  copyFileSync(join(app, "index.html"), join(out, "index.html"));
  assert.equal(await checkInChromium(out), EXPECTED);
});

test("esbuild Node bundle runs in Node", () => {
  const out = join(app, "dist-node");
  mkdirSync(out, { recursive: true });
  run(join(BIN, "esbuild"), ["node-main.js", "--bundle", "--format=esm", "--platform=node", "--target=node20", `--outfile=${join(out, "main.mjs")}`], app);
  copyFileSync(join(app, "node_modules/promo-edge/wasm/promo_edge_bg.wasm"), join(out, "promo_edge_bg.wasm"));
  assert.equal(run(process.execPath, [join(out, "main.mjs")], work).trim(), EXPECTED);
});
