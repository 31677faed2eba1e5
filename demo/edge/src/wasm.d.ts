// What a static `.wasm` import is on Workers (wrangler's CompiledWasm rule):
// a WebAssembly.Module compiled at deploy time.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
