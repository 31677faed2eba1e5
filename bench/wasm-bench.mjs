#!/usr/bin/env node
// The wasm build of promo-edge in Node, against the workload that
// `cargo run --release --example gen_workload -- DIR` writes (the same seeded
// generator as the native criterion benches): `bundle.bin` + `jwks.json`
// (a signed promo-edge.bundle/2) for load-and-verify, `plan.bin` for
// `loadPlan`, the carts and pages, `scaling/plan-campaigns-N.bin`. Side by
// side with the native build (criterion's estimates from `cargo bench
// --bench engine`) and with json-rules-engine evaluating the same coupon
// eligibility rules (read from the source, `snapshot.json`).
//
//   node bench/wasm-bench.mjs [--workload target/bench-workload]
//       [--criterion target/criterion] [--out benches/results.json]
//       [--named-wasm target/.../promo_edge.wasm] [--pkg pkg-js] [--quick]
//
// Prints tables and writes every number to --out (read by report.mjs).
// Each measurement is bounded by an iteration count and a time limit.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluator } from "./jre.mjs";
import { BUDGET_GZIP, BUDGET_RAW, sizeReport } from "../scripts/wasm-size.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const NOW = "2026-06-01T12:00:00Z";

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
// The npm package as built (dist/ + wasm/); --pkg benchmarks another build of it.
const PKG = resolve(arg("pkg", join(ROOT, "pkg-js")));
// (realpath: a package whose wasm/ links to pkg-js/wasm reports that file.)
const WASM_FILE = realpathSync(join(PKG, "wasm", "promo_edge_bg.wasm"));
const WORKLOAD = resolve(arg("workload", join(ROOT, "target", "bench-workload")));
const CRITERION = resolve(arg("criterion", join(ROOT, "target", "criterion")));
const OUT = resolve(arg("out", join(ROOT, "benches", "results.json")));
const NAMED_WASM = arg("named-wasm", null);
const QUICK = process.argv.includes("--quick");
// Time limits per measurement (ms); iteration caps below.
const FAST_MS = QUICK ? 300 : 2500;
const SLOW_MS = QUICK ? 1500 : 12000;
const SCALE_MS = QUICK ? 200 : 1200;

// The package as built by `make wasm-build` (dist/ + wasm/), and its
// wasm-bindgen glue (the same module instance: the glue's initSync returns
// the already-instantiated exports, whose `memory` is the linear memory).
const { PromoEngine } = await import(join(PKG, "dist", "node.js"));
const glue = await import(join(PKG, "wasm", "promo_edge.js"));

const read = (name) => readFileSync(join(WORKLOAD, name), "utf8");
const readBytes = (name) => new Uint8Array(readFileSync(join(WORKLOAD, name)));

// ---------------------------------------------------------------- timing

function stats(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, median: q(0.5), p99: q(0.99), min: s[0], max: s[s.length - 1], mean };
}

/** Times each call of `fn` (ns): `warmup` calls first, then until maxIters or maxMs. */
function measure(fn, { maxIters = 20000, maxMs = FAST_MS, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const samples = [];
  const end = performance.now() + maxMs;
  while (samples.length < maxIters && (samples.length < 5 || performance.now() < end)) {
    const a = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - a));
  }
  return stats(samples);
}

async function measureAsync(fn, { maxIters = 20000, maxMs = FAST_MS, warmup = 20 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  const end = performance.now() + maxMs;
  while (samples.length < maxIters && (samples.length < 5 || performance.now() < end)) {
    const a = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - a));
  }
  return stats(samples);
}

function fmt(ns) {
  if (ns === undefined || ns === null || Number.isNaN(ns)) return "—";
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}
const ratio = (a, b) => (a && b ? a / b : null);
const fmtRatio = (r) => (r === null ? "—" : `${r.toFixed(2)}×`);

function table(title, head, rows) {
  console.log(`\n${title}`);
  const all = [head, ...rows].map((r) => r.map(String));
  const w = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  for (const [k, r] of all.entries()) {
    console.log("  " + r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  "));
    if (k === 0) console.log("  " + w.map((n) => "-".repeat(n)).join("  "));
  }
}

// ---------------------------------------------------------------- memory probe
// Run in a fresh process so the figure is that of one load, not of the
// heap after the load benchmark's repeated loads.
if (process.argv.includes("--memory-probe")) {
  const ab0 = process.memoryUsage().arrayBuffers;
  const engine = await PromoEngine.init();
  const memory = glue.initSync().memory;
  const afterInit = memory.buffer.byteLength;
  engine.loadBundle(readBytes("bundle.bin"), read("jwks.json"), { now: NOW });
  const afterLoad = memory.buffer.byteLength;
  engine.validateJson(read("cart.json"), NOW);
  engine.qualifyJson(read("qualify.json"), NOW);
  engine.priceProductsJson(read("page.json"), NOW);
  const afterCalls = memory.buffer.byteLength;
  process.stdout.write(
    JSON.stringify({ afterInit, afterLoad, afterCalls, arrayBuffersBefore: ab0, arrayBuffersAfterLoad: process.memoryUsage().arrayBuffers }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------- setup

function machine() {
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
  const model = cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const memTotal = readFileSync("/proc/meminfo", "utf8").match(/^MemTotal:\s*(\d+) kB/m)?.[1];
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {}
  let rustc = "";
  try {
    rustc = execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim();
  } catch {}
  return {
    date: new Date().toISOString(),
    nproc,
    cpu: model,
    memory_bytes: memTotal ? Number(memTotal) * 1024 : totalmem(),
    free_bytes_at_start: freemem(),
    loadavg_at_start: loadavg(),
    node: process.version,
    v8: process.versions.v8,
    rustc,
  };
}

const results = { quick: QUICK, package: PKG.startsWith(ROOT + "/") ? PKG.slice(ROOT.length + 1) : PKG, machine: machine(), budgets: {}, wasm: {}, native: {}, boundary: {}, jre: {}, scaling: {}, size: {}, memory: {} };
console.log(`promo-edge wasm benchmark — ${results.machine.date}`);
console.log(`  ${results.machine.cpu}, nproc ${results.machine.nproc}, ${(results.machine.memory_bytes / 2 ** 30).toFixed(1)} GiB, load ${results.machine.loadavg_at_start.map((l) => l.toFixed(2)).join(" ")}`);
console.log(`  node ${process.version}; workload ${WORKLOAD}${QUICK ? " (QUICK: short limits)" : ""}`);

// The source, for json-rules-engine's translation of the coupon rules only:
// the engine reads the compiled plan.
const snapshot = JSON.parse(read("snapshot.json"));
const bundle = readBytes("bundle.bin");
const plan = readBytes("plan.bin");
const jwks = read("jwks.json");
const cartText = read("cart.json");
const qualifyText = read("qualify.json");
const pageText = read("page.json");
const cart = JSON.parse(cartText);
const qual = JSON.parse(qualifyText);
const page = JSON.parse(pageText);


// ---------------------------------------------------------------- wasm: budget calls

await PromoEngine.init();
const memory = glue.initSync().memory;

let loadEngine = null;
function freshLoad(fn) {
  loadEngine?.free();
  loadEngine = null;
  const e = PromoEngine.initSync(WASM_FILE_BYTES());
  loadEngine = e;
  fn(e);
}
let wasmBytes;
function WASM_FILE_BYTES() {
  // Already instantiated: initSync only returns the existing instance.
  return (wasmBytes ??= readFileSync(WASM_FILE));
}
// A fresh engine per load (a held version refuses an equal one); the free of
// the previous engine is inside the timing, as a reload in production frees too.
results.wasm.load_verify = measure(() => freshLoad((e) => e.loadBundle(bundle, jwks, { now: NOW })), { maxIters: 40, maxMs: SLOW_MS, warmup: 2 });
results.wasm.load_plan = measure(() => freshLoad((e) => e.loadPlan(plan)), { maxIters: 40, maxMs: SLOW_MS, warmup: 2 });
loadEngine?.free();
loadEngine = null;

const engine = await PromoEngine.init();
const report = engine.loadBundle(bundle, jwks, { now: NOW });
const probeCart = engine.validate(cart, NOW);
if (!Array.isArray(probeCart.redeemables)) throw new Error("validate answered no redeemables");

results.wasm.validate_json = measure(() => engine.validateJson(cartText, NOW));
results.wasm.validate_obj = measure(() => engine.validate(cart, NOW));
results.wasm.qualify_json = measure(() => engine.qualifyJson(qualifyText, NOW), { maxIters: 5000 });
results.wasm.qualify_obj = measure(() => engine.qualify(qual, NOW), { maxIters: 5000 });
results.wasm.price_json = measure(() => engine.priceProductsJson(pageText, NOW), { maxIters: 5000 });
results.wasm.price_obj = measure(() => engine.priceProducts(page, NOW), { maxIters: 5000 });
// The smallest crossing: status (a few bytes each way).
results.wasm.status = measure(() => engine.status(NOW));

// JS-side conversions alone (what the object methods add to the …Json ones).
const answers = {
  validate: engine.validateJson(cartText, NOW),
  qualify: engine.qualifyJson(qualifyText, NOW),
  price: engine.priceProductsJson(pageText, NOW),
};
for (const [k, req] of [["validate", cart], ["qualify", qual], ["price", page]]) {
  results.boundary[k] = {
    request_bytes: JSON.stringify(req).length,
    response_bytes: answers[k].length,
    stringify_request: measure(() => JSON.stringify(req), { maxMs: FAST_MS / 2 }).median,
    parse_response: measure(() => JSON.parse(answers[k]), { maxMs: FAST_MS / 2, maxIters: 5000 }).median,
  };
  const j = results.wasm[`${k}_json`].median;
  const o = results.wasm[`${k}_obj`].median;
  results.boundary[k].json_median = j;
  results.boundary[k].obj_median = o;
  results.boundary[k].faster = j <= o ? "…Json (text)" : "object";
}

table(
  "wasm in Node (per call)",
  ["call", "median", "p99", "n"],
  [
    ["loadBundle (verify + map plan), 1,000 campaigns, 100k codes", fmt(results.wasm.load_verify.median), fmt(results.wasm.load_verify.p99), results.wasm.load_verify.n],
    ["loadPlan (unsigned plan)", fmt(results.wasm.load_plan.median), fmt(results.wasm.load_plan.p99), results.wasm.load_plan.n],
    ["validateJson 20 lines 3 codes (text in/out)", fmt(results.wasm.validate_json.median), fmt(results.wasm.validate_json.p99), results.wasm.validate_json.n],
    ["validate (object in/out)", fmt(results.wasm.validate_obj.median), fmt(results.wasm.validate_obj.p99), results.wasm.validate_obj.n],
    ["qualifyJson 20 lines", fmt(results.wasm.qualify_json.median), fmt(results.wasm.qualify_json.p99), results.wasm.qualify_json.n],
    ["qualify (object)", fmt(results.wasm.qualify_obj.median), fmt(results.wasm.qualify_obj.p99), results.wasm.qualify_obj.n],
    ["priceProductsJson 1,000 products", fmt(results.wasm.price_json.median), fmt(results.wasm.price_json.p99), results.wasm.price_json.n],
    ["priceProducts (object)", fmt(results.wasm.price_obj.median), fmt(results.wasm.price_obj.p99), results.wasm.price_obj.n],
    ["status (smallest crossing)", fmt(results.wasm.status.median), fmt(results.wasm.status.p99), results.wasm.status.n],
  ],
);
table(
  "JS boundary: text (…Json) vs objects (JSON.stringify in, JSON.parse out)",
  ["call", "req B", "resp B", "…Json", "object", "stringify req", "parse resp", "faster"],
  Object.entries(results.boundary).map(([k, b]) => [k, b.request_bytes, b.response_bytes, fmt(b.json_median), fmt(b.obj_median), fmt(b.stringify_request), fmt(b.parse_response), b.faster]),
);

// ---------------------------------------------------------------- memory

const probe = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--memory-probe", "--workload", WORKLOAD, "--pkg", PKG], { encoding: "utf8" });
if (probe.status !== 0) throw new Error(`memory probe failed: ${probe.stderr}`);
results.memory = JSON.parse(probe.stdout);
results.memory.after_benchmarks = memory.buffer.byteLength;
results.memory.method =
  "WebAssembly.Memory.buffer.byteLength of the wasm-bindgen glue's `memory` export (pkg-js/wasm/promo_edge.js initSync() returns the instantiated exports), in a fresh Node process: after init, after loadBundle(bundle.bin), after one validate/qualify/price";
table("wasm linear memory (fresh process)", ["when", "bytes", "MiB"], [
  ["after init", results.memory.afterInit, (results.memory.afterInit / 2 ** 20).toFixed(1)],
  ["after loadBundle(bundle.bin)", results.memory.afterLoad, (results.memory.afterLoad / 2 ** 20).toFixed(1)],
  ["after one validate/qualify/price", results.memory.afterCalls, (results.memory.afterCalls / 2 ** 20).toFixed(1)],
  ["this process, after the load benchmark (repeated loads)", results.memory.after_benchmarks, (results.memory.after_benchmarks / 2 ** 20).toFixed(1)],
]);

// ---------------------------------------------------------------- size

// Raw and gzip -9 of the shipped file, its sections, and (with a build that
// keeps names: `make bench` passes --named-wasm) code by crate and module.
{
  const rel = (p) => (p && p.startsWith(ROOT + "/") ? p.slice(ROOT.length + 1) : p);
  const { data, text } = sizeReport(WASM_FILE, NAMED_WASM ?? undefined);
  results.size = { ...data, file: rel(data.file), report: text.replaceAll(ROOT + "/", "") };
  if (results.size.contributors) results.size.contributors.file = rel(results.size.contributors.file);
  console.log(`\n${results.size.report.trimEnd()}`);
}

// ---------------------------------------------------------------- json-rules-engine

const jre = evaluator(snapshot);
const jreLines = {};
async function compareCart(label, e, cartObj, cartJson) {
  const codes = (cartObj.redeemables ?? []).map((r) => r.id);
  const ruled = codes.filter((c) => jre.codesWithRules.has(c));
  const jreOk = await jre.eligible(cartObj);
  // What the engine decided for the same codes (order-rule rejections are INAPPLICABLE).
  const resp = JSON.parse(e.validateJson(cartJson, NOW));
  const rejected = new Set(
    resp.inapplicable_redeemables.filter((r) => /rules_violated/.test(r.result?.error?.key ?? "")).map((r) => r.id),
  );
  const engineOk = ruled.filter((c) => !rejected.has(c));
  const agree = ruled.every((c) => jreOk.includes(c) === engineOk.includes(c));
  const w = measure(() => e.validate(cartObj, NOW));
  const wj = measure(() => e.validateJson(cartJson, NOW));
  const j = await measureAsync(() => jre.eligible(cartObj));
  jreLines[label] = { codes: codes.length, codes_with_rules: ruled.length, jre_eligible: jreOk, engine_eligible: engineOk, agree, wasm_validate_obj: w, wasm_validate_json: wj, jre: j, ratio_jre_over_wasm: ratio(j.median, w.median) };
}
await compareCart("cart.json (20 lines, 3 codes)", engine, cart, cartText);
for (const n of [1, 10, 100, 500]) {
  const t = read(`scaling/cart-lines-${n}.json`);
  await compareCart(`scaling/cart-lines-${n}.json`, engine, JSON.parse(t), t);
}
// Every coupon rule at once (json-rules-engine's natural use), beside qualify.
const allRun = await measureAsync(() => jre.all(qual), { maxIters: 2000 });
results.jre = {
  rules_translated: jre.size,
  per_cart: jreLines,
  all_rules_on_qualify_cart: { jre: allRun, wasm_qualify_obj: results.wasm.qualify_obj, ratio_jre_over_wasm: ratio(allRun.median, results.wasm.qualify_obj.median), eligible: (await jre.all(qual)).length },
  note: "json-rules-engine only decides eligibility of the cart's coupon codes (order.amount >= X AND (item in cart OR segment in …)); wasm validate also prices, stacks and explains every code. Facts (order amount at catalog prices, quantity per product, segments) are computed from the cart object inside the timing.",
};
table(
  `json-rules-engine (${jre.size} coupon rules translated) vs wasm validate, same carts`,
  ["cart", "codes (ruled)", "agree", "JRE median", "JRE p99", "wasm validate (obj)", "p99", "validateJson", "JRE / wasm"],
  Object.entries(jreLines).map(([k, r]) => [k, `${r.codes} (${r.codes_with_rules})`, r.agree ? "yes" : "NO", fmt(r.jre.median), fmt(r.jre.p99), fmt(r.wasm_validate_obj.median), fmt(r.wasm_validate_obj.p99), fmt(r.wasm_validate_json.median), fmtRatio(r.ratio_jre_over_wasm)]),
);
console.log(
  `  all ${jre.size} coupon rules on the qualify cart: JRE ${fmt(allRun.median)} (p99 ${fmt(allRun.p99)}) vs wasm qualify ${fmt(results.wasm.qualify_obj.median)} → ${fmtRatio(results.jre.all_rules_on_qualify_cart.ratio_jre_over_wasm)}`,
);

// ---------------------------------------------------------------- scaling (wasm)

const lines = {};
for (const n of [1, 10, 100, 500]) {
  const t = read(`scaling/cart-lines-${n}.json`);
  lines[n] = measure(() => engine.validateJson(t, NOW), { maxMs: SCALE_MS });
}
const pages = {};
for (const n of [10, 100, 1000, 10000]) {
  const t = read(`scaling/page-${n}.json`);
  pages[n] = measure(() => engine.priceProductsJson(t, NOW), { maxMs: SCALE_MS, maxIters: 5000, warmup: 5 });
}
const campaigns = {};
for (const n of [10, 100, 1000, 10000]) {
  const e = await PromoEngine.init();
  e.loadPlan(readBytes(`scaling/plan-campaigns-${n}.bin`));
  const t = read(`scaling/cart-campaigns-${n}.json`);
  campaigns[n] = measure(() => e.validateJson(t, NOW), { maxMs: SCALE_MS });
  e.free();
}
results.scaling = { lines, campaigns, pages };

// ---------------------------------------------------------------- native (criterion)

function criterion(id) {
  const dir = join(CRITERION, ...id.split("/"), "new");
  if (!existsSync(join(dir, "estimates.json"))) return null;
  const est = JSON.parse(readFileSync(join(dir, "estimates.json"), "utf8"));
  const out = { median: est.median.point_estimate, mean: est.mean.point_estimate };
  // criterion keeps per-sample totals: p99 here is over samples (each a batch mean).
  try {
    const s = JSON.parse(readFileSync(join(dir, "sample.json"), "utf8"));
    const per = s.iters.map((it, i) => s.times[i] / it);
    Object.assign(out, { p99_of_samples: stats(per).p99, samples: per.length });
  } catch {}
  return out;
}
const NATIVE = {
  load_verify: "budget/load_verify_1000c_100kcodes",
  load_plan: "budget_json/load_plan_1000c_100kcodes",
  validate_json: "budget_json/validate_20lines_3codes",
  validate_struct: "budget/validate_20lines_3codes",
  qualify_json: "budget_json/qualify_20lines",
  qualify_struct: "budget/qualify_20lines",
  price_json: "budget_json/price_1000_products",
  price_struct: "budget/price_1000_products",
};
for (const [k, id] of Object.entries(NATIVE)) results.native[k] = criterion(id);
results.native.scaling = { lines: {}, campaigns: {}, pages: {} };
for (const n of [1, 10, 100, 500]) results.native.scaling.lines[n] = criterion(`scaling_lines/${n}`);
for (const n of [10, 100, 1000, 10000]) results.native.scaling.campaigns[n] = criterion(`scaling_campaigns/${n}`);
for (const n of [10, 100, 1000, 10000]) results.native.scaling.pages[n] = criterion(`scaling_page/${n}`);
if (Object.keys(NATIVE).every((k) => results.native[k] === null)) console.log(`\n(no criterion estimates under ${CRITERION}: run \`cargo bench --bench engine\` first for the native side)`);

const pairs = [
  ["load + verify (bundle)", "load_verify", "load_verify"],
  ["load plan (unsigned)", "load_plan", "load_plan"],
  ["validate, text in/out", "validate_json", "validate_json"],
  ["qualify, text in/out", "qualify_json", "qualify_json"],
  ["price 1,000, text in/out", "price_json", "price_json"],
];
results.vs_native = pairs.map(([label, w, n]) => ({ key: w, label, wasm: results.wasm[w].median, wasm_p99: results.wasm[w].p99, native: results.native[n]?.median ?? null, native_p99: results.native[n]?.p99_of_samples ?? null, ratio: ratio(results.wasm[w].median, results.native[n]?.median) }));
table(
  "wasm (Node) vs native (criterion), medians",
  ["call", "wasm", "wasm p99", "native", "native p99*", "wasm / native"],
  results.vs_native.map((r) => [r.label, fmt(r.wasm), fmt(r.wasm_p99), fmt(r.native), fmt(r.native_p99), fmtRatio(r.ratio)]),
);
console.log("  * native p99 is over criterion's samples, each the mean of a batch of iterations");

const scaleRows = (kind, label) =>
  Object.entries(results.scaling[kind]).map(([n, s]) => {
    const nat = results.native.scaling[kind][n];
    return [`${label} ${Number(n).toLocaleString("en-US")}`, fmt(s.median), fmt(s.p99), fmt(nat?.median), fmtRatio(ratio(s.median, nat?.median))];
  });
table("scaling: validate vs cart lines (3 codes)", ["lines", "wasm median", "wasm p99", "native", "wasm / native"], scaleRows("lines", "lines"));
table("scaling: validate (20 lines) vs campaigns in the snapshot", ["campaigns", "wasm median", "wasm p99", "native", "wasm / native"], scaleRows("campaigns", "campaigns"));
table("scaling: priceProducts vs products per page", ["products", "wasm median", "wasm p99", "native", "wasm / native"], scaleRows("pages", "products"));
console.log("  (native scaling benches take pre-parsed requests; wasm takes JSON text, so these ratios include parsing and serialising)");

// ---------------------------------------------------------------- budgets
// Issue 13's budgets, each recorded with `met` in results.json (report.mjs
// shows them all): medians of wasm in Node on the generated workload.

const MS = 1e6, US = 1e3, MiB = 2 ** 20;
const bytesShown = (b) => `${(b / 1000).toFixed(1)} KB`;
const ratioShown = (r) => (r === null ? "—" : `${r.toFixed(2)}×`);
/** `at_most`: measured ≤ limit; `at_least`: measured ≥ limit. A missing measurement is not met. */
function budget(key, name, measured, limit, unit, show, kind = "at_most") {
  const known = typeof measured === "number" && Number.isFinite(measured);
  const met = known && (kind === "at_most" ? measured <= limit : measured >= limit);
  return { key, name, measured: known ? measured : null, limit, kind, unit, met, shown: known ? show(measured) : "—", limit_shown: `${kind === "at_most" ? "≤" : "≥"} ${show(limit)}` };
}
// Linear growth: from the second point to the last, time may grow by the
// size ratio (+25 % for noise), i.e. cost per unit must not rise.
function growth(series) {
  const ns = Object.keys(series).map(Number).sort((a, b) => a - b);
  const lo = ns[1] ?? ns[0], hi = ns[ns.length - 1];
  const r = series[hi].median / series[lo].median;
  return { from: lo, to: hi, size_ratio: hi / lo, time_ratio: r, linear_or_better: r <= (hi / lo) * 1.25 };
}
results.growth = { "cart lines": growth(results.scaling.lines), campaigns: growth(results.scaling.campaigns), "products per page": growth(results.scaling.pages) };
const jreCart = jreLines["cart.json (20 lines, 3 codes)"];
results.budgets = [
  budget("load_verify", "load and verify (`loadBundle`: signature, plan digest, map the plan)", results.wasm.load_verify.median, 50 * MS, "ns", fmt),
  budget("validate", "validate 20 lines, 3 codes (`validateJson`)", results.wasm.validate_json.median, 50 * US, "ns", fmt),
  budget("qualify", "qualify that cart (`qualifyJson`)", results.wasm.qualify_json.median, 1 * MS, "ns", fmt),
  budget("price", "strikethrough prices for 1,000 products (`priceProductsJson`)", results.wasm.price_json.median, 2 * MS, "ns", fmt),
  budget("size_raw", ".wasm after wasm-opt, raw (KB = 1,000 B)", results.size.raw, BUDGET_RAW, "B", bytesShown),
  budget("size_gzip", ".wasm after wasm-opt, gzip -9 (KB = 1,000 B)", results.size.gzip, BUDGET_GZIP, "B", bytesShown),
  budget("memory", "wasm linear memory after loading the bundle", results.memory.afterLoad, 32 * MiB, "B", (b) => `${(b / MiB).toFixed(1)} MiB`),
  ...results.vs_native.map((v) => budget(`vs_native_${v.key}`, `wasm ≤ 2× native: ${v.label}`, v.ratio, 2, "×", ratioShown)),
  budget(
    "vs_jre",
    "faster than json-rules-engine deciding the same eligibility (cart.json: JRE median / wasm `validate` median, objects in and out)",
    jreCart ? ratio(jreCart.jre.median, jreCart.wasm_validate_obj.median) : null,
    30,
    "×",
    ratioShown,
    "at_least",
  ),
  ...Object.entries(results.growth).map(([k, g]) =>
    budget(`growth_${k.replaceAll(" ", "_")}`, `cost grows no worse than linearly with ${k} (${g.from} → ${g.to}: time ratio, limit = size ratio + 25 % noise)`, g.time_ratio, g.size_ratio * 1.25, "×", (x) => `×${x.toFixed(2)}`),
  ),
];
table(
  "Budgets (issue 13), wasm in Node",
  ["budget", "limit", "measured", "verdict"],
  results.budgets.map((b) => [b.name, b.limit_shown, b.shown, b.met ? "met" : "MISSED"]),
);
console.log(`  ${results.budgets.filter((b) => b.met).length} of ${results.budgets.length} budgets met`);

results.machine.loadavg_at_end = loadavg();
results.load_report = report;
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(results, null, 2) + "\n");
console.log(`\nwrote ${OUT}`);
