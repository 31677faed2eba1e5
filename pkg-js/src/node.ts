// @ts-self-types="./node.d.ts"
// The Node entry: the same API, with the `.wasm` read from disk by default
// (Node 20's fetch cannot read `file:` URLs).
import { readFile } from "node:fs/promises";
import { setDefaultWasmSource } from "./engine.js";

setDefaultWasmSource(() => readFile(new URL("../wasm/promo_edge_bg.wasm", import.meta.url)));

export * from "./index.js";
