// Node-side helpers: find and read the native dump written by
// `cargo run --example spec_dump` (the Makefile runs it before these tests).
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, dirname } from "node:path";

export const PKG_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const REPO_ROOT = dirname(PKG_ROOT.replace(/\/$/, ""));
export const WASM_PATH = join(PKG_ROOT, "wasm/promo_edge_bg.wasm");

export function dumpPath() {
  return process.env.PROMO_SPEC_DUMP ?? join(REPO_ROOT, "target/promo-edge-spec/native.json");
}

export function loadDump() {
  const path = dumpPath();
  let dump;
  try {
    dump = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read the native spec dump ${path} (run \`make wasm-spec-dump\`): ${e.message}`);
  }
  // The dump must cover exactly the vectors on disk, or a stale dump would hide cases.
  const onDisk = readdirSync(join(REPO_ROOT, "tests/spec"))
    .filter((n) => n.endsWith(".json"))
    .sort();
  const inDump = dump.files.map((f) => f.name);
  if (JSON.stringify(onDisk) !== JSON.stringify(inDump)) {
    throw new Error(`stale spec dump: it has ${inDump.join(", ")} but tests/spec has ${onDisk.join(", ")}`);
  }
  return dump;
}
