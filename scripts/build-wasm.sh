#!/usr/bin/env bash
# Builds pkg-js/wasm/ with wasm-pack (web target, release, no panic hook)
# and shrinks it with wasm-opt -Oz. Cargo decides whether Rust needs
# rebuilding; wasm-opt (about 30 s) is skipped when wasm-bindgen's output
# is byte-identical to the previous build's.
set -euo pipefail
cd "$(dirname "$0")/.."
out=pkg-js/wasm
cache=target/promo-edge-wasm-opt
npm_bin=$PWD/pkg-js/node_modules/.bin

# wasm-pack's own wasm-opt pass runs without the feature flags below (and
# only at -O), so it is skipped.
# The wasm is built without the compiler (feature `compiler`): it only
# loads plans. Its opt-level is in scripts/wasm-profile.env.
. scripts/wasm-profile.env
CARGO_PROFILE_RELEASE_OPT_LEVEL=$WASM_OPT_LEVEL PATH=$npm_bin:$PATH timeout 1200 \
  wasm-pack --quiet build --release --target web \
  --out-dir "$out" --out-name promo_edge --no-pack --no-opt -- --locked --no-default-features
rm -f "$out/.gitignore" "$out/package.json" "$out/README.md"

mkdir -p "$cache"
sum=$(sha256sum "$out/promo_edge_bg.wasm" | cut -d' ' -f1)
if [ -f "$cache/$sum.wasm" ]; then
  cp "$cache/$sum.wasm" "$out/promo_edge_bg.wasm"
  exit 0
fi
# Rust emits these post-MVP features by default; wasm-opt must be told.
timeout 600 "$npm_bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/promo_edge_bg.wasm" -o "$out/promo_edge_bg.opt.wasm"
mv "$out/promo_edge_bg.opt.wasm" "$out/promo_edge_bg.wasm"
rm -f "$cache"/*.wasm
cp "$out/promo_edge_bg.wasm" "$cache/$sum.wasm"
