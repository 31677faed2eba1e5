#!/usr/bin/env node
// Prints the raw and gzipped size of the shipped .wasm against the budget,
// its section sizes, and (when twiggy is installed and a build with symbol
// names is given) the largest contributors grouped by crate.
//
//   node scripts/wasm-size.mjs pkg-js/wasm/promo_edge_bg.wasm [named.wasm]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";

const BUDGET_RAW = 300 * 1024;
const BUDGET_GZIP = 120 * 1024;
const [shipped, named] = process.argv.slice(2);
if (!shipped) {
  console.error("usage: wasm-size.mjs SHIPPED.wasm [NAMED.wasm]");
  process.exit(2);
}
const bytes = readFileSync(shipped);
const gz = gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const verdict = (n, budget) => (n <= budget ? "within" : "OVER") + ` budget ${kb(budget)}`;
console.log(`${shipped}`);
console.log(`  raw  ${String(bytes.length).padStart(8)} B  ${kb(bytes.length).padStart(10)}  ${verdict(bytes.length, BUDGET_RAW)}`);
console.log(`  gzip ${String(gz).padStart(8)} B  ${kb(gz).padStart(10)}  ${verdict(gz, BUDGET_GZIP)}`);

// Section sizes, straight from the binary format (no wabt needed).
const NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "data count", "tag"];
function leb(buf, pos) {
  let result = 0, shift = 0, byte;
  do {
    byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [result, pos];
}
let pos = 8;
const sections = [];
while (pos < bytes.length) {
  const id = bytes[pos++];
  let size;
  [size, pos] = leb(bytes, pos);
  let name = NAMES[id] ?? `#${id}`;
  if (id === 0) {
    const [len, p] = leb(bytes, pos);
    name = `custom "${bytes.subarray(p, p + len).toString("utf8")}"`;
  }
  sections.push({ name, size });
  pos += size;
}
console.log("  sections:");
for (const s of sections.sort((a, b) => b.size - a.size)) {
  console.log(`    ${s.name.padEnd(24)} ${String(s.size).padStart(8)} B  ${((100 * s.size) / bytes.length).toFixed(1).padStart(5)} %`);
}

if (!named) process.exit(0);
let csv;
try {
  csv = execFileSync("twiggy", ["top", "-n", "100000", "--format", "csv", named], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
} catch {
  console.log("  (twiggy not installed: `cargo install --locked twiggy` for per-crate contributors)");
  process.exit(0);
}
// Group code and data by crate: the first path segment of a demangled name.
const byCrate = new Map();
let code = 0;
for (const line of csv.split("\n").slice(1)) {
  const m = line.match(/^(?:"((?:[^"]|"")*)"|([^,]*)),(\d+),/);
  if (!m) continue;
  const item = (m[1] ?? m[2]).replace(/""/g, '"');
  const size = Number(m[3]);
  if (item.startsWith("custom section") || item.endsWith("subsection") || item.startsWith("Σ")) continue;
  let crate;
  if (item.startsWith("data segment")) crate = "(static data)";
  else {
    const name = item.replace(/^<+(&mut |&|dyn )*/, "");
    crate = (name.match(/^([A-Za-z_][A-Za-z0-9_]*)/)?.[1] ?? "(other)").replace(/\[.*$/, "");
    if (/^(func|type|table|elem|global|import|export|code)\b/.test(crate) || crate === "(other)") crate = "(unnamed/glue)";
  }
  code += size;
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
}
console.log(`  largest contributors by crate (${named}, before wasm-opt, names kept):`);
for (const [crate, size] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`    ${crate.padEnd(24)} ${String(size).padStart(8)} B  ${((100 * size) / code).toFixed(1).padStart(5)} %`);
}
