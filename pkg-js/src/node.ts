// @ts-self-types="./node.d.ts"
// The Node entry: the same API, with the `.wasm` read from disk by default
// (Node 20's fetch cannot read `file:` URLs). Registering the loader is a side
// effect, which is why package.json lists this file under `sideEffects`.
import { readFile } from "node:fs/promises";
import { setDefaultWasmSource } from "./engine.js";

// In the package the .wasm sits in ../wasm/; in a bundle (esbuild
// --platform=node) copy it next to the output file.
const CANDIDATES = ["../wasm/promo_edge_bg.wasm", "./promo_edge_bg.wasm"];

setDefaultWasmSource(async () => {
  for (const path of CANDIDATES) {
    try {
      return await readFile(new URL(path, import.meta.url));
    } catch {
      // try the next place
    }
  }
  // Let the glue report what it could not fetch.
  return new URL(CANDIDATES[0] ?? "", import.meta.url);
});

export * from "./index.js";
