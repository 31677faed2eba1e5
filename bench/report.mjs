#!/usr/bin/env node
// Turns benches/results.json (written by wasm-bench.mjs) into the generated
// part of benches/RESULTS.md (between the BEGIN/END GENERATED markers; the
// hand-written analysis around them is kept) and the chart benches/scaling.svg.
//
//   node bench/report.mjs [benches/results.json]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const IN = resolve(process.argv[2] ?? join(ROOT, "benches", "results.json"));
const MD = join(dirname(IN), "RESULTS.md");
const SVG = join(dirname(IN), "scaling.svg");
const r = JSON.parse(readFileSync(IN, "utf8"));

function fmt(ns) {
  if (ns === undefined || ns === null || Number.isNaN(ns)) return "—";
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)} µs`;
  return `${ns.toFixed(0)} ns`;
}
const x = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : "—");
const md = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
const m = r.machine;
const w = r.wasm;

const out = [];
out.push(`Run ${m.date} · npm package \`${r.package ?? "pkg-js"}\` · ${m.cpu} · nproc ${m.nproc} · ${(m.memory_bytes / 2 ** 30).toFixed(1)} GiB · load average ${m.loadavg_at_start.map((l) => l.toFixed(2)).join(" ")} at start, ${m.loadavg_at_end.map((l) => l.toFixed(2)).join(" ")} at end · Node ${m.node} (V8 ${m.v8}) · ${m.rustc}`);
if (r.quick) out.push("", "**A `--quick` run (short time limits): not a benchmark, only a check of the harness.**");
out.push("");
out.push("How this run was made (`make bench` = `make wasm-build`, `bench/run.sh`, under one 20-minute deadline):");
out.push("");
out.push("```sh");
out.push("cargo run --locked --release --example gen_workload -- target/bench-workload   # snapshot.json (source), plan.bin, bundle.bin + jwks.json, carts, pages, scaling/plan-campaigns-N.bin");
out.push("CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_STRIP=false cargo build --release --target wasm32-unknown-unknown --lib --no-default-features --target-dir target/wasm-size-named   # names kept, for the size report");
out.push("cargo bench --locked --bench engine -- --warm-up-time 1 --measurement-time 2 --noplot");
out.push("node bench/wasm-bench.mjs --workload target/bench-workload --criterion target/criterion --named-wasm … --out benches/results.json");
out.push("node bench/report.mjs benches/results.json");
out.push("```");
out.push("");
out.push("- wasm figures: median / p99 of single calls (`process.hrtime.bigint()`) after a warm-up, each measurement capped in iterations and time. Loads use a fresh engine each (a held version refuses an equal one), freeing the previous one inside the timing.");
out.push("- `loadBundle` reads `bundle.bin` (promo-edge.bundle/2: a compact EdDSA JWS over the manifest, signed by gen_workload with a fixed key, kid `bench`, then the plan) against `jwks.json`; `loadPlan` reads `plan.bin`. The engine never sees the source: json-rules-engine's rules are translated from `snapshot.json`.");
out.push("- Native figures are criterion's median estimates; its \"p99\" is over samples that are each a batch mean.");
out.push("");
out.push("### Budgets (issue 13), wasm in Node");
out.push("");
const metCount = r.budgets.filter((b) => b.met).length;
out.push(`${metCount} of ${r.budgets.length} met in this run (every budget is in \`benches/results.json\` under \`budgets\`, with \`met\`).`);
out.push("");
out.push(md(["budget", "limit", "measured", "verdict"], r.budgets.map((b) => [b.name, b.limit_shown, b.shown, b.met ? "met" : "**missed**"])));
out.push("");
out.push("### wasm in Node, per call");
out.push("");
const row = (label, s) => [label, fmt(s.median), fmt(s.p99), String(s.n)];
out.push(
  md(
    ["call", "median", "p99", "iterations"],
    [
      row("`loadBundle` (bundle.bin: verify the manifest, SHA-256 of the plan, map the plan), 1,000 campaigns, 100,000 codes", w.load_verify),
      row("`loadPlan` (plan.bin, unsigned)", w.load_plan),
      row("`validateJson`, 20 lines, 3 codes (text in/out)", w.validate_json),
      row("`validate` (object in/out)", w.validate_obj),
      row("`qualifyJson`, 20 lines", w.qualify_json),
      row("`qualify` (object)", w.qualify_obj),
      row("`priceProductsJson`, 1,000 products", w.price_json),
      row("`priceProducts` (object)", w.price_obj),
      row("`status` (smallest crossing)", w.status),
    ],
  ),
);
out.push("");
out.push("### Crossing the JS boundary: JSON text vs objects");
out.push("");
out.push(
  md(
    ["call", "request B", "response B", "`…Json` (text)", "object", "`JSON.stringify` request", "`JSON.parse` response", "faster"],
    Object.entries(r.boundary).map(([k, b]) => [k, String(b.request_bytes), String(b.response_bytes), fmt(b.json_median), fmt(b.obj_median), fmt(b.stringify_request), fmt(b.parse_response), b.faster]),
  ),
);
out.push("");
out.push("### wasm linear memory");
out.push("");
const mem = r.memory;
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB (${b} B)`;
out.push(md(["when", "`memory.buffer.byteLength`"], [["after init", mib(mem.afterInit)], ["after `loadBundle(bundle.bin)`", mib(mem.afterLoad)], ["after one validate, qualify and price", mib(mem.afterCalls)], ["benchmark process after repeated loads (high-water mark; wasm memory never shrinks)", mib(mem.after_benchmarks)]]));
out.push("");
out.push(`How: ${mem.method}.`);
out.push("");
out.push("### .wasm size");
out.push("");
// The crate and module lists are the table below.
out.push("```text\n" + r.size.report.split("\n  by crate")[0].trimEnd() + "\n```");
out.push("");
const c = r.size.contributors;
if (c) {
  const share = (x) => `${(100 * x.share).toFixed(1)} %`;
  out.push(`By crate and, for \`promo_edge\`, by module (twiggy on \`${c.file}\`: the same code before wasm-bindgen and wasm-opt, names kept, ${c.total} B):`);
  out.push("");
  const rows = Math.max(c.crates.length, c.promo_edge_modules.length);
  const top = Math.min(rows, 12);
  out.push(
    md(
      ["crate", "bytes", "share", "promo_edge module", "bytes", "share"],
      Array.from({ length: top }, (_, i) => {
        const a = c.crates[i];
        const b = c.promo_edge_modules[i];
        return [a ? `\`${a.name}\`` : "", a ? String(a.bytes) : "", a ? share(a) : "", b ? `\`${b.name}\`` : "", b ? String(b.bytes) : "", b ? share(b) : ""];
      }),
    ),
  );
  out.push("");
}
out.push("### wasm vs native (criterion), same workload, side by side");
out.push("");
out.push("Both sides take the same bytes: the bundle or plan, request JSON in and response JSON out (criterion's `budget_json` group; `load + verify` is `budget/load_verify`). Budget: wasm ≤ 2× native on every call.");
out.push("");
out.push(
  md(
    ["call", "wasm median", "wasm p99", "native median", "native p99 (of samples)", "wasm / native", "≤ 2×"],
    r.vs_native.map((v) => [v.label, fmt(v.wasm), fmt(v.wasm_p99), fmt(v.native), fmt(v.native_p99), x(v.wasm, v.native), v.ratio !== null && v.ratio <= 2 ? "met" : "**missed**"]),
  ),
);
out.push("");
const n = r.native;
out.push(`Native with pre-parsed requests (no JSON): validate ${fmt(n.validate_struct?.median)}, qualify ${fmt(n.qualify_struct?.median)}, price 1,000 ${fmt(n.price_struct?.median)}. Criterion's p99 is over its samples, each the mean of a batch of iterations.`);
out.push("");
out.push("### json-rules-engine vs wasm validate, same carts, same run");
out.push("");
out.push(`${r.jre.rules_translated} coupon rules translated. ${r.jre.note}`);
out.push("");
out.push(
  md(
    ["cart", "codes (with rules)", "same eligibility", "json-rules-engine median", "p99", "wasm `validate` median", "p99", "wasm `validateJson`", "JRE / wasm"],
    Object.entries(r.jre.per_cart).map(([k, c]) => [k, `${c.codes} (${c.codes_with_rules})`, c.agree ? "yes" : "**no**", fmt(c.jre.median), fmt(c.jre.p99), fmt(c.wasm_validate_obj.median), fmt(c.wasm_validate_obj.p99), fmt(c.wasm_validate_json.median), x(c.jre.median, c.wasm_validate_obj.median)]),
  ),
);
out.push("");
const a = r.jre.all_rules_on_qualify_cart;
out.push(`All ${r.jre.rules_translated} rules at once on the qualify cart (${a.eligible} eligible): json-rules-engine ${fmt(a.jre.median)} (p99 ${fmt(a.jre.p99)}) vs wasm \`qualify\` ${fmt(a.wasm_qualify_obj.median)} (p99 ${fmt(a.wasm_qualify_obj.p99)}): ${x(a.jre.median, a.wasm_qualify_obj.median)}.`);
out.push("");
out.push("### Scaling (wasm medians and p99; native medians)");
out.push("");
out.push("![scaling chart](scaling.svg)");
out.push("");
const scale = (kind, label) =>
  md(
    [label, "wasm median", "wasm p99", "native median", "wasm / native", "wasm per unit"],
    Object.entries(r.scaling[kind]).map(([k, s]) => {
      const nat = r.native.scaling[kind][k];
      return [Number(k).toLocaleString("en-US"), fmt(s.median), fmt(s.p99), fmt(nat?.median), x(s.median, nat?.median), fmt(s.median / Number(k))];
    }),
  );
out.push("validate (3 codes) vs cart lines:\n\n" + scale("lines", "lines"));
out.push("");
out.push("validate (20 lines, 3 codes) vs campaigns in the snapshot (no unique codes):\n\n" + scale("campaigns", "campaigns"));
out.push("");
out.push("priceProducts vs products per page:\n\n" + scale("pages", "products"));
out.push("");
out.push("Native scaling benches take pre-parsed requests; wasm takes JSON text, so those ratios include parsing and serialising.");

const BEGIN = "<!-- BEGIN GENERATED by bench/report.mjs -->";
const END = "<!-- END GENERATED -->";
const generated = `${BEGIN}\n${out.join("\n")}\n${END}`;
let doc = existsSync(MD) ? readFileSync(MD, "utf8") : `# Benchmark results\n\n${BEGIN}\n${END}\n`;
if (!doc.includes(BEGIN) || !doc.includes(END)) doc += `\n${BEGIN}\n${END}\n`;
doc = doc.slice(0, doc.indexOf(BEGIN)) + generated + doc.slice(doc.indexOf(END) + END.length);
writeFileSync(MD, doc);

// ---------------------------------------------------------------- SVG chart
// Three log-log panels; a dashed line of slope 1 through the first wasm
// point shows linear growth.
const panels = [
  ["lines", "validate vs cart lines"],
  ["campaigns", "validate vs campaigns"],
  ["pages", "priceProducts vs products per page"],
];
const W = 300, H = 240, PAD = { l: 52, r: 24, t: 28, b: 40 };
const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W * 3}" height="${H + 30}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n`;
panels.forEach(([kind, title], i) => {
  const ox = i * W;
  const wasm = Object.entries(r.scaling[kind]).map(([k, s]) => [Number(k), s.median]);
  const nat = Object.entries(r.native.scaling[kind]).filter(([, s]) => s).map(([k, s]) => [Number(k), s.median]);
  const xs = wasm.map((p) => p[0]);
  const ys = [...wasm, ...nat].map((p) => p[1]);
  const [x0, x1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...ys))), Math.ceil(Math.log10(Math.max(...ys)))];
  const px = (v) => ox + PAD.l + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const py = (v) => PAD.t + (1 - (Math.log10(v) - y0) / (y1 - y0 || 1)) * (H - PAD.t - PAD.b);
  svg += `<text x="${ox + W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(title)}</text>\n`;
  svg += `<rect x="${ox + PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="none" stroke="#999"/>\n`;
  for (let e = y0; e <= y1; e++) {
    const y = py(10 ** e);
    svg += `<line x1="${ox + PAD.l}" x2="${ox + W - PAD.r}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${ox + PAD.l - 4}" y="${y + 4}" text-anchor="end">${esc(fmt(10 ** (e + 9 - 9)).replace(".00", "").replace(".0", ""))}</text>\n`;
  }
  for (const v of xs) svg += `<text x="${px(v)}" y="${H - PAD.b + 14}" text-anchor="middle">${v.toLocaleString("en-US")}</text>\n`;
  // Linear reference through the first wasm point.
  const [fx, fy] = wasm[0];
  const lx = Math.max(...xs);
  svg += `<clipPath id="panel${i}"><rect x="${ox + PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}"/></clipPath>\n`;
  svg += `<line clip-path="url(#panel${i})" x1="${px(fx)}" y1="${py(fy)}" x2="${px(lx)}" y2="${py(fy * (lx / fx))}" stroke="#aaa" stroke-dasharray="4 3"/>\n`;
  for (const [pts, color] of [[wasm, "#c0392b"], [nat, "#2471a3"]]) {
    if (pts.length === 0) continue;
    svg += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(" ")}"/>\n`;
    for (const [a, b] of pts) svg += `<circle cx="${px(a).toFixed(1)}" cy="${py(b).toFixed(1)}" r="3" fill="${color}"/>\n`;
  }
});
svg += `<g transform="translate(${PAD.l},${H + 14})"><rect width="12" height="4" y="-4" fill="#c0392b"/><text x="16">wasm in Node (median)</text><rect x="170" width="12" height="4" y="-4" fill="#2471a3"/><text x="186">native (criterion median)</text><line x1="360" x2="384" y1="-2" y2="-2" stroke="#aaa" stroke-dasharray="4 3"/><text x="388">linear growth from the first wasm point (log-log; time per call on the y axis)</text></g>\n`;
svg += "</svg>\n";
writeFileSync(SVG, svg);
console.log(`wrote ${MD} (generated section) and ${SVG}`);
