#!/usr/bin/env node
// The size of the shipped .wasm against the budget (raw and gzip -9), its
// sections, and — given a build that keeps symbol names, and twiggy — the
// code and data by crate and, for promo_edge itself, by module.
//
//   node scripts/wasm-size.mjs SHIPPED.wasm [NAMED.wasm] [--json]
//
// As a module: `sizeReport(shipped, named?)` returns `{data, text}`
// (bench/wasm-bench.mjs stores both in benches/results.json).
//
// Budgets (issue 13): ≤ 256 KB raw and ≤ 100 KB gzipped, read strictly as
// decimal kilobytes (256,000 and 100,000 bytes).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const BUDGET_RAW = 256_000;
export const BUDGET_GZIP = 100_000;

const NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"];

function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  return [result, pos];
}

/** Section sizes, straight from the binary format (no wabt needed). */
export function sections(bytes) {
  let pos = 8;
  const out = [];
  while (pos < bytes.length) {
    const id = bytes[pos++];
    let size;
    [size, pos] = leb(bytes, pos);
    let name = NAMES[id] ?? `#${id}`;
    if (id === 0) {
      const [len, p] = leb(bytes, pos);
      name = `custom "${Buffer.from(bytes.subarray(p, p + len)).toString("utf8")}"`;
    }
    out.push({ name, bytes: size });
    pos += size;
  }
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** The crate (and for promo_edge the module) of a twiggy item name. */
function owner(item) {
  if (item.startsWith("data segment") || item.startsWith("data[")) return ["(static data)", null];
  const name = item.replace(/^<+(&mut |&|dyn |impl )*/, "");
  const crate = name.match(/^([A-Za-z_][A-Za-z0-9_]*)/)?.[1];
  if (!crate || /^(func|type|table|elem|global|import|export|code)$/.test(crate)) return ["(unnamed/glue)", null];
  const module = crate === "promo_edge" ? (name.match(/^promo_edge::([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? "(crate root)") : null;
  return [crate, module];
}

/** Code and data by crate (and promo_edge by module) from twiggy; null without twiggy. */
export function contributors(named) {
  let csv;
  try {
    csv = execFileSync("twiggy", ["top", "-n", "1000000", "--format", "csv", named], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  } catch {
    return null;
  }
  const crates = new Map();
  const modules = new Map();
  let total = 0;
  for (const line of csv.split("\n").slice(1)) {
    const m = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
    if (!m) continue;
    const item = (m[1] ?? m[2]).replace(/""/g, '"');
    const size = Number(m[3]);
    if (item.startsWith("custom section") || item.endsWith("subsection") || item.startsWith("Σ")) continue;
    const [crate, module] = owner(item);
    total += size;
    crates.set(crate, (crates.get(crate) ?? 0) + size);
    if (module) modules.set(module, (modules.get(module) ?? 0) + size);
  }
  const list = (map) => [...map].map(([name, bytes]) => ({ name, bytes, share: bytes / total })).sort((a, b) => b.bytes - a.bytes);
  return { file: named, total, crates: list(crates), promo_edge_modules: list(modules) };
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const pct = (x) => `${(100 * x).toFixed(1).padStart(5)} %`;

export function sizeReport(shipped, named) {
  const bytes = readFileSync(shipped);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const data = {
    file: shipped,
    raw: bytes.length,
    gzip,
    budget_raw: BUDGET_RAW,
    budget_gzip: BUDGET_GZIP,
    sections: sections(bytes),
    contributors: named ? contributors(named) : null,
  };
  const verdict = (n, budget) => `${n <= budget ? "within" : "OVER"} budget ${kb(budget)}`;
  const lines = [shipped];
  lines.push(`  raw  ${String(bytes.length).padStart(8)} B  ${kb(bytes.length).padStart(10)}  ${verdict(bytes.length, BUDGET_RAW)}`);
  lines.push(`  gzip ${String(gzip).padStart(8)} B  ${kb(gzip).padStart(10)}  ${verdict(gzip, BUDGET_GZIP)}`);
  lines.push("  sections:");
  for (const s of data.sections) lines.push(`    ${s.name.padEnd(24)} ${String(s.bytes).padStart(8)} B  ${pct(s.bytes / bytes.length)}`);
  const c = data.contributors;
  if (named && !c) lines.push("  (twiggy not installed: `cargo install --locked twiggy` for per-crate contributors)");
  if (c) {
    lines.push(`  by crate (twiggy on ${named}: the same code before wasm-bindgen and wasm-opt, names kept; ${c.total} B):`);
    for (const x of c.crates.slice(0, 15)) lines.push(`    ${x.name.padEnd(24)} ${String(x.bytes).padStart(8)} B  ${pct(x.share)}`);
    lines.push("  promo_edge by module:");
    for (const x of c.promo_edge_modules.slice(0, 15)) lines.push(`    ${x.name.padEnd(24)} ${String(x.bytes).padStart(8)} B  ${pct(x.share)}`);
  }
  return { data, text: lines.join("\n") + "\n" };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== "--json");
  const [shipped, named] = args;
  if (!shipped) {
    console.error("usage: wasm-size.mjs SHIPPED.wasm [NAMED.wasm] [--json]");
    process.exit(2);
  }
  const { data, text } = sizeReport(shipped, named);
  process.stdout.write(process.argv.includes("--json") ? JSON.stringify(data, null, 2) + "\n" : text);
}
